"""numtorch.linalg beyond the op table: PyTorch's error texts, named tuples, gradients at
degenerate points (singular matrices, repeated singular values) and the backward errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
import numtorch.linalg as LA
from numtorch.ops import linalg as impl

torch = pytest.importorskip("torch")


def _both(fn, *arrays, **kw):
    """fn on numtorch and on torch: (numtorch result, torch result) or both exceptions."""
    out = []
    for T in (numtorch, torch):
        ins = [T.tensor(a) for a in arrays]
        try:
            out.append(fn(T, *ins, **kw))
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            out.append(e)
    return out


def _raises_same(fn, *arrays):
    n, t = _both(fn, *arrays)
    assert isinstance(t, Exception), t
    assert isinstance(n, Exception), n
    assert str(n) == str(t)
    assert isinstance(n, RuntimeError) == isinstance(t, RuntimeError)
    assert isinstance(n, NotImplementedError) == isinstance(t, NotImplementedError)


def _lin(T):
    return T.linalg


def _top(T, name):
    return (
        getattr(
            impl, {"det": "_det_top", "svd": "_svd_top", "slogdet": "_slogdet_top"}.get(name, name)
        )
        if T is numtorch
        else getattr(T, name)
    )


SING = np.array([[1.0, 2.0], [2.0, 4.0]])
NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
I64 = np.ones((3, 3), dtype=np.int64)

ERROR_CASES = [
    (lambda T, x: T.linalg.inv(x), [SING]),
    (lambda T, x: T.linalg.inv(x), [np.stack([np.eye(2), SING])]),
    (lambda T, x: T.linalg.inv(x), [np.ones((2, 3))]),
    (lambda T, x: T.linalg.inv(x), [np.ones(3)]),
    (lambda T, x: T.linalg.inv(x), [I64]),
    (lambda T, x: T.linalg.det(x), [np.ones((2, 3))]),
    (lambda T, x: T.linalg.slogdet(x), [np.ones((2, 3))]),
    (lambda T, x: _top(T, "logdet")(x), [I64]),
    (lambda T, x: T.linalg.cholesky(x), [NOT_PD]),
    (lambda T, x: T.linalg.cholesky(x), [np.stack([np.eye(2), NOT_PD])]),
    (lambda T, x: T.linalg.cholesky(x), [-np.eye(2)]),
    (lambda T, x: T.linalg.cholesky(x), [I64]),
    (lambda T, a, b: T.linalg.solve(a, b), [SING, np.ones(2)]),
    (lambda T, a, b: T.linalg.solve(a, b), [np.stack([np.eye(2), SING]), np.ones((2, 2))]),
    (lambda T, a, b: T.linalg.solve(a, b), [np.eye(2), np.ones(3)]),
    (lambda T, a, b: T.linalg.solve(a, b), [np.eye(2), np.ones((3, 2))]),
    (lambda T, a, b: T.linalg.solve(a, b, left=False), [np.eye(2), np.ones((3, 3))]),
    (lambda T, a, b: T.linalg.solve(a, b), [np.eye(2, dtype=np.float32), np.ones(2)]),
    (lambda T, a, b: T.linalg.solve_triangular(a, b, upper=True), [np.eye(2), np.ones(2)]),
    (lambda T, x: T.linalg.qr(x, mode="foo"), [np.eye(2)]),
    (lambda T, x: T.linalg.eigh(x, UPLO="X"), [np.eye(2)]),
    (lambda T, x: T.linalg.eigh(x), [I64]),
    (lambda T, x: T.linalg.svd(x), [np.ones(3)]),
    (lambda T, x: T.linalg.pinv(x), [I64]),
    (lambda T, x: T.linalg.matrix_power(x, 2), [np.ones((2, 3))]),
    (lambda T, x: T.linalg.vector_norm(x), [I64]),
    (lambda T, x: T.linalg.vector_norm(x, math.inf), [np.ones(0)]),
    (lambda T, x: T.linalg.vector_norm(x, -1, dim=0), [np.ones((0, 3))]),
    (lambda T, x: T.linalg.matrix_norm(x, 3), [np.eye(2)]),
    (lambda T, x: T.linalg.matrix_norm(x, "foo"), [np.eye(2)]),
    (lambda T, x: T.linalg.matrix_norm(x), [np.ones(3)]),
    (lambda T, x: T.linalg.matrix_norm(x, dim=(1, -1)), [np.eye(2)]),
    (lambda T, x: T.linalg.norm(x, 2), [np.ones((2, 2, 2))]),
    (lambda T, x: T.linalg.norm(x, dim=(0, 1, 2)), [np.ones((2, 2, 2))]),
    (lambda T, x, y: T.linalg.cross(x, y), [np.ones((2, 2)), np.ones((2, 2))]),
    (lambda T, x, y: T.linalg.cross(x, y), [np.ones((2, 3)), np.ones(3)]),
    (lambda T, x, y: _top(T, "cdist")(x, y), [np.ones(3), np.ones(3)]),
    (lambda T, x, y: _top(T, "cdist")(x, y), [np.ones((3, 2)), np.ones((3, 3))]),
    (lambda T, x, y: _top(T, "cdist")(x, y, p=-1), [np.ones((3, 2)), np.ones((3, 2))]),
    (lambda T, x, y: _top(T, "cdist")(x, y, compute_mode="x"), [np.ones((3, 2))] * 2),
    (lambda T, x: _top(T, "einsum")("ij", x), [np.ones(3)]),
    (lambda T, x: _top(T, "einsum")("i,j", x), [np.ones(3)]),
    (lambda T, x: _top(T, "einsum")("i->ii", x), [np.ones(3)]),
    (lambda T, x: _top(T, "einsum")("i->j", x), [np.ones(3)]),
    (lambda T, x: _top(T, "einsum")("i1", x), [np.ones((2, 2))]),
    (lambda T, x: _top(T, "einsum")("ii", x), [np.ones((2, 3))]),
    (lambda T, x, y: _top(T, "einsum")("ij,jk", x, y), [np.ones((3, 2)), np.ones((4, 2))]),
    (lambda T, x, y: _top(T, "einsum")("i,i", x, y), [np.ones(2), np.ones(2, np.float32)]),
    (lambda T, x, y: _top(T, "tensordot")(x, y, dims=([0], [1])), [np.ones((3, 2))] * 2),
    (lambda T, x, y: _top(T, "tensordot")(x, y, dims=-1), [np.ones((3, 2))] * 2),
    (lambda T, x, y: _top(T, "tensordot")(x, y, dims=3), [np.ones((2, 2))] * 2),
    (lambda T, x, y: _top(T, "inner")(x, y), [np.ones((2, 3)), np.ones(2)]),
    (lambda T, x, y: _top(T, "outer")(x, y), [np.ones((2, 2)), np.ones(2)]),
    (lambda T, x, y: _top(T, "vdot")(x, y), [np.ones((2, 2)), np.ones(2)]),
    (lambda T, c, a, b: _top(T, "addmm")(c, a, b), [np.ones((2, 3)), np.eye(3), np.eye(3)]),
    (lambda T, c, a, b: _top(T, "addmm")(c, a, b), [np.ones((3, 3)), np.ones(3), np.eye(3)]),
    (lambda T, c, a, b: _top(T, "addmm")(c, a, b), [np.eye(3), np.ones((3, 2)), np.eye(3)]),
    (lambda T, c, a, v: _top(T, "addmv")(c, a, v), [np.ones(2), np.eye(3), np.ones(3)]),
    (
        lambda T, c, a, b: _top(T, "addbmm")(c, a, b),
        [np.eye(3), np.ones((2, 3, 3)), np.ones((3, 3, 3))],
    ),
    (
        lambda T, c, a, b: _top(T, "baddbmm")(c, a, b),
        [np.eye(3), np.ones((2, 3, 2)), np.ones((2, 3, 3))],
    ),
    (lambda T, x: _top(T, "trace")(x), [np.ones((2, 2, 2))]),
]


@pytest.mark.parametrize("case", range(len(ERROR_CASES)))
def test_error_texts(case):
    fn, arrays = ERROR_CASES[case]
    _raises_same(fn, *arrays)


def test_linalg_errors_are_linalg_errors():
    with pytest.raises(LA.LinAlgError):
        LA.inv(numtorch.tensor(SING))
    assert issubclass(LA.LinAlgError, RuntimeError)


def test_named_tuples():
    a = numtorch.tensor(np.random.default_rng(0).uniform(-1, 1, (4, 3)))
    assert LA.qr(a)._fields == ("Q", "R")
    assert LA.svd(a)._fields == ("U", "S", "Vh")
    assert LA.slogdet(a[:3])._fields == ("sign", "logabsdet")
    assert LA.eigh(a[:3] + a[:3].mT)._fields == ("eigenvalues", "eigenvectors")
    r = LA.lstsq(a, a[:, :2])
    assert r._fields == ("solution", "residuals", "rank", "singular_values")
    assert repr(LA.slogdet(numtorch.eye(2))).startswith("numtorch.return_types.linalg_slogdet(")


@pytest.mark.parametrize("driver", ["gels", "gelsy", "gelsd", "gelss"])
@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (2, 5, 3)])
def test_lstsq_fields_match_torch(driver, shape):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, shape)
    b = rng.uniform(-1, 1, shape[:-1] + (3,))
    n = LA.lstsq(numtorch.tensor(a), numtorch.tensor(b), driver=driver)
    t = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
    for x, y in zip(n, t, strict=True):
        assert tuple(x.shape) == tuple(y.shape)
        assert str(x.dtype).split(".")[-1] == str(y.dtype).split(".")[-1]
        np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-6, atol=1e-9)


def test_det_gradient_at_singular_matrix():
    """PyTorch: first-order gradient 0 (an LU solve of det * grad); with create_graph the
    cofactor matrix (through the SVD)."""
    a = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]])
    for create in (False, True):
        xn = numtorch.tensor(a, requires_grad=True)
        xt = torch.tensor(a, requires_grad=True)
        (gn,) = numtorch.autograd.grad(LA.det(xn), xn, create_graph=create)
        (gt,) = torch.autograd.grad(torch.linalg.det(xt), xt, create_graph=create)
        np.testing.assert_allclose(gn.detach().numpy(), gt.detach().numpy(), atol=1e-10)


def test_svd_repeated_singular_values_give_nonfinite_gradients():
    a = np.eye(3)
    xn = numtorch.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    (gn,) = numtorch.autograd.grad(LA.svd(xn).U.sum(), xn)
    (gt,) = torch.autograd.grad(torch.linalg.svd(xt).U.sum(), xt)
    assert not np.isfinite(gn.numpy()).all()
    np.testing.assert_array_equal(np.isfinite(gn.numpy()), np.isfinite(gt.numpy()))
    # the singular values alone stay differentiable
    (gs,) = numtorch.autograd.grad(LA.svdvals(xn).sum(), xn)
    np.testing.assert_allclose(gs.numpy(), np.eye(3))


def test_qr_backward_errors():
    x = numtorch.tensor(np.random.default_rng(2).uniform(-1, 1, (4, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="mode='r'"):
        LA.qr(x, mode="r").R.sum().backward()
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        LA.qr(x, mode="complete").Q.sum().backward()


def test_cross_without_dim_warns_and_picks_first_size_3():
    x = numtorch.tensor(np.random.default_rng(3).uniform(-1, 1, (3, 3)))
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        out = impl.cross(x, x.flip(0) if hasattr(x, "flip") else x * 2)
    assert tuple(out.shape) == (3, 3)


def test_matrix_rank_and_svd_legacy():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [0.0, 1.0]])
    assert LA.matrix_rank(numtorch.tensor(a)).item() == 2
    assert LA.matrix_rank(numtorch.tensor(a[:2])).item() == 1
    assert LA.matrix_rank(numtorch.tensor(a), atol=10.0).item() == 0
    u, s, v = impl._svd_top(numtorch.tensor(a))
    np.testing.assert_allclose(((u * s) @ v.mT).numpy(), a, atol=1e-12)
    u, s, v = impl._svd_top(numtorch.tensor(a), compute_uv=False)
    assert tuple(u.shape) == (3, 3) and not u.numpy().any()


def test_einsum_double_backward_and_create_graph():
    rng = np.random.default_rng(4)
    x = numtorch.tensor(rng.uniform(-1, 1, (3, 3)), requires_grad=True)
    y = impl.einsum("ij,jk,ki->", x, x, x)  # trace(x^3)
    (g,) = numtorch.autograd.grad(y, x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * (x.detach().numpy() @ x.detach().numpy()).T)
    (gg,) = numtorch.autograd.grad(g.sum(), x)
    xt = torch.tensor(x.detach().numpy(), requires_grad=True)
    (gt,) = torch.autograd.grad(torch.einsum("ij,jk,ki->", xt, xt, xt), xt, create_graph=True)
    (ggt,) = torch.autograd.grad(gt.sum(), xt)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy(), rtol=1e-10)
