"""geqrf/orgqr/ormqr, linalg.ldl_factor(_ex)/ldl_solve, svd_lowrank/pca_lowrank, lobpcg and
the deprecated nuclear_norm/frobenius_norm: identities without torch, then (where torch is
installed) PyTorch's values, pivots, seeded random results, gradients and error texts."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck
from numtorch.ops import linalg_more as lm

RNG = np.random.default_rng(0)


def _rand(*shape, dtype=np.float64):
    a = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * RNG.standard_normal(shape)
    return a.astype(dtype)


def _t(a, requires_grad=False):
    return numtorch.tensor(a, requires_grad=requires_grad)


def _np(t):
    return t.detach().resolve_conj().numpy()


def _tol(dtype):
    return 1e-4 if np.dtype(dtype) in (np.float32, np.complex64) else 1e-10


def _unpack_q(a, tau):
    """Dense Q (m x m) from geqrf's output, with numpy only."""
    m = a.shape[-2]
    q = np.eye(m, dtype=a.dtype)
    for i in range(tau.shape[-1]):
        v = np.zeros(m, dtype=a.dtype)
        v[i] = 1
        v[i + 1 :] = a[i + 1 :, i]
        q = q @ (np.eye(m) - tau[i] * np.outer(v, v.conj()))
    return q


def _ldl_reconstruct(ld, piv, herm):
    """A from sytrf's LD and pivots: P_1 L_1 ... P_k L_k D (...)^T, with numpy only."""
    n = ld.shape[-1]
    big = np.eye(n, dtype=ld.dtype)
    d = np.zeros_like(ld)
    k = 0
    while k < n:
        step = 1 if piv[k] > 0 else 2
        kp = (piv[k] if step == 1 else -piv[k]) - 1
        perm = np.eye(n, dtype=ld.dtype)
        perm[[k + step - 1, kp]] = perm[[kp, k + step - 1]]
        lk = np.eye(n, dtype=ld.dtype)
        lk[k + step :, k : k + step] = ld[k + step :, k : k + step]
        big = big @ perm @ lk
        d[k : k + step, k : k + step] = np.tril(ld[k : k + step, k : k + step])
        if step == 2:
            d[k, k + 1] = ld[k + 1, k].conj() if herm else ld[k + 1, k]
        k += step
    return big @ d @ (big.conj().T if herm else big.T)


# -- torch-free: geqrf / orgqr / ormqr ----------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4), (2, 6, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_geqrf_q_times_r(shape, dtype):
    a = _rand(*shape, dtype=dtype)
    res = lm.geqrf(_t(a))
    assert res.a.dtype == _t(a).dtype and res.tau.shape == shape[:-2] + (min(shape[-2:]),)
    for i in np.ndindex(*shape[:-2]):
        ai, ti = _np(res.a)[i], _np(res.tau)[i]
        q = _unpack_q(ai, ti)
        np.testing.assert_allclose(q @ np.triu(ai), a[i], atol=_tol(dtype) * 10)
        np.testing.assert_allclose(q.conj().T @ q, np.eye(shape[-2]), atol=_tol(dtype) * 10)


def test_geqrf_lapack_signs():
    # beta = -sign(alpha) * norm, v[0] = 1 implicit, tau = (beta - alpha) / beta
    res = lm.geqrf(_t(np.array([[3.0], [4.0]])))
    np.testing.assert_allclose(_np(res.a), [[-5.0], [4.0 / 8.0]])
    np.testing.assert_allclose(_np(res.tau), [8.0 / 5.0])
    zero = lm.geqrf(_t(np.array([[0.0, 1.0], [0.0, 2.0]])))
    assert _np(zero.tau)[0] == 0  # a zero column is left as is: H = I


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("transpose", [True, False])
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_ormqr_matches_dense_q(left, transpose, dtype):
    a = _rand(2, 5, 3, dtype=dtype)
    res = lm.geqrf(_t(a))
    c = _rand(2, 5, 2, dtype=dtype) if left else _rand(2, 2, 5, dtype=dtype)
    got = _np(lm.ormqr(res.a, res.tau, _t(c), left, transpose))
    for i in range(2):
        q = _unpack_q(_np(res.a)[i], _np(res.tau)[i])
        q = q.conj().T if transpose else q
        np.testing.assert_allclose(got[i], q @ c[i] if left else c[i] @ q, atol=1e-10)
    orgqr = _np(lm.orgqr(res.a, res.tau))
    np.testing.assert_allclose(orgqr[0], _unpack_q(_np(res.a)[0], _np(res.tau)[0])[:, :3])


def test_geqrf_tensor_methods_and_no_derivative():
    a = _t(_rand(4, 3), requires_grad=True)
    res = a.geqrf()
    assert type(res).__name__ == "geqrf" and res._fields == ("a", "tau")
    assert type(res.a.grad_fn).__name__ == "GeqrfBackward0"
    with pytest.raises(NotImplementedError, match="the derivative for 'geqrf' is not"):
        res.a.sum().backward()
    b, tau = lm.geqrf(a.detach())
    np.testing.assert_allclose(_np(b.orgqr(tau)), _np(lm.orgqr(b, tau)))
    c = _t(_rand(4, 2))
    np.testing.assert_allclose(_np(b.ormqr(tau, c)), _np(lm.ormqr(b, tau, c)))


def test_ormqr_gradcheck():
    b, tau = lm.geqrf(_t(_rand(2, 4, 3)))
    args = (
        b.detach().requires_grad_(),
        tau.detach().requires_grad_(),
        _t(_rand(2, 2, 4), requires_grad=True),
    )
    assert gradcheck(lambda x, t, c: lm.ormqr(x, t, c, left=False, transpose=True), args)
    assert gradcheck(lambda x, t, c: lm.ormqr(x, t, c.mT), args)


def test_geqrf_ormqr_errors():
    with pytest.raises(RuntimeError, match="input must have at least 2 dimensions"):
        lm.geqrf(_t(_rand(3)))
    with pytest.raises(NotImplementedError, match="\"geqrf_cpu\" not implemented for 'Long'"):
        lm.geqrf(numtorch.ones(3, 3, dtype=numtorch.int64))
    b, tau = lm.geqrf(_t(_rand(4, 3)))
    with pytest.raises(RuntimeError, match=r"other.shape\[-2\] must be equal to input.shape"):
        lm.ormqr(b, tau, _t(_rand(3, 2)))
    with pytest.raises(RuntimeError, match=r"tau.shape\[-1\] must be equal to min"):
        lm.ormqr(b, _t(_rand(2)), _t(_rand(4, 2)))


# -- torch-free: LDL ----------------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5, 9, 70])
@pytest.mark.parametrize(
    "dtype,herm", [(np.float64, False), (np.complex128, False), (np.complex128, True)]
)
def test_ldl_reconstructs_and_solves(n, dtype, herm):
    a = _rand(2, n, n, dtype=dtype)
    a = a + (a.conj().swapaxes(-1, -2) if herm else a.swapaxes(-1, -2))  # indefinite
    ld, piv, info = lm.ldl_factor_ex(_t(a), hermitian=herm)
    assert piv.dtype == numtorch.int32 and not _np(info).any()
    assert (np.triu(_np(ld), 1) == 0).all()
    for i in range(2):
        np.testing.assert_allclose(_ldl_reconstruct(_np(ld)[i], _np(piv)[i], herm), a[i], atol=1e-9)
    b = _rand(2, n, 3, dtype=dtype)
    x = _np(lm.ldl_solve(ld, piv, _t(b), hermitian=herm))
    np.testing.assert_allclose(a @ x, b, atol=1e-7)


def test_ldl_two_by_two_pivot_and_zero_column():
    ld, piv = lm.ldl_factor(_t(np.array([[0.0, 1.0], [1.0, 0.0]])))
    assert _np(piv).tolist() == [-2, -2]
    np.testing.assert_allclose(_np(ld), [[0.0, 0.0], [1.0, 0.0]])
    res = lm.ldl_factor_ex(numtorch.zeros(3, 3, dtype=numtorch.float64))
    assert int(res.info) == 1 and _np(res.pivots).tolist() == [1, 2, 3]
    with pytest.raises(RuntimeError, match="ldl_factor: Unknown error code: 1"):
        lm.ldl_factor(numtorch.zeros(3, 3, dtype=numtorch.float64))


def test_ldl_errors_and_no_derivative():
    with pytest.raises(RuntimeError, match="must be batches of square matrices, but they are"):
        lm.ldl_factor(numtorch.zeros(2, 3))
    with pytest.raises(RuntimeError, match="must have at least 2 dimensions"):
        lm.ldl_factor(numtorch.zeros(3))
    with pytest.raises(RuntimeError, match="Expected a floating point or complex tensor"):
        lm.ldl_factor(numtorch.zeros(3, 3, dtype=numtorch.int64))
    ld, piv = lm.ldl_factor(_t(np.eye(3)))
    with pytest.raises(RuntimeError, match="Incompatible matrix sizes for torch.linalg.ldl_"):
        lm.ldl_solve(ld, piv, _t(_rand(4, 2)))
    with pytest.raises(RuntimeError, match="Expected b and A to have the same dtype"):
        lm.ldl_solve(ld, piv, numtorch.zeros(3, 2))
    a = _t(np.eye(3) * 2, requires_grad=True)
    out = lm.ldl_factor(a).LD
    with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex is not"):
        out.sum().backward()


# -- torch-free: low-rank, lobpcg, norms --------------------------------------------------------


def test_svd_pca_lowrank_exact_for_low_rank():
    numtorch.manual_seed(0)
    a = _rand(2, 12, 3) @ _rand(2, 3, 9)
    u, s, v = lm.svd_lowrank(_t(a), q=5)
    assert tuple(u.shape) == (2, 12, 5) and tuple(v.shape) == (2, 9, 5)
    np.testing.assert_allclose(_np(s)[..., :3], np.linalg.svd(a, compute_uv=False)[..., :3])
    np.testing.assert_allclose(_np((u * s.unsqueeze(-2)) @ v.mH), a, atol=1e-10)
    u, s, v = lm.pca_lowrank(_t(a), q=4)
    centered = a - a.mean(-2, keepdims=True)
    np.testing.assert_allclose(_np((u * s.unsqueeze(-2)) @ v.mH), centered, atol=1e-10)
    with pytest.raises(ValueError, match="must be non-negative integer and not greater"):
        lm.pca_lowrank(_t(a), q=10)


def test_svd_lowrank_gradcheck():
    a = _t(_rand(6, 3) @ _rand(3, 5), requires_grad=True)

    def singular_values(x):
        numtorch.manual_seed(1)
        return lm.svd_lowrank(x, q=3)[1]

    assert gradcheck(singular_values, (a,))


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("method", ["ortho", "basic"])
def test_lobpcg_eigenpairs(largest, method):
    numtorch.manual_seed(0)
    m = _rand(2, 20, 20)
    a = m @ m.swapaxes(-1, -2) + 20 * np.eye(20)
    e, x = lm.lobpcg(_t(a), k=3, largest=largest, method=method)
    ref = np.linalg.eigvalsh(a)
    ref = ref[..., ::-1][..., :3] if largest else ref[..., :3]
    np.testing.assert_allclose(_np(e), ref, rtol=1e-6)
    np.testing.assert_allclose(a @ _np(x), _np(x) * _np(e)[..., None, :], atol=1e-5)
    with pytest.raises(ValueError, match="LOBPCG algorithm is not applicable"):
        lm.lobpcg(_t(np.eye(5)), k=2)


def test_lobpcg_gradient_of_eigenvalues():
    m = _rand(12, 12)
    a = m @ m.T + np.eye(12)
    at = _t(a, requires_grad=True)
    numtorch.manual_seed(0)
    e, _ = lm.lobpcg(at, k=2)
    e.sum().backward()
    w, v = np.linalg.eigh(a)
    top = v[:, -2:]
    np.testing.assert_allclose(_np(at.grad), top @ top.T, atol=1e-6)


def test_deprecated_norms():
    a = _rand(2, 3, 4)
    with pytest.warns(UserWarning, match="at::nuclear_norm is deprecated"):
        got = lm.nuclear_norm(_t(a))
    np.testing.assert_allclose(_np(got), np.linalg.svd(a, compute_uv=False).sum(-1))
    with pytest.warns(UserWarning, match="at::nuclear_norm is deprecated"):
        assert tuple(lm.nuclear_norm(_t(a), keepdim=True).shape) == (2, 1, 1)
    with pytest.warns(UserWarning, match="at::frobenius_norm is deprecated"):
        got = lm.frobenius_norm(_t(a), (0, 2))
    np.testing.assert_allclose(_np(got), np.sqrt((a**2).sum((0, 2))))
    with pytest.raises(RuntimeError, match="Expected at most 2 dimensions, but got 3"):
        lm.frobenius_norm(_t(a), (0, 1, 2))


# -- against PyTorch ----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4), (2, 3, 6, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_geqrf_ormqr_match_torch(shape, dtype):
    torch = pytest.importorskip("torch")
    a = _rand(*shape, dtype=dtype)
    ref = torch.geqrf(torch.from_numpy(a))
    got = lm.geqrf(_t(a))
    np.testing.assert_allclose(_np(got.a), ref.a.numpy(), atol=_tol(dtype) * 10)
    np.testing.assert_allclose(_np(got.tau), ref.tau.numpy(), atol=_tol(dtype) * 10)
    np.testing.assert_allclose(
        _np(lm.orgqr(got.a, got.tau)) if shape[-2] >= shape[-1] else 0,
        torch.orgqr(ref.a, ref.tau).numpy() if shape[-2] >= shape[-1] else 0,
        atol=_tol(dtype) * 10,
    )
    m = shape[-2]
    for left in (True, False):
        for transpose in (True, False):
            c = (
                _rand(*shape[:-2], m, 2, dtype=dtype)
                if left
                else _rand(*shape[:-2], 2, m, dtype=dtype)
            )
            want = torch.ormqr(ref.a, ref.tau, torch.from_numpy(c), left, transpose).numpy()
            have = _np(lm.ormqr(got.a, got.tau, _t(c), left, transpose))
            np.testing.assert_allclose(have, want, atol=_tol(dtype) * 100)


def test_ormqr_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    b, tau = torch.geqrf(torch.from_numpy(_rand(4, 3)))
    c = _rand(4, 2)
    tb, tt, tc = (torch.tensor(x.numpy() if hasattr(x, "numpy") else x) for x in (b, tau, c))
    for x in (tb, tt, tc):
        x.requires_grad_()
    torch.ormqr(tb, tt, tc, transpose=True).pow(2).sum().backward()
    nb, nt_, nc = (_t(x.detach().numpy(), requires_grad=True) for x in (tb, tt, tc))
    lm.ormqr(nb, nt_, nc, transpose=True).pow(2).sum().backward()
    for want, have in ((tb, nb), (tt, nt_), (tc, nc)):
        np.testing.assert_allclose(_np(have.grad), want.grad.numpy(), atol=1e-10)


def test_geqrf_ormqr_error_texts_match_torch():
    torch = pytest.importorskip("torch")
    a = _rand(4, 3)
    b, tau = torch.geqrf(torch.from_numpy(a))
    cases = [
        lambda mod: mod.geqrf(mod.ones(3)),
        lambda mod, x=b, t=tau: mod.ormqr(conv(mod, x), conv(mod, t), conv(mod, _C32)),
        lambda mod, x=b, t=tau: mod.ormqr(conv(mod, x), conv(mod, t), conv(mod, _C24), False),
        lambda mod, x=b, t=tau: mod.ormqr(conv(mod, x), conv(mod, t).float(), conv(mod, _C42)),
        lambda mod, x=b, t=tau: mod.ormqr(conv(mod, x), conv(mod, t), conv(mod, _C42).float()),
        lambda mod, x=b: mod.ormqr(conv(mod, x), conv(mod, _R5), conv(mod, _C42)),
        lambda mod, x=b, t=tau: mod.ormqr(conv(mod, x), conv(mod, t), mod.ones(4)),
    ]
    for case in cases:
        with pytest.raises((RuntimeError, NotImplementedError)) as want:
            case(torch)
        with pytest.raises(type(want.value)) as have:
            case(_Mod)
        assert str(have.value) == str(want.value)


_C32, _C24, _C42, _R5 = _rand(3, 2), _rand(2, 3), _rand(4, 2), _rand(5)


class _Mod:
    """numtorch with this module's functions, to run the same calls as torch."""

    geqrf = staticmethod(lm.geqrf)
    ormqr = staticmethod(lm.ormqr)
    ones = staticmethod(numtorch.ones)


def conv(mod, x):
    arr = x.numpy() if hasattr(x, "numpy") else x
    if mod is _Mod:
        return numtorch.tensor(arr)
    import torch

    return torch.tensor(arr)


@pytest.mark.parametrize(
    "dtype,herm",
    [(np.float64, False), (np.float32, False), (np.complex128, False), (np.complex128, True)],
)
@pytest.mark.parametrize("n", [1, 2, 3, 6, 9, 70])
def test_ldl_matches_torch(dtype, herm, n):
    torch = pytest.importorskip("torch")
    for trial in range(4):
        a = _rand(3, n, n, dtype=dtype)
        if trial == 1:
            a = a + a.swapaxes(-1, -2)
        if trial == 2 and n > 2:
            a[..., 1, :] = 0
            a[..., :, 1] = 0
        if trial == 3:
            a[..., 0, 0] = 0
        ref = torch.linalg.ldl_factor_ex(torch.from_numpy(a), hermitian=herm)
        got = lm.ldl_factor_ex(_t(a), hermitian=herm)
        np.testing.assert_array_equal(_np(got.pivots), ref.pivots.numpy())
        np.testing.assert_array_equal(_np(got.info), ref.info.numpy())
        tol = 1e-3 if dtype == np.float32 else 1e-8
        np.testing.assert_allclose(_np(got.LD), ref.LD.numpy(), rtol=tol, atol=tol)
        if not ref.info.any():
            b = _rand(n, 2, dtype=dtype)
            want = torch.linalg.ldl_solve(ref.LD, ref.pivots, torch.from_numpy(b), hermitian=herm)
            have = lm.ldl_solve(got.LD, got.pivots, _t(b), hermitian=herm)
            scale = np.abs(want.numpy()).max()
            np.testing.assert_allclose(_np(have), want.numpy(), atol=tol * 10 * scale, rtol=0)


def test_ldl_error_texts_match_torch():
    torch = pytest.importorskip("torch")
    eye = np.eye(3)
    for args, fn in [
        ((np.zeros((2, 3)),), "ldl_factor"),
        ((np.zeros(3),), "ldl_factor"),
        ((np.zeros((3, 3), dtype=np.int64),), "ldl_factor_ex"),
    ]:
        with pytest.raises(RuntimeError) as want:
            getattr(torch.linalg, fn)(*(torch.from_numpy(x) for x in args))
        with pytest.raises(RuntimeError) as have:
            getattr(lm, fn)(*(_t(x) for x in args))
        assert str(have.value) == str(want.value)
    ld, piv = torch.linalg.ldl_factor(torch.from_numpy(eye))
    for b in (_rand(4, 2), _rand(3, 2).astype(np.float32)):
        with pytest.raises(RuntimeError) as want:
            torch.linalg.ldl_solve(ld, piv, torch.from_numpy(b))
        with pytest.raises(RuntimeError) as have:
            lm.ldl_solve(_t(ld.numpy()), _t(piv.numpy()), _t(b))
        assert str(have.value) == str(want.value)


@pytest.mark.parametrize("fn", ["svd_lowrank", "pca_lowrank"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("shape,q", [((10, 7), 3), ((2, 6, 9), 4)])
def test_lowrank_matches_torch_for_a_seed(fn, dtype, shape, q):
    torch = pytest.importorskip("torch")
    a = _rand(*shape, dtype=dtype)
    torch.manual_seed(5)
    numtorch.manual_seed(5)
    u, s, v = getattr(torch, fn)(torch.from_numpy(a), q=q)
    gu, gs, gv = getattr(lm, fn)(_t(a), q=q)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(_np(gs), s.numpy(), atol=tol)
    # the singular vectors agree up to a phase per column: compare U diag(S) V^H
    want = (u * s.unsqueeze(-2).to(u.dtype)) @ v.mH
    have = (gu * gs.unsqueeze(-2).to(gu.dtype)) @ gv.mH
    np.testing.assert_allclose(_np(have), want.resolve_conj().numpy(), atol=tol * 10)
    np.testing.assert_allclose(np.abs(_np(gu)), np.abs(u.resolve_conj().numpy()), atol=tol * 10)


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_lobpcg_matches_torch(largest, dtype):
    torch = pytest.importorskip("torch")
    m = _rand(2, 20, 20)
    a = (m @ m.swapaxes(-1, -2) + 20 * np.eye(20)).astype(dtype)
    torch.manual_seed(3)
    numtorch.manual_seed(3)
    e, x = torch.lobpcg(torch.from_numpy(a), k=3, largest=largest)
    ge, gx = lm.lobpcg(_t(a), k=3, largest=largest)
    tol = 1e-3 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(_np(ge), e.numpy(), rtol=tol)
    np.testing.assert_allclose(np.abs(_np(gx)), np.abs(x.numpy()), atol=tol * 10)


def test_lobpcg_gradient_matches_torch():
    torch = pytest.importorskip("torch")
    m = _rand(12, 12)
    a = m @ m.T + np.eye(12)
    w = np.arange(12.0)[:, None]
    ta = torch.tensor(a, requires_grad=True)
    torch.manual_seed(0)
    e, x = torch.lobpcg(ta, k=2)
    (e.sum() + (x**2 * torch.from_numpy(w)).sum()).backward()
    na = _t(a, requires_grad=True)
    numtorch.manual_seed(0)
    ge, gx = lm.lobpcg(na, k=2)
    (ge.sum() + (gx**2 * _t(w)).sum()).backward()
    np.testing.assert_allclose(_np(na.grad), ta.grad.numpy(), atol=1e-5)


def test_deprecated_norms_match_torch():
    torch = pytest.importorskip("torch")
    a = _rand(2, 3, 4)
    with pytest.warns(UserWarning):
        want = torch.nuclear_norm(torch.from_numpy(a), (0, 2), keepdim=True)
    with pytest.warns(UserWarning):
        have = lm.nuclear_norm(_t(a), (0, 2), keepdim=True)
    np.testing.assert_allclose(_np(have), want.numpy())
    with pytest.warns(UserWarning):
        want = torch.frobenius_norm(torch.from_numpy(a), 1)
    with pytest.warns(UserWarning):
        have = lm.frobenius_norm(_t(a), 1)
    np.testing.assert_allclose(_np(have), want.numpy())
