"""Special functions: values against PyTorch over wide ranges (poles, infinities, NaN, both
float dtypes), torch-free identities, dtypes, errors and the ``numtorch.special`` namespace."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck

WIDE = np.concatenate(
    [
        np.linspace(-30, 30, 6001),
        np.logspace(-300, 300, 601),
        -np.logspace(-300, 3, 301),
        [0.0, -0.0, -1.0, -2.0, 1.0, 2.0, np.inf, -np.inf, np.nan],
    ]
)
UNIT = np.concatenate([np.linspace(0, 1, 2001), np.logspace(-300, 0, 301), [-1.0, 2.0, np.nan]])


def _assert_close(ours, ref, rtol, atol=0.0):
    ours, ref = np.asarray(ours), np.asarray(ref)
    assert ours.dtype == ref.dtype
    same = (np.isnan(ours) & np.isnan(ref)) | (ours == ref)
    close = np.abs(ours - ref) <= rtol * np.abs(ref) + atol
    bad = ~(same | close)
    assert not bad.any(), (ours[bad][:5], ref[bad][:5])


# -- torch-free ------------------------------------------------------------------------------------


def test_lgamma_matches_math_lgamma():
    x = np.concatenate([np.linspace(-20.5, 40, 3001), np.logspace(-5, 5, 101)])
    x = x[x != np.round(x)]
    want = np.array([math.lgamma(v) for v in x])
    got = numtorch.lgamma(numtorch.tensor(x)).numpy()
    # near lgamma's roots on the negative axis the reflection loses digits to cancellation
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-13)


def test_lgamma_poles_and_infinities():
    x = numtorch.tensor([0.0, -0.0, -1.0, -7.0, math.inf, -math.inf, math.nan])
    got = numtorch.lgamma(x).tolist()
    assert got[:6] == [math.inf] * 6 and math.isnan(got[6])


def test_digamma_known_values():
    out = numtorch.digamma(numtorch.tensor([1.0, 0.5, 0.0, -0.0, -2.0], dtype=numtorch.float64))
    euler = 0.5772156649015329
    np.testing.assert_allclose(out.numpy()[:2], [-euler, -euler - 2 * math.log(2)], rtol=1e-14)
    assert out[2].item() == -math.inf and out[3].item() == math.inf and math.isnan(out[4].item())


def test_polygamma_and_zeta_identities():
    x = numtorch.tensor([1.0], dtype=numtorch.float64)
    assert numtorch.polygamma(1, x).item() == pytest.approx(math.pi**2 / 6, rel=1e-9)
    zeta3 = 1.2020569031595942
    assert numtorch.polygamma(2, x).item() == pytest.approx(-2 * zeta3, rel=1e-14)
    z = numtorch.special.zeta(numtorch.tensor([2.0, 4.0]), numtorch.tensor([1.0, 1.0]))
    np.testing.assert_allclose(z.numpy(), [math.pi**2 / 6, math.pi**4 / 90], rtol=1e-6)


def test_igamma_sums_to_one():
    a = numtorch.tensor([0.5, 1.0, 3.0, 30.0], dtype=numtorch.float64)
    x = numtorch.tensor([0.1, 1.0, 5.0, 25.0], dtype=numtorch.float64)
    total = numtorch.igamma(a, x) + numtorch.igammac(a, x)
    np.testing.assert_allclose(total.numpy(), 1.0, rtol=1e-14)
    assert numtorch.igamma(a[1:2], x[1:2]).item() == pytest.approx(1 - math.exp(-1), rel=1e-14)


def test_dtypes_and_integer_promotion():
    assert numtorch.lgamma(numtorch.tensor([1, 2])).dtype == numtorch.float32
    assert (
        numtorch.digamma(numtorch.tensor([1.0], dtype=numtorch.float64)).dtype == numtorch.float64
    )
    assert numtorch.sinc(numtorch.tensor([0])).tolist() == [1.0]
    with pytest.raises(NotImplementedError, match="\"logaddexp_cpu\" not implemented for 'Long'"):
        numtorch.logaddexp(numtorch.tensor([1]), numtorch.tensor([2]))
    with pytest.raises(RuntimeError, match="does not support negative n"):
        numtorch.polygamma(-1, numtorch.tensor([1.0]))
    with pytest.raises(RuntimeError, match="All elements must be greater than"):
        numtorch.mvlgamma(numtorch.tensor([0.2]), 3)


def test_methods_and_inplace():
    x = numtorch.tensor([0.5, 2.5])
    np.testing.assert_allclose(x.lgamma().numpy(), numtorch.lgamma(x).numpy())
    y = x.clone()
    y.digamma_()
    np.testing.assert_allclose(y.numpy(), numtorch.digamma(x).numpy())
    assert x.polygamma(1).shape == x.shape
    z = x.clone()
    numtorch.sinc_(z)
    np.testing.assert_allclose(z.numpy(), numtorch.sinc(x).numpy())


@pytest.mark.parametrize(
    "fn",
    [
        numtorch.lgamma,
        numtorch.digamma,
        lambda t: numtorch.polygamma(2, t),
        numtorch.i0,
        numtorch.special.i0e,
        numtorch.special.i1,
        numtorch.special.i1e,
        numtorch.special.erfcx,
        numtorch.special.log_ndtr,
        numtorch.sinc,
    ],
)
def test_gradcheck_special(fn):
    x = numtorch.tensor([0.3, 1.7, 3.2, 7.5], dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(fn, (x,))


def test_special_namespace_aliases():
    x = numtorch.tensor([0.25, 2.0])
    np.testing.assert_allclose(numtorch.special.gammaln(x).numpy(), numtorch.lgamma(x).numpy())
    np.testing.assert_allclose(numtorch.special.psi(x).numpy(), numtorch.digamma(x).numpy())
    np.testing.assert_allclose(numtorch.special.expit(x).numpy(), numtorch.sigmoid(x).numpy())
    assert numtorch.special.ndtr(numtorch.tensor([0.0])).item() == 0.5
    assert numtorch.special.ndtri(numtorch.tensor([0.5])).item() == 0.0


# -- against torch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 2e-6)])
@pytest.mark.parametrize(
    "name",
    ["lgamma", "digamma", "trigamma", "polygamma3", "i0", "i0e", "i1", "i1e", "erfcx",
     "log_ndtr", "ndtr", "ndtri", "entr", "sinc"],
)  # fmt: skip
def test_wide_range_matches_torch(name, dtype, rtol):
    torch = pytest.importorskip("torch")
    data = (UNIT if name == "ndtri" else WIDE).astype(dtype)
    if name.startswith("polygamma") or name == "trigamma":
        data = data[~(data < -1e3)]  # ATen's zeta loop runs about -x times there
    if name == "lgamma" and dtype == "float64":
        rtol = 1e-9  # the roots of lgamma at -2.46, -2.75 ... (relative error of a tiny value)

    def call(T, t):
        if name == "trigamma":
            return T.polygamma(1, t)
        if name == "polygamma3":
            return T.polygamma(3, t)
        if name in ("lgamma", "digamma", "i0", "sinc"):
            return getattr(T, name)(t)
        return getattr(T.special, name)(t)

    ours = call(numtorch, numtorch.tensor(data)).numpy()
    ref = call(torch, torch.tensor(data)).numpy()
    tiny = np.finfo(dtype).tiny * 1e3  # subnormal results differ in the last bits
    if (
        name in ("i0", "i0e", "i1", "i1e", "erfcx", "log_ndtr", "ndtri", "sinc")
        and dtype == "float32"
    ):
        rtol = 1e-5  # ATen evaluates these in float32 arithmetic
    if name == "ndtr":
        tiny = 1e-15 if dtype == "float64" else 1e-7  # 1 + erf(x): absolute, not relative, error
    if name == "digamma" and dtype == "float32":
        rtol, tiny = 1e-4, 1e-4  # float32 cancellation near digamma's negative roots
    _assert_close(ours, ref, rtol, tiny)


def test_zeta_igamma_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    s = rng.uniform(1.0, 8.0, 400)
    q = np.concatenate([rng.uniform(-5, 20, 200), rng.uniform(0.001, 3, 200)])
    s[:50] = np.round(s[:50])
    _assert_close(
        numtorch.special.zeta(numtorch.tensor(s), numtorch.tensor(q)).numpy(),
        torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy(),
        1e-12,
    )
    a = rng.uniform(0.01, 50, 500)
    x = rng.uniform(0.0, 60, 500)
    for name in ("igamma", "igammac"):
        ours = getattr(numtorch, name)(numtorch.tensor(a), numtorch.tensor(x)).numpy()
        ref = getattr(torch, name)(torch.tensor(a), torch.tensor(x)).numpy()
        # ATen's Cephes igamma is good to ~1e-9 here (checked against mpmath: ours is closer)
        _assert_close(ours, ref, 1e-8, 1e-300)


def test_grads_and_printing_match_torch():
    torch = pytest.importorskip("torch")
    data = np.array([0.3, 1.7, -2.5, 7.5])
    for name in ("lgamma", "digamma", "i0", "sinc", "deg2rad"):
        xn = numtorch.tensor(data, requires_grad=True)
        xt = torch.tensor(data, requires_grad=True)
        on, ot = getattr(numtorch, name)(xn), getattr(torch, name)(xt)
        assert repr(on).replace("numtorch", "torch") == repr(ot)
        on.sum().backward()
        ot.sum().backward()
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-10)


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    for T in (numtorch, torch):
        with pytest.raises(RuntimeError, match="does not support negative n"):
            T.polygamma(-2, T.tensor([1.0]))
        with pytest.raises(NotImplementedError, match="logaddexp_cpu"):
            T.logaddexp(T.tensor([1]), T.tensor([1]))
