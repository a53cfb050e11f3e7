"""The rest of torch.linalg: LU (lu_factor, lu, lu_solve, lu_unpack), the ``_ex`` variants
that report failures in an ``info`` tensor, cond, eig/eigvals, vander, tensorinv/tensorsolve,
householder_product, and the Cholesky solvers behind torch.cholesky_solve/cholesky_inverse.

NumPy has no LU, so ``_lu_array`` is a right-looking blocked LU with partial pivoting that
picks pivots as LAPACK's getrf does (the first entry of largest ``|re| + |im|``), so the
1-based ``pivots`` equal PyTorch's. Whatever can be composed from differentiable ops is, so
gradients (and double gradients) come from those ops; LU and eig get their own backward,
PyTorch's formulas from FunctionsManual.cpp.
"""

from __future__ import annotations

import math

from .._tensor import make
from ..autograd.function import Op
from ..return_types import _structseq
from . import linalg as _la
from ._common import broadcast_error, shape_str, write_out, xp

linalg_lu_factor = _structseq("linalg_lu_factor", ("LU", "pivots"))
linalg_lu_factor_ex = _structseq("linalg_lu_factor_ex", ("LU", "pivots", "info"))
linalg_lu = _structseq("linalg_lu", ("P", "L", "U"))
lu_unpack_type = _structseq("lu_unpack", ("P", "L", "U"))
linalg_cholesky_ex = _structseq("linalg_cholesky_ex", ("L", "info"))
linalg_inv_ex = _structseq("linalg_inv_ex", ("inverse", "info"))
linalg_solve_ex = _structseq("linalg_solve_ex", ("result", "info"))
linalg_eig = _structseq("linalg_eig", ("eigenvalues", "eigenvectors"))

_BLOCK = 32


# -- LU with partial pivoting on raw arrays ---------------------------------------------------


def _magnitude(v):
    # LAPACK's i?amax compares |re| + |im| for complex entries, not the modulus
    return xp.abs(v.real) + xp.abs(v.imag) if v.dtype.kind == "c" else xp.abs(v)


def _lu_array(a):
    """(LU, 1-based int32 pivots, int32 info) of a batch of m x n matrices, as getrf."""
    batch, (m, n) = a.shape[:-2], a.shape[-2:]
    k = min(m, n)
    lu = xp.array(a.reshape((-1, m, n)), copy=True)
    nb = lu.shape[0]
    piv = xp.zeros((nb, k), dtype=xp.int32)
    info = xp.zeros(nb, dtype=xp.int32)
    rows = xp.arange(nb)
    for j0 in range(0, k, _BLOCK):
        j1 = min(j0 + _BLOCK, k)
        for j in range(j0, j1):
            p = j + xp.argmax(_magnitude(lu[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            top = lu[rows, j].copy()
            lu[rows, j] = lu[rows, p]
            lu[rows, p] = top
            d = lu[:, j, j]
            zero = d == 0
            info[(info == 0) & zero] = j + 1
            # a zero pivot means a zero column below it: LAPACK skips the scaling
            lu[:, j + 1 :, j] /= xp.where(zero, 1, d)[:, None]
            lu[:, j + 1 :, j + 1 : j1] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 : j1]
        if j1 < n:
            # U12 = L11^{-1} A12, then the trailing Schur complement in one product
            for i in range(j0 + 1, j1):
                lu[:, i, j1:] -= (lu[:, i, j0:i, None] * lu[:, j0:i, j1:]).sum(1)
            if j1 < m:
                lu[:, j1:, j1:] -= lu[:, j1:, j0:j1] @ lu[:, j0:j1, j1:]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _permutation(piv, m):
    """``perm`` with ``A[..., perm, :] = L U`` from getrf's sequential row swaps."""
    batch, k = piv.shape[:-1], piv.shape[-1]
    flat = piv.reshape((-1, k)).astype(xp.int64) - 1
    perm = xp.broadcast_to(xp.arange(m), (flat.shape[0], m)).copy()
    rows = xp.arange(flat.shape[0])
    for j in range(k):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(batch + (m,))


def _p_matrix(piv, m, dtype):
    """P of ``A = P L U``: ``P[perm[i], i] = 1``."""
    perm = _permutation(piv, m)
    eye = xp.eye(m, dtype=dtype)
    return xp.ascontiguousarray(xp.swapaxes(eye[perm], -1, -2))


def _unpack_arrays(lu):
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = xp.tril(lu[..., :, :k], -1) + xp.eye(m, k, dtype=lu.dtype)
    return low, xp.triu(lu[..., :k, :])


def _lu_solve_array(lu, piv, b):
    """``A X = B`` from getrf's output (inf/nan for a singular U, as getrs)."""
    perm = _permutation(piv, lu.shape[-1])
    batch = xp.broadcast_shapes(lu.shape[:-2], b.shape[:-2])
    perm = xp.broadcast_to(perm, batch + perm.shape[-1:])
    b = xp.take_along_axis(xp.broadcast_to(b, batch + b.shape[-2:]), perm[..., None], -2)
    with xp.errstate(divide="ignore", invalid="ignore", over="ignore"):
        y = _la._trisolve(lu, b, upper=False, unit=True)
        return _la._trisolve(lu, y, upper=True, unit=False)


def _lu_backward(gl, gu, p, low, up, pivot=True):
    """PyTorch's linalg_lu_backward: the gradient of A = P L U from those of L and U."""
    from .shape import cat

    solve_tri = _la.solve_triangular
    m, n = low.shape[-2], up.shape[-1]
    k = min(m, n)
    if m == n:
        ga = low.mH.matmul(gl).tril(-1) if gl is not None else None
        if gu is not None:
            t = gu.matmul(up.mH).triu()
            ga = t if ga is None else ga + t
        ga = solve_tri(up.mH, ga, upper=False, left=False)
        ga = solve_tri(low.mH, ga, upper=True, unitriangular=True)
    elif m < n:
        ga = low.mH.matmul(gl) if gl is not None else None
        if gu is not None:
            t = gu.triu().matmul(up.mH)
            ga = -t if ga is None else ga - t
        ga = solve_tri(up.narrow(-1, 0, k).mH, ga.tril(-1), upper=False, left=False)
        if gu is not None:
            ga = cat([ga + gu.narrow(-1, 0, k).triu(), gu.narrow(-1, k, n - k)], -1)
        ga = solve_tri(low.mH, ga, upper=True, unitriangular=True)
        if gu is None:
            ga = cat([ga, up.narrow(-1, k, n - k) * 0], -1)
    else:
        # A1 = L1 U, A2 = L2 U: gA1 = L1^{-H} (tril_{-1}(L1^H gL1) + triu(gU U^H - L2^H gL2))
        # U^{-H} and gA2 = gL2 U^{-H}
        l1, l2 = low.narrow(-2, 0, k), low.narrow(-2, k, m - k)
        mid = None
        if gl is not None:
            gl1, gl2 = gl.narrow(-2, 0, k), gl.narrow(-2, k, m - k)
            mid = l1.mH.matmul(gl1).tril(-1) - l2.mH.matmul(gl2).triu()
        if gu is not None:
            t = gu.matmul(up.mH).triu()
            mid = t if mid is None else mid + t
        ga = solve_tri(l1.mH, mid, upper=True, unitriangular=True)
        ga = cat([ga, gl2 if gl is not None else l2 * 0], -2)
        ga = solve_tri(up.mH, ga, upper=False, left=False)
    return p.matmul(ga) if pivot else ga


class LinalgLuFactorEx(Op):
    @staticmethod
    def forward(ctx, a):
        lu, piv, info = _lu_array(a)
        ctx.save_for_backward(lu, piv)
        return lu, piv, info

    @staticmethod
    def backward(ctx, grad, _g_piv=None, _g_info=None):
        lu, piv = ctx.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        low, up = (make(x) for x in _unpack_arrays(lu._data))
        p = make(_p_matrix(piv._data, m, lu._data.dtype))
        gl = grad.narrow(-1, 0, k).tril(-1)
        gu = grad.narrow(-2, 0, k).triu()
        return _lu_backward(gl, gu, p, low, up)


class LinalgLu(Op):
    @staticmethod
    def forward(ctx, a):
        lu, piv, _ = _lu_array(a)
        p = _p_matrix(piv, a.shape[-2], a.dtype)
        low, up = _unpack_arrays(lu)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(p, low, up)
        return p, low, up

    @staticmethod
    def backward(ctx, _gp, gl, gu):
        if gl is None and gu is None:
            return None
        p, low, up = ctx.saved_tensors
        return _lu_backward(gl, gu, p, low, up)


def _check_lu_input(fname, a, pivot):
    if a.ndim < 2:
        shown = "linalg.lu" if fname == "linalg.lu" else "torch.lu_factor"
        raise RuntimeError(
            f"{shown}: Expected tensor with 2 or more dimensions. Got size: "
            f"[{', '.join(map(str, a.shape))}] instead"
        )
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f"\"lu_cpu\" not implemented for '{_la._short(a.dtype)}'")
    if not pivot:
        raise RuntimeError(f"{fname}: LU without pivoting is not implemented on the CPU")


def _raise_lu(fname, info):
    bad = xp.flatnonzero(info.reshape(-1))
    if bad.size:
        i = int(bad[0])
        j = int(info.reshape(-1)[i])
        raise RuntimeError(
            f"torch.{fname}: {_la._batch_prefix(info.shape + (0, 0), i)}U[{j},{j}] is zero and "
            "using it on lu_solve would result in a division by zero. If you still want to "
            "perform the factorization, consider calling linalg.lu(A, pivot) or "
            "linalg.lu_factor_ex(A, pivot)"
        )


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    """Compact LU factorization with partial pivoting, plus LAPACK's ``info`` (the 1-based
    index of the first zero pivot, 0 when there is none), as torch.linalg.lu_factor_ex.

    >>> numtorch.linalg.lu_factor_ex(numtorch.tensor([[1., 2.], [3., 4.]])).pivots
    tensor([2, 2], dtype=numtorch.int32)
    """
    _check_lu_input("linalg.lu_factor_ex", A._data, pivot)
    lu, piv, info = LinalgLuFactorEx.apply(A)
    if check_errors:
        _raise_lu("linalg.lu_factor_ex", info._data)
    return _out_tuple(linalg_lu_factor_ex((lu, piv, info)), out)


def lu_factor(A, *, pivot=True, out=None):
    """Compact LU factorization ``A = P L U`` with partial pivoting: ``LU`` holds L (below
    the unit diagonal) and U; ``pivots`` are LAPACK's 1-based row swaps. Errors on a
    singular matrix (a zero pivot), as torch.linalg.lu_factor.

    >>> numtorch.linalg.lu_factor(numtorch.tensor([[1., 2.], [3., 4.]]))
    numtorch.return_types.linalg_lu_factor(
    LU=tensor([[3.0000, 4.0000],
            [0.3333, 0.6667]]),
    pivots=tensor([2, 2], dtype=numtorch.int32))
    """
    _check_lu_input("linalg.lu_factor", A._data, pivot)
    lu, piv, info = LinalgLuFactorEx.apply(A)
    _raise_lu("linalg.lu_factor", info._data)
    return _out_tuple(linalg_lu_factor((lu, piv)), out)


def lu(A, *, pivot=True, out=None):
    """``A = P L U`` with partial pivoting: P a permutation, L unit lower triangular (m x k),
    U upper triangular (k x n), k = min(m, n); as torch.linalg.lu.

    >>> numtorch.linalg.lu(numtorch.tensor([[1., 2.], [3., 4.]])).P
    tensor([[0., 1.],
            [1., 0.]])
    """
    _check_lu_input("linalg.lu", A._data, pivot)
    return _out_tuple(linalg_lu(LinalgLu.apply(A)), out)


def _out_tuple(result, out):
    if out is None:
        return result
    for o, r in zip(out, result, strict=True):
        write_out(o, r)
    return type(result)(tuple(out))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    """(P, L, U) from the output of lu_factor; differentiable in ``LU_data``.

    >>> P, L, U = numtorch.lu_unpack(*numtorch.linalg.lu_factor(numtorch.eye(2)))
    >>> U
    tensor([[1., 0.],
            [0., 1.]])
    """
    from .creation import empty, eye

    lu_, piv = LU_data._data, LU_pivots._data
    if lu_.ndim < 2:
        raise RuntimeError(
            "torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
            f"[{', '.join(map(str, lu_.shape))}] instead"
        )
    if piv.dtype != xp.int32:
        raise RuntimeError(
            "lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 dtype.\n"
            "Note: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )
    m, n = lu_.shape[-2:]
    k = min(m, n)
    dtype = LU_data.dtype
    if unpack_data:
        low = LU_data.narrow(-1, 0, k).tril(-1) + eye(m, k, dtype=dtype)
        up = LU_data.narrow(-2, 0, k).triu()
    else:
        low = up = empty(0, dtype=dtype)
    p = make(_p_matrix(piv, m, lu_.dtype)) if unpack_pivots else empty(0, dtype=dtype)
    return _out_tuple(lu_unpack_type((p, low, up)), out)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """The solution of ``A X = B`` (``X A = B`` when ``left=False``; A^H when ``adjoint``)
    from ``LU, pivots = lu_factor(A)``; differentiable in LU and B.

    >>> LU, piv = numtorch.linalg.lu_factor(numtorch.tensor([[2., 0.], [0., 4.]]))
    >>> numtorch.linalg.lu_solve(LU, piv, numtorch.tensor([[2.], [4.]]))
    tensor([[1.],
            [1.]])
    """
    lu_, b = LU._data, B._data
    _la._check_square("linalg.lu_solve", lu_, "LU")
    _la._check_matrix("linalg.lu_solve", b, "B")
    if lu_.dtype != b.dtype:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU and B to have the same dtype, but found LU of type "
            f"{_la._name(lu_.dtype)} and B of type {_la._name(b.dtype)} instead"
        )
    n = lu_.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(
            "linalg.lu_solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    if pivots._data.shape != lu_.shape[:-1]:
        raise RuntimeError(
            "linalg.lu_solve: Expected LU.shape[:-1] and pivots.shape to be the same, but got "
            f"pivots with shape {shape_str(pivots._data.shape)} instead"
        )
    p, low, up = lu_unpack(LU, pivots)
    st = _la.solve_triangular
    if left and not adjoint:  # U^{-1} L^{-1} P^T B
        x = st(up, st(low, p.mT.matmul(B), upper=False, unitriangular=True), upper=True)
    elif left:  # P L^{-H} U^{-H} B
        x = p.matmul(st(low.mH, st(up.mH, B, upper=False), upper=True, unitriangular=True))
    elif not adjoint:  # B U^{-1} L^{-1} P^T
        y = st(up, B, upper=True, left=False)
        x = st(low, y, upper=False, left=False, unitriangular=True).matmul(p.mT)
    else:  # B P L^{-H} U^{-H}
        y = st(low.mH, B.matmul(p), upper=True, left=False, unitriangular=True)
        x = st(up.mH, y, upper=False, left=False)
    return _la._out(x, out)


# -- the _ex variants -------------------------------------------------------------------------


def _potf2(a):
    """(partial L, info) of one matrix as LAPACK's unblocked potf2 leaves it on failure."""
    n = a.shape[-1]
    low = xp.tril(a).copy()
    for j in range(n):
        d = low[j, j] - xp.sum(low[j, :j] * xp.conj(low[j, :j]))
        if not d.real > 0:
            low[j, j] = d
            return low, j + 1
        low[j, j] = xp.sqrt(d.real)
        low[j + 1 :, j] = (low[j + 1 :, j] - low[j + 1 :, :j] @ xp.conj(low[j, :j])) / low[j, j]
    return low, 0


class LinalgCholeskyEx(_la.LinalgCholeskyEx):
    @staticmethod
    def forward(ctx, a, upper):
        ctx.upper = upper
        batch, n = a.shape[:-2], a.shape[-1]
        info = xp.zeros(batch, dtype=xp.int32)
        try:
            low = xp.linalg.cholesky(a) if a.size else a.copy()
        except xp.linalg.LinAlgError:
            flat = a.reshape((-1, n, n))
            parts, infos = [], info.reshape(-1)
            for i, m in enumerate(flat):
                try:
                    parts.append(xp.linalg.cholesky(m))
                except xp.linalg.LinAlgError:
                    part, infos[i] = _potf2(m)
                    parts.append(part)
            low = xp.stack(parts).reshape(a.shape).astype(a.dtype, copy=False)
        out = xp.ascontiguousarray(xp.conj(xp.swapaxes(low, -1, -2))) if upper else low
        ctx.save_for_backward(out)
        return out, info

    @staticmethod
    def backward(ctx, grad, _g_info=None):
        return _la.LinalgCholeskyEx.backward(ctx, grad)


def _raise_info(fname, info, message):
    bad = xp.flatnonzero(info.reshape(-1))
    if bad.size:
        i = int(bad[0])
        prefix = _la._batch_prefix(info.shape + (0, 0), i)
        raise _la.LinAlgError(f"{fname}: {prefix}{message(int(info.reshape(-1)[i]))}")


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """Cholesky factor and LAPACK's ``info`` (the order of the first leading minor that is not
    positive-definite, 0 on success), as torch.linalg.cholesky_ex.

    >>> numtorch.linalg.cholesky_ex(numtorch.tensor([[4., 2.], [2., 2.]])).info
    tensor(0, dtype=numtorch.int32)
    """
    _la._square_float("linalg.cholesky_ex", A._data)
    low, info = LinalgCholeskyEx.apply(A, upper)
    if check_errors:
        _raise_info(
            "linalg.cholesky_ex",
            info._data,
            lambda j: (
                "The factorization could not be completed because the input is not "
                f"positive-definite (the leading minor of order {j} is not positive-definite)."
            ),
        )
    return _out_tuple(linalg_cholesky_ex((low, info)), out)


class LinalgInvEx(_la.LinalgInvEx):
    @staticmethod
    def forward(ctx, a):
        info = xp.zeros(a.shape[:-2], dtype=xp.int32)
        try:
            out = xp.linalg.inv(a) if a.size else a.copy()
        except xp.linalg.LinAlgError:
            lu_, piv, info = _lu_array(a)
            eye = xp.eye(a.shape[-1], dtype=a.dtype)
            out = _lu_solve_array(lu_, piv, eye).astype(a.dtype, copy=False)
        ctx.save_for_backward(out)
        return out, info

    @staticmethod
    def backward(ctx, grad, _g_info=None):
        return _la.LinalgInvEx.backward(ctx, grad)


def inv_ex(A, *, check_errors=False, out=None):
    """Inverse and LAPACK's ``info`` (the first zero pivot of the LU, 0 when invertible);
    a singular matrix gives inf/nan entries instead of an error, as torch.linalg.inv_ex.

    >>> numtorch.linalg.inv_ex(numtorch.tensor([[2., 0.], [0., 4.]])).info
    tensor(0, dtype=numtorch.int32)
    """
    _la._square_float("linalg.inv_ex", A._data)
    inverse, info = LinalgInvEx.apply(A)
    if check_errors:
        _raise_info(
            "linalg.inv_ex",
            info._data,
            lambda j: (
                f"The diagonal element {j} is zero, the inversion could not be completed "
                "because the input matrix is singular."
            ),
        )
    return _out_tuple(linalg_inv_ex((inverse, info)), out)


def _check_solve(fname, a, b, left):
    """linalg.solve's argument checks, under ``fname``."""
    _la._check_square(fname, a)
    _la._check_float(fname, a)
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{fname}: Expected A and B to have the same dtype, but found A of type "
            f"{_la._name(a.dtype)} and B of type {_la._name(b.dtype)} instead"
        )
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if left else b.shape[-1])
    if b.ndim == 0 or rows != n:
        shown = f"{b.shape[-1]}x1" if vector or b.ndim < 2 else f"{b.shape[-2]}x{b.shape[-1]}"
        raise RuntimeError(
            f"{fname}: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})"
        )
    b_batch = b.shape[:-1] if vector else b.shape[:-2]
    try:
        xp.broadcast_shapes(a.shape[:-2], b_batch)
    except ValueError:
        raise broadcast_error(a.shape[:-2], b_batch) from None


class LinalgSolveEx(_la.LinalgSolveEx):
    @staticmethod
    def forward(ctx, a, b, left, vector):
        ctx.left, ctx.vector = left, vector
        lhs = a if left else xp.swapaxes(a, -1, -2)
        rhs = b[..., None] if vector else (b if left else xp.swapaxes(b, -1, -2))
        info = xp.zeros(a.shape[:-2], dtype=xp.int32)
        try:
            out = xp.linalg.solve(lhs, rhs)
        except xp.linalg.LinAlgError:
            lu_, piv, info = _lu_array(lhs)
            out = _lu_solve_array(lu_, piv, rhs).astype(a.dtype, copy=False)
        out = out[..., 0] if vector else (out if left else xp.swapaxes(out, -1, -2))
        out = xp.ascontiguousarray(out)
        ctx.save_for_backward(a, out)
        return out, info

    @staticmethod
    def backward(ctx, grad, _g_info=None):
        return _la.LinalgSolveEx.backward(ctx, grad)


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """:func:`numtorch.linalg.solve` plus LAPACK's ``info`` (0 when A is invertible); a
    singular A gives inf/nan instead of an error, as torch.linalg.solve_ex.

    >>> numtorch.linalg.solve_ex(numtorch.eye(2) * 2, numtorch.ones(2)).result
    tensor([0.5000, 0.5000])
    """
    a, b = A._data, B._data
    _check_solve("linalg.solve", a, b, left)
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    result, info = LinalgSolveEx.apply(A, B, left, vector)
    if check_errors:
        _raise_info(
            "torch.linalg.solve_ex",
            info._data,
            lambda _j: "The solver failed because the input matrix is singular.",
        )
    return _out_tuple(linalg_solve_ex((result, info)), out)


# -- cond, eig --------------------------------------------------------------------------------

_COND_NORMS = ("fro", "nuc", math.inf, -math.inf, 1, -1)


def cond(A, p=None, *, out=None):
    """Condition number of a (batch of) matrix in the norm ``p`` (None, 2, -2 from the
    singular values; 'fro', 'nuc', inf, -inf, 1, -1 as ``norm(A) * norm(inv(A))``, inf for a
    singular matrix), as torch.linalg.cond.

    >>> numtorch.linalg.cond(numtorch.tensor([[1., 0.], [0., 4.]]))
    tensor(4.)
    """
    from .elementwise import where

    a = A._data
    if p is not None and p not in (2, -2) + _COND_NORMS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _la._check_matrix("linalg.cond", a)
    _la._check_float("linalg.cond", a)
    if p is None or p in (2, -2):
        s = _la.svdvals(A)
        big, small = s.narrow(-1, 0, 1).squeeze(-1), s.narrow(-1, s.shape[-1] - 1, 1).squeeze(-1)
        return _la._out(small / big if p == -2 else big / small, out)
    if a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"linalg.cond(ord={p}): A must be batches of square matrices, but they are "
            f"{a.shape[-2]} by {a.shape[-1]} matrices"
        )
    inverse, info = inv_ex(A)
    with xp.errstate(invalid="ignore", over="ignore"):
        c = _la.matrix_norm(A, p) * _la.matrix_norm(inverse, p)
    return _la._out(where(info > 0, math.inf, c), out)


class LinalgEig(Op):
    @staticmethod
    def forward(ctx, a):
        cdtype = xp.complex64 if a.dtype in (xp.float32, xp.complex64) else xp.complex128
        if a.size:
            if not xp.isfinite(a).all():
                raise _la.LinAlgError(
                    "linalg.eig: The algorithm failed to converge because the input matrix "
                    "contained non-finite values."
                )
            w, v = xp.linalg.eig(a)
        else:
            w, v = xp.zeros(a.shape[:-1], cdtype), xp.zeros(a.shape, cdtype)
        w, v = w.astype(cdtype), xp.ascontiguousarray(v.astype(cdtype))
        ctx.set_materialize_grads(False)
        ctx.real_input = a.dtype.kind != "c"
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        # PyTorch's linalg_eig_backward: gA = V^{-H} (diag(gL) + (V^H gV - V^H V
        # diag(re(V^H gV))) / conj(L_j - L_i)) V^H, projected to the reals for a real A
        if gl is None and gv is None:
            return None
        w, v = ctx.saved_tensors
        vh = v.mH
        if gv is None:
            inner = gl.diag_embed()
        else:
            vhgv = vh.matmul(gv)
            diag = vhgv.diagonal(0, -2, -1)
            vhgv = vhgv - vh.matmul(v * diag.real.unsqueeze(-2))
            lc = w.conj()
            n = w.shape[-1]
            eye = make(xp.eye(n, dtype=bool))
            gap = lc.unsqueeze(-2) - lc.unsqueeze(-1)
            gap = gap.masked_fill(eye, 1)
            inner = vhgv / gap
            if gl is not None:
                inner = inner.masked_fill(eye, 0) + gl.diag_embed()
            else:
                inner = inner.masked_fill(eye, 0)
        ga = _la.solve(vh, inner.matmul(vh))
        return ga.real if ctx.real_input else ga


def eig(A, *, out=None):
    """Eigenvalues and eigenvectors (unit-norm columns) of a general square matrix, always
    complex, as torch.linalg.eig.

    >>> numtorch.linalg.eig(numtorch.tensor([[2., 0.], [0., 3.]])).eigenvalues
    tensor([2.+0.j, 3.+0.j])
    """
    _la._square_float("linalg.eig", A._data)
    return _out_tuple(linalg_eig(LinalgEig.apply(A)), out)


def eigvals(A, *, out=None):
    """The eigenvalues of a general square matrix (complex), as torch.linalg.eigvals.

    >>> numtorch.linalg.eigvals(numtorch.tensor([[0., 1.], [-1., 0.]]))
    tensor([0.+1.j, 0.-1.j])
    """
    _la._square_float("linalg.eigvals", A._data)
    return _la._out(LinalgEig.apply(A)[0], out)


# -- constructions composed from other ops ----------------------------------------------------


def vander(x, N=None):
    """Vandermonde matrix with increasing powers ``x^0 .. x^(N-1)`` along a new last dim,
    as torch.linalg.vander (torch.vander's powers decrease).

    >>> numtorch.linalg.vander(numtorch.tensor([1., 2., 3.]))
    tensor([[1., 1., 1.],
            [1., 2., 4.],
            [1., 3., 9.]])
    """
    from .shape import cat

    if x._data.dtype.kind not in "fciu":
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got "
            f"{_la._short(x._data.dtype)}"
        )
    x_ = x.unsqueeze(-1) if x.ndim == 0 else x
    shape = list(x_.shape)
    n = shape[-1] if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    powers = x_.unsqueeze(-1).expand(*shape, n - 1).cumprod(-1)
    return cat([powers.new_ones((*shape, 1)), powers], -1)


def tensorinv(A, ind=2, *, out=None):
    """The tensor inverse: ``tensordot(tensorinv(A, ind), A, ind)`` is the identity.

    >>> numtorch.linalg.tensorinv(numtorch.eye(4).reshape(4, 2, 2), ind=1).shape
    numtorch.Size([2, 2, 4])
    """
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    head, tail = shape[:ind], shape[ind:]
    rows, cols = math.prod(head), math.prod(tail)
    if rows != cols:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {cols} != {rows}"
        )
    inverse, info = inv_ex(A.reshape(rows, rows))
    if int(info._data):
        raise _la.LinAlgError(
            "linalg.tensorinv: Failed to invert the input tensor, because it is singular."
        )
    return _la._out(inverse.reshape(*tail, *head), out)


def tensorsolve(A, B, dims=None, *, out=None):
    """X with ``tensordot(A, X, X.ndim) == B``; ``dims`` of A move to the end first.

    >>> numtorch.linalg.tensorsolve(numtorch.eye(6).reshape(2, 3, 6), numtorch.ones(2, 3)).shape
    numtorch.Size([6])
    """
    if dims is not None:
        dims = [dims] if isinstance(dims, int) else list(dims)
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    shape = tuple(A.shape)
    result_shape = shape[B.ndim :]
    result_product = math.prod(result_shape)
    other = math.prod(shape[: B.ndim])
    if result_product != other:
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {result_product} != {other}"
        )
    x = _la.solve(A.reshape(other, result_product), B.reshape(other))
    return _la._out(x.reshape(result_shape), out)


def householder_product(A, tau, *, out=None):
    """The first n columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^H`` with the
    Householder vectors stored below A's diagonal (LAPACK's orgqr), as
    torch.linalg.householder_product.

    >>> numtorch.linalg.householder_product(numtorch.zeros(2, 2), numtorch.zeros(2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    from .creation import eye

    a, t = A._data, tau._data
    fname = "torch.linalg.householder_product"
    if a.ndim < 2:
        raise RuntimeError(f"{fname}: input must have at least 2 dimensions.")
    if t.ndim < 1:
        raise RuntimeError(f"{fname}: tau must have at least 1 dimension.")
    m, n = a.shape[-2:]
    if m < n:
        raise RuntimeError(
            f"{fname}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    k = t.shape[-1]
    if n < k:
        raise RuntimeError(
            f"{fname}: input.shape[-1] must be greater than or equal to tau.shape[-1]"
        )
    if a.ndim - t.ndim != 1:
        raise RuntimeError(
            f"{fname}: Expected tau to have one dimension less than input, but got "
            f"tau.ndim equal to {t.ndim} and input.ndim is equal to {a.ndim}"
        )
    if a.dtype != t.dtype:
        raise RuntimeError(
            f"{fname}: tau dtype {_la._name(t.dtype)} does not match input dtype "
            f"{_la._name(a.dtype)}"
        )
    # v_i: 1 on the diagonal, zeros above, A's column below; applied right to left on I[:, :n]
    vs = A.tril(-1) + eye(m, n, dtype=A.dtype)
    q = eye(m, n, dtype=A.dtype)
    if a.ndim > 2:
        q = q.expand(*a.shape[:-2], m, n)
    for i in range(k - 1, -1, -1):
        v = vs.narrow(-1, i, 1)
        q = q - tau.narrow(-1, i, 1).unsqueeze(-1) * v.matmul(v.mH.matmul(q))
    return _la._out(q, out)


# -- Cholesky solvers (torch.cholesky_solve / torch.cholesky_inverse) -------------------------


def cholesky_solve(B, L, upper=False, *, out=None):
    """The solution of ``A X = B`` for ``A = L L^H`` (``U^H U`` when ``upper``), given the
    Cholesky factor; differentiable in both.

    >>> numtorch.cholesky_solve(numtorch.ones(2, 1), numtorch.eye(2) * 2)
    tensor([[0.2500],
            [0.2500]])
    """
    b, c = B._data, L._data
    if b.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {b.ndim} dimensions instead"
        )
    if c.ndim < 2:
        raise RuntimeError(
            f"u should have at least 2 dimensions, but has {c.ndim} dimensions instead"
        )
    if b.dtype != c.dtype:
        raise RuntimeError(
            f"Expected b and A to have the same dtype, but found b of type "
            f"{_la._name(b.dtype)} and A of type {_la._name(c.dtype)} instead."
        )
    st = _la.solve_triangular
    if upper:
        x = st(L, st(L.mH, B, upper=False), upper=True)
    else:
        x = st(L.mH, st(L, B, upper=False), upper=True)
    return _la._out(x, out)


def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of ``A = L L^H`` (``U^H U`` when ``upper``) from its Cholesky factor.

    >>> numtorch.cholesky_inverse(numtorch.eye(2) * 2)
    tensor([[0.2500, 0.0000],
            [0.0000, 0.2500]])
    """
    from .creation import eye

    c = L._data
    if c.ndim < 2:
        raise RuntimeError(
            "cholesky_inverse: The input tensor input must have at least 2 dimensions."
        )
    _la._check_square("cholesky_inverse", c, "input")
    _la._check_float("cholesky_inverse", c)
    n = c.shape[-1]
    identity = eye(n, dtype=L.dtype).expand(*c.shape[:-2], n, n)
    x = cholesky_solve(identity, L, upper)
    return _la._out(x, out)
