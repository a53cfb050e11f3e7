"""F.affine_grid / F.grid_sample: numbers, gradients, warnings and errors against torch."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.nn._functional_vision import affine_grid, grid_sample

MODES = [
    (nd, mode, pad, align)
    for nd in (2, 3)
    for mode in ("bilinear", "nearest", "bicubic")
    for pad in ("zeros", "border", "reflection")
    for align in (False, True)
    if not (nd == 3 and mode == "bicubic")
]


def _data(nd, dtype, seed=0):
    rng = np.random.default_rng(seed)
    spatial = (3, 4, 5) if nd == 3 else (4, 5)
    out = (2, 3, 4) if nd == 3 else (6, 7)
    x = rng.standard_normal((2, 3) + spatial).astype(dtype)
    # past [-1, 1] so every padding mode matters; exact corners and pixel centres included
    g = (rng.random((2,) + out + (nd,)) * 3 - 1.5).astype(dtype)
    g.reshape(-1)[:6] = [-1.0, 1.0, 0.5, -0.5, 0.0, 1.25]
    go = rng.standard_normal((2, 3) + out).astype(dtype)
    return x, g, go


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("nd", "mode", "pad", "align"), MODES)
def test_grid_sample_matches_torch(nd, mode, pad, align, dtype):
    torch = pytest.importorskip("torch")
    x, g, go = _data(nd, dtype)
    tx, tg = torch.tensor(x, requires_grad=True), torch.tensor(g, requires_grad=True)
    ref = torch.nn.functional.grid_sample(tx, tg, mode, pad, align)
    ref.backward(torch.tensor(go))
    nx, ng = numtorch.tensor(x, requires_grad=True), numtorch.tensor(g, requires_grad=True)
    out = grid_sample(nx, ng, mode, pad, align)
    out.backward(numtorch.tensor(go))
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), **tol)
    np.testing.assert_allclose(ng.grad.numpy(), tg.grad.numpy(), **tol)
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    assert out.dtype == getattr(numtorch, str(ref.dtype).split(".")[-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 6), (2, 3, 1, 5), (2, 3, 6, 1)])
@pytest.mark.parametrize("align", [False, True])
def test_affine_grid_matches_torch(size, align, dtype):
    torch = pytest.importorskip("torch")
    nd = len(size) - 2
    rng = np.random.default_rng(1)
    theta = rng.standard_normal((2, nd, nd + 1)).astype(dtype)
    gout = rng.standard_normal((2,) + tuple(size[2:]) + (nd,)).astype(dtype)
    tt = torch.tensor(theta, requires_grad=True)
    nt = numtorch.tensor(theta, requires_grad=True)
    if align and min(size[2:]) == 1:
        with pytest.warns(UserWarning, match="unit-size grids"):
            ref = torch.nn.functional.affine_grid(tt, size, align)
        with pytest.warns(UserWarning, match="unit-size grids"):
            out = affine_grid(nt, size, align)
    else:
        ref = torch.nn.functional.affine_grid(tt, size, align)
        out = affine_grid(nt, size, align)
    ref.backward(torch.tensor(gout))
    out.backward(numtorch.tensor(gout))
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), **tol)
    np.testing.assert_allclose(nt.grad.numpy(), tt.grad.numpy(), **tol)
    assert type(out.grad_fn).__name__ == "AffineGridGeneratorBackward0"
    assert out.is_contiguous()


def test_spatial_transformer_pipeline_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    theta = (np.eye(2, 3) + 0.2 * rng.standard_normal((3, 2, 3))).astype(np.float32)
    tt, nt = torch.tensor(theta, requires_grad=True), numtorch.tensor(theta, requires_grad=True)
    tx, nx = torch.tensor(x, requires_grad=True), numtorch.tensor(x, requires_grad=True)
    F = torch.nn.functional
    ref = F.grid_sample(tx, F.affine_grid(tt, tx.size(), False), align_corners=False)
    out = grid_sample(nx, affine_grid(nt, nx.size(), False), align_corners=False)
    (ref**2).sum().backward()
    (out**2).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(nt.grad.numpy(), tt.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(nx.grad.numpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-5)


def _outcome(fn):
    try:
        return "ok", tuple(fn().shape)
    except Exception as e:  # the error itself is what is compared
        # numtorch's Size and dtype reprs name their own package
        return type(e).__name__, str(e).replace("numtorch.", "torch.")


def test_errors_match_torch():
    torch = pytest.importorskip("torch")
    x, g, _ = _data(2, np.float32)
    x5, g5, _ = _data(3, np.float32)
    th = np.zeros((2, 2, 3), np.float32)
    cases = [
        lambda m, a, b: m.grid_sample(a(x), a(g), mode="foo", align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g), padding_mode="foo", align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g).double(), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x).double(), a(g), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x)[:1], a(g), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g)[..., :1], align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g)[0], align_corners=False),
        lambda m, a, b: m.grid_sample(a(x)[:, :, :0], a(g), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x)[:, :0], a(g), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g)[:, :0], align_corners=False),
        lambda m, a, b: m.grid_sample(a(x)[:0], a(g)[:0], align_corners=False),
        lambda m, a, b: m.grid_sample(a(x).long(), a(g).long(), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x5), a(g5), mode="bicubic", align_corners=False),
        lambda m, a, b: m.grid_sample(a(x5), a(g), align_corners=False),
        lambda m, a, b: m.grid_sample(a(x), a(g5), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th), (2, 3, 0, 5), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th), (2, 3, 4, 5, 6), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th), (2, 3, 4), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th).long(), (2, 3, 4, 5), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th), (3, 3, 4, 5), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th)[0], (2, 3, 4, 5), align_corners=False),
        lambda m, a, b: m.affine_grid(a(th), (2, 3, 4, 5.0), align_corners=False),
    ]
    import numtorch.nn._functional_vision as mine

    for case in cases:
        want = _outcome(lambda case=case: case(torch.nn.functional, torch.tensor, torch))
        got = _outcome(lambda case=case: case(mine, numtorch.tensor, numtorch))
        assert got == want


def test_default_align_corners_warns_as_torch():
    torch = pytest.importorskip("torch")
    x, g, _ = _data(2, np.float32)
    th = np.eye(2, 3, dtype=np.float32)[None]
    with pytest.warns(UserWarning) as ref:
        torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g))
        torch.nn.functional.affine_grid(torch.tensor(th), (1, 1, 2, 2))
    with pytest.warns(UserWarning) as got:
        out = grid_sample(numtorch.tensor(x), numtorch.tensor(g))
        affine_grid(numtorch.tensor(th), (1, 1, 2, 2))
    assert [str(w.message) for w in got] == [str(w.message) for w in ref]
    assert got[0].filename == __file__  # the warning points at the caller
    expected = grid_sample(numtorch.tensor(x), numtorch.tensor(g), align_corners=False)
    assert numtorch.equal(out, expected)


# -- torch-free -------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("pad", ["zeros", "border", "reflection"])
def test_identity_theta_reproduces_input(mode, pad):
    x = numtorch.randn(2, 3, 5, 7, dtype=numtorch.float64)
    theta = numtorch.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]] * 2, dtype=numtorch.float64)
    grid = affine_grid(theta, x.shape, align_corners=True)
    out = grid_sample(x, grid, mode=mode, padding_mode=pad, align_corners=True)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-12)


def test_identity_theta_3d_reproduces_input():
    x = numtorch.randn(1, 2, 3, 4, 5, dtype=numtorch.float64)
    theta = numtorch.eye(3, 4, dtype=numtorch.float64).unsqueeze(0)
    grid = affine_grid(theta, x.shape, align_corners=False)
    out = grid_sample(x, grid, align_corners=False)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-12)


@pytest.mark.parametrize(("nd", "mode"), [(2, "bilinear"), (2, "bicubic"), (3, "bilinear")])
@pytest.mark.parametrize("pad", ["zeros", "border", "reflection"])
def test_gradcheck_input_and_grid(nd, mode, pad):
    rng = np.random.default_rng(3)
    spatial = (3, 3, 4) if nd == 3 else (4, 5)
    x = numtorch.tensor(rng.standard_normal((2, 2) + spatial), requires_grad=True)
    # away from pixel edges and borders, where the sampling is not differentiable
    g = rng.random((2,) + (3, 2, 2)[:nd] + (nd,)) * 1.6 - 0.8
    grid = numtorch.tensor(g, requires_grad=True)
    assert numtorch.autograd.gradcheck(
        lambda a, b: grid_sample(a, b, mode, pad, align_corners=False), (x, grid)
    )


def test_gradcheck_affine_grid_theta():
    theta = numtorch.randn(2, 2, 3, dtype=numtorch.float64, requires_grad=True)
    assert numtorch.autograd.gradcheck(lambda t: affine_grid(t, (2, 1, 3, 4), False), (theta,))
    assert numtorch.autograd.gradgradcheck(lambda t: affine_grid(t, (2, 1, 3, 4), True), (theta,))


def test_nearest_rounds_half_to_even():
    x = numtorch.arange(4.0).view(1, 1, 1, 4)
    # with align_corners=True x = 0.5 and 1.5 sit halfway: even neighbours 0 and 2 win
    grid = numtorch.tensor([[[[-2 / 3, 0.0], [0.0, 0.0]]]])
    out = grid_sample(x, grid, mode="nearest", align_corners=True)
    assert out.flatten().tolist() == [0.0, 2.0]


def test_double_backward_through_grad_output():
    x = numtorch.randn(1, 2, 4, 4, dtype=numtorch.float64)
    grid = numtorch.rand(1, 3, 3, 2, dtype=numtorch.float64) * 2 - 1
    go = numtorch.randn(1, 2, 3, 3, dtype=numtorch.float64, requires_grad=True)
    x.requires_grad_()
    out = grid_sample(x, grid, align_corners=False)
    (gx,) = numtorch.autograd.grad(out, x, go, create_graph=True)
    assert type(gx.grad_fn).__name__ == "GridSampler2DBackwardBackward0"
    v = numtorch.randn(gx.shape, dtype=numtorch.float64)
    (ggo,) = numtorch.autograd.grad((gx * v).sum(), go)
    np.testing.assert_allclose(ggo.numpy(), grid_sample(v, grid, align_corners=False).numpy())
