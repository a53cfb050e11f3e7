"""torch.linalg's LU family, the _ex variants, cond, eig, vander, tensorinv/tensorsolve,
householder_product and the legacy top-level solvers: identities, gradients, and (where
torch is installed) PyTorch's values, pivots, error texts and return types."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.linalg as LA
from numtorch import _linalg_legacy as legacy
from numtorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def _rand(*shape, dtype=np.float64):
    a = RNG.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        a = a + 1j * RNG.standard_normal(shape)
    return a.astype(dtype)


# -- torch-free -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 4), (3, 5, 5), (6, 3), (3, 6), (2, 40, 40), (45, 37)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_lu_reconstructs(shape, dtype):
    a = _rand(*shape, dtype=dtype)
    P, L, U = LA.lu(numtorch.tensor(a))
    assert P.dtype == L.dtype == U.dtype == numtorch.tensor(a).dtype
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose((P @ L @ U).numpy(), a, atol=tol)
    LU, piv = LA.lu_factor(numtorch.tensor(a))
    assert piv.dtype == numtorch.int32 and piv.shape == shape[:-2] + (min(shape[-2:]),)
    P2, L2, U2 = legacy.lu_unpack(LU, piv)
    np.testing.assert_array_equal(P2.numpy(), P.numpy())
    np.testing.assert_allclose(L2.numpy(), L.numpy())
    if dtype != np.complex128:  # partial pivoting bounds the multipliers
        assert np.all(np.abs(L.numpy()) <= 1 + 1e-6)


def test_lu_factor_ex_reports_zero_pivot():
    res = LA.lu_factor_ex(numtorch.tensor([[1.0, 2.0], [2.0, 4.0]]))
    assert res.info.item() == 2 and res.pivots.tolist() == [2, 2]
    with pytest.raises(RuntimeError, match=r"U\[2,2\] is zero"):
        LA.lu_factor(numtorch.tensor([[1.0, 2.0], [2.0, 4.0]]))
    with pytest.raises(RuntimeError, match="LU without pivoting"):
        LA.lu_factor(numtorch.eye(2), pivot=False)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [True, False])
def test_lu_solve(left, adjoint):
    a, b = _rand(2, 4, 4), _rand(2, 4, 3) if left else _rand(2, 3, 4)
    LU, piv = LA.lu_factor(numtorch.tensor(a))
    x = LA.lu_solve(LU, piv, numtorch.tensor(b), left=left, adjoint=adjoint).numpy()
    op = np.conj(np.swapaxes(a, -1, -2)) if adjoint else a
    np.testing.assert_allclose(op @ x if left else x @ op, b, atol=1e-10)


def test_ex_variants_do_not_raise():
    sing = numtorch.tensor([[[1.0, 2.0], [2.0, 4.0]], [[2.0, 0.0], [0.0, 2.0]]])
    inv, info = LA.inv_ex(sing)
    assert info.tolist() == [2, 0] and inv[1].tolist() == [[0.5, 0.0], [0.0, 0.5]]
    res, info = LA.solve_ex(sing, numtorch.ones(2, 2))
    assert info.tolist() == [2, 0] and res[1].tolist() == [0.5, 0.5]
    L, info = LA.cholesky_ex(sing)
    assert info.tolist() == [2, 0]
    with pytest.raises(numtorch.linalg.LinAlgError, match=r"\(Batch element 0\)"):
        LA.inv_ex(sing, check_errors=True)


def test_cond_eig_vander_tensor_functions():
    assert LA.cond(numtorch.tensor([[1.0, 0.0], [0.0, 4.0]])).item() == pytest.approx(4.0)
    assert LA.cond(numtorch.tensor([[1.0, 2.0], [2.0, 4.0]]), 1).item() == float("inf")
    a = _rand(3, 5, 5)
    w, v = LA.eig(numtorch.tensor(a))
    assert w.dtype == numtorch.complex128
    np.testing.assert_allclose(a @ v.numpy(), v.numpy() * w.numpy()[..., None, :], atol=1e-10)
    assert LA.eigvals(numtorch.tensor(a, dtype=numtorch.float32)).dtype == numtorch.complex64
    assert LA.vander(numtorch.tensor([2, 3]), N=3).tolist() == [[1, 2, 4], [1, 3, 9]]
    t = numtorch.tensor(_rand(4, 6, 8, 3))
    np.testing.assert_allclose(
        numtorch.tensordot(LA.tensorinv(t, ind=2), t, 2).numpy(),
        np.eye(24).reshape(8, 3, 8, 3),
        atol=1e-9,
    )
    a6, b = numtorch.tensor(_rand(2, 3, 6)), numtorch.tensor(_rand(2, 3))
    x = LA.tensorsolve(a6, b)
    np.testing.assert_allclose(numtorch.tensordot(a6, x, 1).numpy(), b.numpy(), atol=1e-10)
    assert LA.matrix_exp is numtorch.matrix_exp


def test_householder_product_is_orthonormal():
    a = _rand(5, 3)
    v = np.tril(a, -1) + np.eye(5, 3)
    tau = 2 / (v * v).sum(0)  # makes every reflector orthogonal
    q = LA.householder_product(numtorch.tensor(a), numtorch.tensor(tau))
    np.testing.assert_allclose((q.mT @ q).numpy(), np.eye(3), atol=1e-10)


def test_cholesky_solve_and_inverse():
    a = _rand(4, 4)
    s = a @ a.T + 4 * np.eye(4)
    low = numtorch.tensor(np.linalg.cholesky(s))
    b = _rand(4, 2)
    for upper, f in ((False, low), (True, low.mH)):
        x = legacy.cholesky_solve(numtorch.tensor(b), f, upper)
        np.testing.assert_allclose(s @ x.numpy(), b, atol=1e-10)
        np.testing.assert_allclose(legacy.cholesky_inverse(f, upper).numpy(), np.linalg.inv(s))


def test_gradients():
    a, w, t, b = _rand(4, 4), _rand(3, 5), _rand(5, 3), _rand(4, 2)

    def check(fn, *arrays):
        assert gradcheck(fn, [numtorch.tensor(x, requires_grad=True) for x in arrays])

    for m in (a, w, t):
        check(lambda x: LA.lu_factor(x).LU, m)
        check(lambda x: tuple(LA.lu(x))[1:], m)
        check(lambda x: LA.lu(x).L, m)
    LU, piv = LA.lu_factor(numtorch.tensor(a))
    check(lambda lu, y: LA.lu_solve(lu, piv, y, adjoint=True), LU.numpy(), b)
    check(lambda x: LA.eig(x).eigenvectors.abs(), a)
    check(lambda x: LA.eigvals(x).real, a)
    check(lambda x: (LA.cond(x), LA.cond(x, "nuc")), a)
    check(lambda x: LA.cholesky_ex(x @ x.mT + numtorch.eye(4)).L, a)
    check(lambda x, y: (LA.inv_ex(x).inverse, LA.solve_ex(x, y).result), a, b)
    check(lambda x, y: LA.householder_product(x, y), t, _rand(3))
    s = np.linalg.cholesky(a @ a.T + 4 * np.eye(4))
    check(lambda x, y: legacy.cholesky_solve(y, x), s, b)


# -- against PyTorch --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 5), (3, 6, 6), (7, 4), (4, 7), (2, 70, 70)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64])
def test_lu_factor_matches_torch(shape, dtype):
    torch = pytest.importorskip("torch")
    a = _rand(*shape, dtype=dtype)
    n, t = LA.lu_factor_ex(numtorch.tensor(a)), torch.linalg.lu_factor_ex(torch.tensor(a))
    np.testing.assert_array_equal(n.pivots.numpy(), t.pivots.numpy())
    tol = 1e-3 if np.dtype(dtype).itemsize <= 8 and dtype != np.float64 else 1e-9
    np.testing.assert_allclose(n.LU.numpy(), t.LU.numpy(), atol=tol, rtol=tol)
    assert str(n.LU.dtype).split(".")[1] == str(t.LU.dtype).split(".")[1]


def _same(fn):
    torch = pytest.importorskip("torch")
    out = []
    for T in (numtorch, torch):
        try:
            out.append(fn(T))
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            out.append(e)
    return out


@pytest.mark.parametrize(
    "fn",
    [
        lambda T: T.linalg.lu_factor(T.ones(3, 2, 2)),
        lambda T: T.linalg.lu_factor(T.ones(2)),
        lambda T: T.linalg.inv_ex(T.zeros(3, 2, 2), check_errors=True),
        lambda T: T.linalg.cholesky_ex(-T.eye(2).expand(2, 2, 2), check_errors=True),
        lambda T: T.linalg.solve_ex(T.zeros(2, 2), T.ones(2), check_errors=True),
        lambda T: T.linalg.cond(T.ones(2, 3), 1),
        lambda T: T.linalg.cond(T.ones(2, 2), 3),
        lambda T: T.linalg.vander(T.tensor([1.0]), N=1),
        lambda T: T.linalg.tensorinv(T.ones(2, 3), ind=1),
    ],
)
def test_errors_match_torch(fn):
    n, t = _same(fn)
    assert isinstance(n, Exception) and isinstance(t, Exception), (n, t)
    assert str(n) == str(t)


@pytest.mark.parametrize(
    "fn",
    [
        lambda T: T.linalg.inv_ex(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda T: T.linalg.cholesky_ex(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda T: T.linalg.lu(T.tensor([[1.0, 2.0, 0.5], [3.0, 4.0, 1.0]])),
        lambda T: T.linalg.eig(T.tensor([[1.0, 2.0], [2.0, 4.0]])),
        lambda T: T.linalg.eigvals(T.tensor([[0.0, 1.0], [-1.0, 0.0]])),
        lambda T: T.linalg.cond(T.tensor([[1.0, 2.0], [3.0, 4.0]]), "fro"),
        lambda T: T.linalg.vander(T.tensor([1, 2, 3])),
        lambda T: T.lu_unpack(*T.linalg.lu_factor(T.tensor([[1.0, 2.0], [3.0, 4.0]]))),
        lambda T: T.cholesky_inverse(T.tensor([[2.0, 0.0], [1.0, 1.0]])),
    ],
)
def test_prints_as_torch(fn):
    if not hasattr(numtorch, "lu_unpack"):  # before the lead wires _linalg_legacy in
        numtorch.lu_unpack = legacy.lu_unpack
        numtorch.cholesky_inverse = legacy.cholesky_inverse
    n, t = _same(fn)
    assert repr(n).replace("numtorch", "torch") == repr(t)


def test_gradients_match_torch():
    torch = pytest.importorskip("torch")
    a = _rand(4, 4)
    grads = []
    for T in (numtorch, torch):
        x = T.tensor(a, requires_grad=True)
        w, v = T.linalg.eig(x)
        P, L, U = T.linalg.lu(x)
        (w.abs().sum() + v.abs().sum() + L.sum() + U.sum() + T.linalg.cond(x)).backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(*grads, atol=1e-9)


def test_legacy_warn_once_and_match_torch():
    torch = pytest.importorskip("torch")
    legacy._WARNED.discard("qr")
    with pytest.warns(UserWarning, match="torch.qr is deprecated"):
        q = legacy.qr(numtorch.eye(2))
    assert type(q).__name__ == "qr"
    a = _rand(3, 3)
    with pytest.warns(UserWarning):
        tsol = torch.triangular_solve(torch.ones(3, 1, dtype=torch.float64), torch.tensor(a))
    legacy._WARNED.discard("triangular_solve")
    with pytest.warns(UserWarning, match="triangular_solve is deprecated"):
        nsol = legacy.triangular_solve(
            numtorch.ones(3, 1, dtype=numtorch.float64), numtorch.tensor(a)
        )
    np.testing.assert_allclose(nsol.solution.numpy(), tsol.solution.numpy())
    legacy._WARNED.discard("lu")
    with pytest.warns(UserWarning, match="torch.lu is deprecated"):
        res = legacy.lu(numtorch.tensor([[1.0, 2.0], [2.0, 4.0]]), get_infos=True)
    assert type(res).__name__ == "_lu_with_info" and res.info.item() == 2
