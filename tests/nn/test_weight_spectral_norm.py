"""nn.utils.weight_norm / spectral_norm (hook-based) and nn.utils.parametrizations: values,
gradients, buffers, state dicts, warnings and messages, against PyTorch when installed."""

from __future__ import annotations

import pytest

import numtorch
import numtorch.nn.utils.parametrize as P
from numtorch.autograd import gradcheck
from numtorch.func import functional_call
from numtorch.nn.utils import parametrizations
from numtorch.nn.utils.weight_norm import _weight_norm, norm_except_dim

WN_WARNING = "`torch.nn.utils.weight_norm` is deprecated"


def _np(t):
    return t.detach().numpy()


def _close(a, b, tol=1e-5):
    import numpy as np

    np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


# -- torch-free -----------------------------------------------------------------------------


def test_norm_except_dim_values():
    v = numtorch.tensor([[3.0, 4.0], [0.0, 1.0]])
    assert norm_except_dim(v, 2, 0).tolist() == [[5.0], [1.0]]
    assert norm_except_dim(v, 2, 1).tolist() == [[3.0, pytest.approx(17**0.5)]]
    assert norm_except_dim(v, 2, -1).shape == ()


def test_weight_norm_gradcheck():
    v = numtorch.randn(3, 4, dtype=numtorch.float64, requires_grad=True)
    g = numtorch.randn(3, 1, dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda v, g: _weight_norm(v, g, 0), (v, g))
    g0 = numtorch.randn((), dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda v, g: _weight_norm(v, g, -1), (v, g0))


def test_weight_norm_hook_and_remove():
    m = numtorch.nn.Linear(4, 3)
    w = m.weight.detach().clone()
    with pytest.warns(FutureWarning, match=WN_WARNING):
        numtorch.nn.utils.weight_norm(m)
    assert sorted(dict(m.named_parameters())) == ["bias", "weight_g", "weight_v"]
    _close(m.weight, w)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        with pytest.warns(FutureWarning):
            numtorch.nn.utils.weight_norm(m)
    numtorch.nn.utils.remove_weight_norm(m)
    assert sorted(dict(m.named_parameters())) == ["bias", "weight"]
    _close(m.weight, w)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in Linear"):
        numtorch.nn.utils.remove_weight_norm(m)


def test_spectral_norm_sigma_converges_to_one():
    m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(5, 4), n_power_iterations=50)
    m(numtorch.randn(2, 5))
    assert numtorch.linalg.svdvals(m.weight.detach())[0].item() == pytest.approx(1.0, rel=1e-4)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        numtorch.nn.utils.spectral_norm(m)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(2, 2), n_power_iterations=0)


def test_spectral_norm_eval_does_not_iterate():
    m = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(3, 3)).eval()
    u = m.weight_u.clone()
    m(numtorch.randn(1, 3))
    assert m.weight_u.tolist() == u.tolist()
    m.train()
    m(numtorch.randn(1, 3))
    assert m.weight_u.tolist() != u.tolist()


def test_spectral_norm_state_dict_round_trip():
    a = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(3, 2))
    a(numtorch.randn(1, 3))
    sd = a.state_dict()
    assert list(sd) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert sd._metadata[""]["spectral_norm"] == {"weight.version": 1}
    b = numtorch.nn.utils.spectral_norm(numtorch.nn.Linear(3, 2))
    b.load_state_dict(sd)
    x = numtorch.randn(2, 3)
    a.eval()
    b.eval()
    _close(a(x), b(x))
    numtorch.nn.utils.remove_spectral_norm(b)
    assert list(b.state_dict()) == ["bias", "weight"]
    assert not b._state_dict_hooks and not b._load_state_dict_pre_hooks


def test_parametrizations_spectral_norm_vector_is_normalized():
    m = parametrizations.spectral_norm(numtorch.nn.Linear(3, 2), name="bias")
    assert m.bias.norm().item() == pytest.approx(1.0)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of"):
        parametrizations.spectral_norm(numtorch.nn.Linear(3, 2), dim=2)
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'foo'"):
        parametrizations.spectral_norm(numtorch.nn.Linear(3, 2), name="foo")


def test_parametrizations_weight_norm_keeps_weight_and_gradchecks():
    m = numtorch.nn.Linear(4, 3).double()
    w = m.weight.detach().clone()
    parametrizations.weight_norm(m)
    _close(m.weight, w, 1e-12)
    plist = m.parametrizations.weight
    assert plist.original0.shape == (3, 1) and plist.original1.shape == (3, 4)

    def f(g, v):
        return functional_call(
            m,
            {"parametrizations.weight.original0": g, "parametrizations.weight.original1": v},
            (numtorch.ones(2, 4, dtype=numtorch.float64),),
        )

    g = plist.original0.detach().clone().requires_grad_()
    v = plist.original1.detach().clone().requires_grad_()
    assert gradcheck(f, (g, v))


# -- against PyTorch ------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, None, -2])
def test_weight_norm_matches_torch(dim):
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        with pytest.warns(FutureWarning) as rec:
            m = lib.nn.utils.weight_norm(lib.nn.Conv1d(3, 4, 3), dim=dim)
        x = lib.randn(2, 3, 5)
        y = m(x)
        y.square().sum().backward()
        out.append(
            (
                str(rec[0].message),
                y,
                m.weight_g,
                m.weight_g.grad,
                m.weight_v.grad,
                list(m.state_dict()),
                repr(m),
            )
        )
    (nm, ny, ng, ngg, nvg, nk, nr), (tm, ty, tg, tgg, tvg, tk, tr) = out
    assert nm == tm and nk == tk and nr == tr
    assert tuple(ng.shape) == tuple(tg.shape)
    for a, b in ((ny, ty), (ng, tg), (ngg, tgg), (nvg, tvg)):
        _close(a, b)


@pytest.mark.parametrize(
    "make", [lambda lib: lib.nn.Conv2d(3, 4, 3), lambda lib: lib.nn.ConvTranspose2d(3, 4, 3)]
)
def test_spectral_norm_matches_torch(make):
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.utils.spectral_norm(make(lib), n_power_iterations=2)
        x = lib.randn(2, 3, 5, 5)
        y1 = m(x)
        y2 = m(x)
        (y1 - y2 * 2).sum().backward()
        m.eval()
        y3 = m(x)
        res = [m.weight_u, m.weight_v, y1, y2, y3, m.weight_orig.grad]
        lib.nn.utils.remove_spectral_norm(m)
        out.append((res, m.weight, list(m.state_dict())))
    (nres, nw, nk), (tres, tw, tk) = out
    assert nk == tk
    for a, b in zip(nres + [nw], tres + [tw], strict=True):
        _close(a, b)


def test_parametrizations_match_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Conv1d(2, 3, 2))
        lib.nn.utils.parametrizations.spectral_norm(m[0])
        lib.nn.utils.parametrizations.weight_norm(m[1], dim=None)
        x = lib.randn(2, 4)
        y = m[0](x)
        z = m[1](lib.randn(1, 2, 5))
        (y.sum() + z.sum()).backward()
        p0 = m[0].parametrizations.weight
        p1 = m[1].parametrizations.weight
        out.append(
            (
                repr(m),
                list(m.state_dict()),
                [y, z, p0[0]._u, p0[0]._v, p0.original.grad, p1.original0.grad, p1.original1],
            )
        )
    (nr, nk, nv), (tr, tk, tv) = out
    assert nr == tr and nk == tk
    for a, b in zip(nv, tv, strict=True):
        _close(a, b)


def test_parametrizations_weight_norm_remove_matches_torch():
    torch = pytest.importorskip("torch")
    out = []
    for lib in (numtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.utils.parametrizations.weight_norm(lib.nn.Linear(3, 2))
        m.weight = lib.ones(2, 3)
        lib.nn.utils.parametrize.remove_parametrizations(m, "weight")
        out.append((type(m).__name__, m.weight, list(m.state_dict())))
    assert out[0][0] == out[1][0] and out[0][2] == out[1][2]
    _close(out[0][1], out[1][1])


def test_is_parametrized_after_parametrizations():
    m = parametrizations.weight_norm(numtorch.nn.Linear(2, 2))
    assert P.is_parametrized(m) and P.is_parametrized(m, "weight")
    assert not P.is_parametrized(m, "bias")
