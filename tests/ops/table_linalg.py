"""Op-table entries of the linear-algebra family (products, einsum, decompositions, norms).

Decompositions whose outputs are defined only up to sign (singular vectors, eigenvectors) are
checked through sign-invariant functions of them (``U @ Vh``, ``V * V``): LAPACK builds differ
in the signs they pick, and the gradient of such a function is what is well defined. Hermitian
inputs are built as ``x + x.mT`` (positive-definite: ``x @ x.mT + 3 I``), so finite differences
perturb the matrix and its transpose together, as in PyTorch's own OpInfos.
"""

from __future__ import annotations

import math

import numpy as np
from op_table import OPS, S, entry, nc, rand

import numtorch
import numtorch.linalg  # noqa: F401  (the namespace, before numtorch/__init__ exports it)
from numtorch.ops import linalg as _impl

# top-level names of this family, for numtorch before numtorch/__init__ exports them
_TOP = {"slogdet": "_slogdet_top", "det": "_det_top", "svd": "_svd_top", "norm": "norm_legacy"}


def _top(T, name):
    if T is numtorch:
        return getattr(_impl, _TOP.get(name, name))
    return getattr(T, name)


def _sym(x):
    return x + x.mT


def _spd(x):
    return x @ x.mT + 3 * _eye_of(x)


def _eye_of(x):
    n = x.shape[-1]
    return type(x)(np.eye(n)) if isinstance(x, np.ndarray) else _eye_t(x, n)


def _eye_t(x, n):
    mod = numtorch if isinstance(x, numtorch.Tensor) else __import__("torch")
    return mod.eye(n, dtype=x.dtype)


def _np_sym(x):
    return x + np.swapaxes(x, -1, -2)


def _np_spd(x):
    return x @ np.swapaxes(x, -1, -2) + 3 * np.eye(x.shape[-1])


def _wellcond(*shape):
    """Random square matrices kept away from singularity."""
    n = shape[-1]
    return rand(*shape) + 3 * np.eye(n)


# -- products ---------------------------------------------------------------------------------


def _matmul(name, sx, sy, node, layouts=("c", "c")):
    x, y = rand(*sx), rand(*sy)
    ins = [nc(v) if lay == "nc" else v for v, lay in zip((x, y), layouts, strict=True)]
    entry(f"matmul_{name}", lambda T, a, b: T.matmul(a, b), np.matmul, [S(*ins)], node, rtol=1e-6)


_FIRST = len(OPS)
_matmul("1d_4d", (3,), (2, 2, 3, 2), "UnsafeViewBackward0")
_matmul("4d_1d", (2, 1, 2, 3), (3,), "UnsafeViewBackward0")
_matmul("2d_3d_bcast1", (3, 4), (1, 4, 5), "CloneBackward0")
_matmul("3d_4d", (2, 2, 3), (2, 1, 3, 2), "UnsafeViewBackward0")
_matmul("4d_4d_nc", (2, 1, 2, 3), (1, 2, 3, 2), "UnsafeViewBackward0", ("nc", "nc"))
_matmul("1d_1d_nc", (5,), (5,), "DotBackward0", ("nc", "nc"))

entry(
    "vdot",
    lambda T, x, y: _top(T, "vdot")(x, y),
    np.vdot,
    [S(rand(4), rand(4)), S(nc(rand(3)), rand(3))],
    "VdotBackward0",
    rtol=1e-6,
)
entry(
    "inner",
    lambda T, x, y: _top(T, "inner")(x, y),
    lambda x, y: np.asarray(np.inner(x, y)),
    [S(rand(3), rand(3)), S(rand(2, 3), rand(4, 3)), S(nc(rand(2, 3)), rand(3))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "inner_0d",
    lambda T, x, y: _top(T, "inner")(x, y),
    lambda x, y: np.asarray(np.inner(x, y)),
    [S(rand(), rand(3))],
    "MulBackward0",
)
entry(
    "outer",
    lambda T, x, y: _top(T, "outer")(x, y),
    np.outer,
    [S(rand(3), rand(4)), S(nc(rand(3)), rand(2))],
    "MulBackward0",
)
entry(
    "ger",
    lambda T, x, y: x.ger(y),
    np.outer,
    [S(rand(3), rand(2))],
    "MulBackward0",
)
entry(
    "addmm",
    lambda T, c, a, b: _top(T, "addmm")(c, a, b),
    lambda c, a, b: c + a @ b,
    [S(rand(3, 2), rand(3, 4), rand(4, 2)), S(rand(2), nc(rand(3, 4)), rand(4, 2))],
    "AddmmBackward0",
    rtol=1e-6,
)
entry(
    "addmm_beta_alpha",
    lambda T, c, a, b: _top(T, "addmm")(c, a, b, beta=0.5, alpha=-2.0),
    lambda c, a, b: 0.5 * c + -2.0 * (a @ b),
    [S(rand(3, 2), rand(3, 4), rand(4, 2)), S(rand(1, 2), rand(3, 4), nc(rand(4, 2)))],
    "AddmmBackward0",
    rtol=1e-6,
)
entry(
    "addmm_beta0_nan",
    lambda T, c, a, b: _top(T, "addmm")(c, a, b, beta=0),
    lambda c, a, b: a @ b,
    [S(np.full((3, 2), np.nan), rand(3, 4), rand(4, 2))],
    "AddmmBackward0",
    rtol=1e-6,
    gradcheck=False,
)
entry(
    "addmv",
    lambda T, c, a, v: _top(T, "addmv")(c, a, v, beta=2.0, alpha=0.5),
    lambda c, a, v: 2.0 * c + 0.5 * (a @ v),
    [S(rand(3), rand(3, 4), rand(4)), S(rand(1), nc(rand(3, 4)), nc(rand(4)))],
    "AddmvBackward0",
    rtol=1e-6,
)
entry(
    "addbmm",
    lambda T, c, a, b: _top(T, "addbmm")(c, a, b, beta=0.5, alpha=1.5),
    lambda c, a, b: 0.5 * c + 1.5 * (a @ b).sum(0),
    [S(rand(3, 2), rand(2, 3, 4), rand(2, 4, 2)), S(rand(2), nc(rand(2, 3, 4)), rand(2, 4, 2))],
    "AddbmmBackward0",
    rtol=1e-6,
)
entry(
    "baddbmm",
    lambda T, c, a, b: _top(T, "baddbmm")(c, a, b, beta=-1.0, alpha=2.0),
    lambda c, a, b: -1.0 * c + 2.0 * (a @ b),
    [
        S(rand(2, 3, 2), rand(2, 3, 4), rand(2, 4, 2)),
        S(rand(3, 1), rand(2, 3, 4), nc(rand(2, 4, 2))),
    ],
    "BaddbmmBackward0",
    rtol=1e-6,
)
entry(
    "addmm_int",
    lambda T, c, a, b: _top(T, "addmm")(c, a, b, beta=2, alpha=3),
    lambda c, a, b: 2 * c + 3 * (a @ b),
    [S(np.arange(6).reshape(3, 2), np.arange(12).reshape(3, 4), np.arange(8).reshape(4, 2))],
    None,
)
entry(
    "tensordot",
    lambda T, x, y: _top(T, "tensordot")(x, y, dims=2),
    lambda x, y: np.tensordot(x, y, 2),
    [S(rand(2, 3, 4), rand(3, 4, 2)), S(nc(rand(2, 3, 4)), rand(3, 4))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "tensordot_lists",
    lambda T, x, y: _top(T, "tensordot")(x, y, dims=([1, 0], [0, 1])),
    lambda x, y: np.tensordot(x, y, ([1, 0], [0, 1])),
    [S(rand(3, 4, 5), rand(4, 3, 2)), S(nc(rand(3, 2, 2)), rand(2, 3))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "tensordot_0",
    lambda T, x, y: _top(T, "tensordot")(x, y, dims=0),
    lambda x, y: np.tensordot(x, y, 0),
    [S(rand(3), rand(2, 2))],
    "ViewBackward0",
)
entry(
    "kron",
    lambda T, x, y: _top(T, "kron")(x, y),
    np.kron,
    [
        S(rand(2, 3), rand(3, 2)),
        S(rand(3), rand(2, 2, 2)),
        S(nc(rand(2, 2)), rand(2), xfail={"torch": "torch.kron raises on this strided input"}),
    ],
    "UnsafeViewBackward0",
)
entry(
    "kron_int_float",
    lambda T, x, y: _top(T, "kron")(x, y),
    lambda x, y: np.kron(x, y).astype(np.float32),
    [S(np.arange(4).reshape(2, 2), rand(2, dtype=np.float32))],
    "UnsafeViewBackward0",
)
entry(
    "trace",
    lambda T, x: _top(T, "trace")(x),
    lambda x: np.asarray(np.trace(x)),
    [S(rand(3, 3)), S(nc(rand(3, 4))), S(np.arange(9).reshape(3, 3))],
    "TraceBackward0",
)
entry(
    "linalg_cross",
    lambda T, x, y: T.linalg.cross(x, y),
    lambda x, y: np.cross(x, y),
    [S(rand(4, 3), rand(4, 3)), S(rand(2, 3), rand(1, 3)), S(nc(rand(3, 3)), rand(3, 3))],
    "LinalgCrossBackward0",
)
entry(
    "cross_dim",
    lambda T, x, y: _top(T, "cross")(x, y, dim=0),
    lambda x, y: np.cross(x, y, axis=0),
    [S(rand(3, 2), rand(3, 2)), S(np.arange(6).reshape(3, 2), np.arange(6).reshape(3, 2) % 4)],
    "LinalgCrossBackward0",
)


def _np_cdist(x1, x2, p):
    d = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return (d != 0).sum(-1).astype(x1.dtype)
    if math.isinf(p):
        return d.max(-1)
    return (d**p).sum(-1) ** (1 / p)


for _p, _samples in [
    (2.0, [S(rand(3, 2), rand(4, 2)), S(rand(2, 3, 2), nc(rand(4, 2)))]),
    (1.0, [S(rand(3, 2), rand(4, 2))]),
    (math.inf, [S(rand(3, 2), rand(4, 2))]),
    (0.0, [S(rand(3, 2), rand(4, 2))]),
    (3.0, [S(rand(3, 2), rand(2, 4, 2))]),
    (1.5, [S(rand(3, 2), rand(4, 2))]),
    (0.5, [S(rand(3, 2), rand(4, 2))]),
]:
    entry(
        f"cdist_p{_p}",
        lambda T, x, y, p=_p: _top(T, "cdist")(x, y, p=p),
        lambda x, y, p=_p: _np_cdist(x, y, p),
        _samples,
        "CdistBackward0",
        rtol=1e-6,
    )
entry(
    "cdist_mm",
    lambda T, x, y: _top(T, "cdist")(x, y, compute_mode="use_mm_for_euclid_dist"),
    lambda x, y: _np_cdist(x, y, 2),
    [S(rand(3, 2), rand(4, 2)), S(rand(2, 3, 2), rand(2, 4, 2))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "cdist_large_rows",
    lambda T, x, y: _top(T, "cdist")(x, y),
    lambda x, y: _np_cdist(x, y, 2),
    [S(rand(26, 2), rand(3, 2))],
    "ViewBackward0",
    rtol=1e-6,
    gradgrad=False,
)


# -- einsum -------------------------------------------------------------------------------------


def _einsum(name, eq, shapes, node, nc_first=False, ref=None):
    arrays = [rand(*s) for s in shapes]
    ins = [nc(arrays[0])] + arrays[1:] if nc_first else arrays
    entry(
        f"einsum_{name}",
        lambda T, *ops: _top(T, "einsum")(eq, *ops),
        ref or (lambda *ops: np.asarray(np.einsum(eq, *ops))),
        [S(*ins)],
        node,
        rtol=1e-6,
    )


_einsum("matmul", "ij,jk->ik", [(3, 4), (4, 2)], "ViewBackward0", nc_first=True)
_einsum("implicit", "ij,jk", [(3, 4), (4, 2)], "ViewBackward0")
_einsum("trace", "ii", [(3, 3)], "SumBackward1")
_einsum("diag", "ii->i", [(3, 3)], "PermuteBackward0")
_einsum("transpose", "ij->ji", [(3, 4)], "PermuteBackward0", nc_first=True)
_einsum("sum", "ijk->", [(2, 3, 4)], "SumBackward1")
_einsum("row_sum", "ij->i", [(3, 4)], "SumBackward1")
_einsum("dot", "i,i", [(4,), (4,)], "ViewBackward0")
_einsum("outer", "i,j->ij", [(3,), (2,)], "MulBackward0")
_einsum("hadamard", "ij,ij->ij", [(2, 3), (2, 3)], "MulBackward0")
_einsum("batch", "bij,bjk->bik", [(2, 3, 4), (2, 4, 2)], "ViewBackward0")
_einsum("ellipsis", "...ij,...jk", [(2, 3, 4), (4, 2)], "ViewBackward0")
_einsum("ellipsis_out", "...ij->...ji", [(2, 3, 4)], "PermuteBackward0")
_einsum(
    "ellipsis_sum",
    "...i,...i->",
    [(2, 3), (3,)],
    "ViewBackward0",
    ref=lambda x, y: np.asarray(np.einsum("...i,...i->...", x, y).sum()),
)
_einsum("three", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)], "ViewBackward0")
_einsum("diag_mix", "ii,ij->j", [(3, 3), (3, 2)], "ViewBackward0")
_einsum("repeated_3", "iij->ij", [(2, 2, 3)], "PermuteBackward0")
_einsum("bilinear", "bn,anm,bm->ba", [(2, 3), (4, 3, 2), (2, 2)], "ViewBackward0")
_einsum("uppercase", "Ab,bC->AC", [(2, 3), (3, 2)], "ViewBackward0")
_einsum(
    "broadcast_1",
    "ij,jk->ik",
    [(3, 1), (4, 2)],
    "ViewBackward0",
    ref=lambda x, y: x @ y.sum(0, keepdims=True),
)
entry(
    "einsum_sublist",
    lambda T, x, y: _top(T, "einsum")(x, [0, 1], y, [1, 2], [0, 2]),
    lambda x, y: np.einsum(x, [0, 1], y, [1, 2], [0, 2]),
    [S(rand(3, 2), rand(2, 4))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "einsum_list",
    lambda T, x, y: _top(T, "einsum")("ij,j", [x, y]),
    lambda x, y: np.einsum("ij,j", x, y),
    [S(rand(3, 2), rand(2))],
    "ViewBackward0",
    rtol=1e-6,
)


# -- inverse, determinants, solvers -------------------------------------------------------------

entry(
    "linalg_inv",
    lambda T, x: T.linalg.inv(x),
    np.linalg.inv,
    [S(_wellcond(3, 3)), S(nc(_wellcond(2, 3, 3))), S(rand(0, 0))],
    "LinalgInvExBackward0",
    rtol=1e-6,
)
entry(
    "inverse",
    lambda T, x: x.inverse(),
    np.linalg.inv,
    [S(_wellcond(3, 3))],
    "LinalgInvExBackward0",
    rtol=1e-6,
)
entry(
    "linalg_det",
    lambda T, x: T.linalg.det(x),
    lambda x: np.asarray(np.linalg.det(x)),
    [S(rand(3, 3)), S(nc(rand(2, 3, 3))), S(rand(1, 1))],
    "LinalgDetBackward0",
    rtol=1e-6,
)
entry(
    "det_singular",
    lambda T, x: _top(T, "det")(x),
    lambda x: np.asarray(np.linalg.det(x)),
    [S(np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, -1.0, 2.0]]))],
    "LinalgDetBackward0",
    atol=1e-12,
    gradcheck=False,  # PyTorch's first-order gradient here is 0 (see test_linalg_extra)
)
entry(
    "linalg_slogdet",
    lambda T, x: tuple(T.linalg.slogdet(x)),
    lambda x: tuple(np.linalg.slogdet(x)),
    [S(rand(3, 3)), S(nc(rand(2, 3, 3)))],
    "LinalgSlogdetBackward0",
    rtol=1e-6,
)
entry(
    "slogdet",
    lambda T, x: tuple(_top(T, "slogdet")(x)),
    lambda x: tuple(np.linalg.slogdet(x)),
    [S(rand(3, 3))],
    "LinalgSlogdetBackward0",
    rtol=1e-6,
)
entry(
    "logdet",
    lambda T, x: _top(T, "logdet")(x),
    lambda x: np.where(np.linalg.slogdet(x)[0] < 0, np.nan, np.linalg.slogdet(x)[1]),
    [S(_np_spd(rand(3, 3))), S(np.array([[0.0, 1.0], [1.0, 0.0]]))],
    "WhereBackward0",
    rtol=1e-6,
    gradcheck=False,
)
entry(
    "linalg_solve",
    lambda T, a, b: T.linalg.solve(a, b),
    np.linalg.solve,
    [
        S(_wellcond(3, 3), rand(3, 2)),
        S(nc(_wellcond(2, 3, 3)), rand(3, 1)),
        S(_wellcond(3, 3), rand(2, 3, 4)),
    ],
    "LinalgSolveExBackward0",
    rtol=1e-6,
)
entry(
    "linalg_solve_vector",
    lambda T, a, b: T.linalg.solve(a, b),
    lambda a, b: np.linalg.solve(a, b[..., None])[..., 0],
    [
        S(_wellcond(3, 3), rand(3)),
        S(_wellcond(2, 3, 3), rand(2, 3)),
        S(_wellcond(2, 3, 3), rand(3)),
    ],
    "LinalgSolveExBackward0",
    rtol=1e-6,
)
entry(
    "linalg_solve_right",
    lambda T, a, b: T.linalg.solve(a, b, left=False),
    lambda a, b: np.swapaxes(
        np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2
    ),
    [S(_wellcond(3, 3), rand(2, 3))],
    "LinalgSolveExBackward0",
    rtol=1e-6,
)


def _np_trisolve(a, b, upper, left=True, unit=False):
    a = np.triu(a) if upper else np.tril(a)
    if unit:
        a = a - np.diag(np.diagonal(a, 0, -2, -1)) * 0 if a.ndim == 2 else a
        idx = np.arange(a.shape[-1])
        a = a.copy()
        a[..., idx, idx] = 1
    if left:
        return np.linalg.solve(a, b)
    return np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)


entry(
    "solve_triangular",
    lambda T, a, b: T.linalg.solve_triangular(a, b, upper=True),
    lambda a, b: _np_trisolve(a, b, True),
    [S(_wellcond(3, 3), rand(3, 2)), S(nc(_wellcond(2, 3, 3)), rand(3, 1))],
    "LinalgSolveTriangularBackward0",
    rtol=1e-6,
)
entry(
    "solve_triangular_lower_right_unit",
    lambda T, a, b: T.linalg.solve_triangular(a, b, upper=False, left=False, unitriangular=True),
    lambda a, b: _np_trisolve(a, b, False, left=False, unit=True),
    [S(rand(3, 3), rand(2, 3))],
    "LinalgSolveTriangularBackward0",
    rtol=1e-6,
)


# -- factorizations -------------------------------------------------------------------------------

entry(
    "linalg_cholesky",
    lambda T, x: T.linalg.cholesky(_spd(x)),
    lambda x: np.linalg.cholesky(_np_spd(x)),
    [S(rand(3, 3)), S(rand(2, 3, 3))],
    "LinalgCholeskyExBackward0",
    rtol=1e-6,
)
entry(
    "linalg_cholesky_upper",
    lambda T, x: T.linalg.cholesky(_spd(x), upper=True),
    lambda x: np.swapaxes(np.linalg.cholesky(_np_spd(x)), -1, -2),
    [S(rand(3, 3))],
    "LinalgCholeskyExBackward0",
    rtol=1e-6,
)
entry(
    "linalg_qr",
    lambda T, x: tuple(T.linalg.qr(x)),
    lambda x: tuple(np.linalg.qr(x)),
    [S(rand(4, 3)), S(nc(rand(2, 3, 3))), S(rand(3, 5))],
    "LinalgQrBackward0",
    rtol=1e-6,
)
entry(
    "linalg_qr_complete",
    lambda T, x: tuple(T.linalg.qr(x, mode="complete")),
    lambda x: tuple(np.linalg.qr(x, mode="complete")),
    [S(rand(3, 4)), S(rand(3, 3))],
    "LinalgQrBackward0",
    rtol=1e-6,
)
entry(
    "linalg_qr_r",
    lambda T, x: T.linalg.qr(x, mode="r")[1],
    lambda x: np.linalg.qr(x, mode="r"),
    [S(rand(4, 3))],
    "LinalgQrBackward0",
    rtol=1e-6,
    gradcheck=False,
    xfail={"torch": "the gradient raises, as PyTorch's (tested in test_linalg_extra)"},
)


def _svd_parts(u, s, vh):
    """Sign-invariant pieces of an SVD: S, U @ Vh and U * U (each column's sign cancels)."""
    return s, u @ vh, u * u


def _np_svd(x, full=False):
    u, s, vh = np.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    return _svd_parts(u[..., :k], s, vh[..., :k, :])


def _svd_op(T, x, full=False):
    u, s, vh = T.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    return _svd_parts(u[..., :k], s, vh[..., :k, :])


entry(
    "linalg_svd",
    _svd_op,
    _np_svd,
    [S(rand(4, 3)), S(nc(rand(2, 3, 3))), S(rand(2, 4))],
    "LinalgSvdBackward0",
    rtol=1e-6,
)
entry(
    "linalg_svd_full",
    lambda T, x: _svd_op(T, x, full=True),
    lambda x: _np_svd(x, full=True),
    [S(rand(4, 3)), S(rand(2, 4))],
    "LinalgSvdBackward0",
    rtol=1e-6,
)
entry(
    "svd_legacy",
    lambda T, x: (lambda r: (r.S, r.U @ r.V.mT))(_top(T, "svd")(x)),
    lambda x: (lambda u, s, vh: (s, u @ vh))(*np.linalg.svd(x, full_matrices=False)),
    [S(rand(4, 3))],
    "LinalgSvdBackward0",
    rtol=1e-6,
)
entry(
    "linalg_svdvals",
    lambda T, x: T.linalg.svdvals(x),
    lambda x: np.linalg.svd(x, compute_uv=False),
    [S(rand(4, 3)), S(nc(rand(2, 3, 3)))],
    "LinalgSvdBackward0",
    rtol=1e-6,
)
entry(
    "linalg_eigh",
    lambda T, x: (lambda r: (r[0], r[1] * r[1]))(T.linalg.eigh(_sym(x))),
    lambda x: (lambda w, v: (w, v * v))(*np.linalg.eigh(_np_sym(x))),
    [S(rand(3, 3)), S(nc(rand(2, 3, 3)))],
    "LinalgEighBackward0",
    rtol=1e-6,
)
entry(
    "linalg_eigh_upper",
    lambda T, x: (lambda r: (r[0], r[1] * r[1]))(T.linalg.eigh(_sym(x), UPLO="U")),
    lambda x: (lambda w, v: (w, v * v))(*np.linalg.eigh(_np_sym(x), UPLO="U")),
    [S(rand(3, 3))],
    "LinalgEighBackward0",
    rtol=1e-6,
)
entry(
    "linalg_eigvalsh",
    lambda T, x: T.linalg.eigvalsh(_sym(x)),
    lambda x: np.linalg.eigvalsh(_np_sym(x)),
    [S(rand(3, 3)), S(rand(2, 4, 4))],
    "LinalgEighBackward0",
    rtol=1e-6,
)


# -- pseudo-inverse, least squares, powers ------------------------------------------------------

entry(
    "linalg_pinv",
    lambda T, x: T.linalg.pinv(x),
    np.linalg.pinv,
    [S(rand(3, 4)), S(rand(4, 3)), S(nc(rand(2, 3, 3)))],
    "LinalgPinvBackward0",
    rtol=1e-6,
)
entry(
    "linalg_pinv_hermitian",
    lambda T, x: T.linalg.pinv(_sym(x), hermitian=True),
    lambda x: np.linalg.pinv(_np_sym(x), hermitian=True),
    [S(rand(3, 3))],
    "LinalgPinvBackward0",
    rtol=1e-6,
)
entry(
    "pinverse",
    lambda T, x: x.pinverse(),
    np.linalg.pinv,
    [S(rand(3, 2))],
    "LinalgPinvBackward0",
    rtol=1e-6,
)


def _np_lstsq(a, b):
    x = np.linalg.lstsq(a, b, rcond=None)[0]
    return x


entry(
    "linalg_lstsq",
    lambda T, a, b: T.linalg.lstsq(a, b).solution,
    _np_lstsq,
    [S(rand(4, 2), rand(4, 3)), S(rand(2, 4), rand(2, 1))],
    "LinalgLstsqBackward0",
    rtol=1e-6,
)
entry(
    "linalg_lstsq_gelsd",
    lambda T, a, b: tuple(T.linalg.lstsq(a, b, driver="gelsd"))[:2],
    lambda a, b: tuple(np.linalg.lstsq(a, b, rcond=None)[:2]),
    [S(rand(5, 2), rand(5, 3))],
    "LinalgLstsqBackward0",
    rtol=1e-6,
)

for _n, _node in [
    (0, "CopyBackwards"),
    (1, "CloneBackward0"),
    (2, "MmBackward0"),
    (3, "MmBackward0"),
    (6, "MmBackward0"),
    (-2, "MmBackward0"),
]:
    entry(
        f"matrix_power_{_n}",
        lambda T, x, n=_n: T.linalg.matrix_power(x, n),
        lambda x, n=_n: np.linalg.matrix_power(x, n),
        [S(_wellcond(3, 3) / 3)],
        _node,
        rtol=1e-6,
    )
entry(
    "matrix_power_batched",
    lambda T, x: x.matrix_power(5),
    lambda x: np.linalg.matrix_power(x, 5),
    [S(nc(rand(2, 3, 3) / 2))],
    "UnsafeViewBackward0",
    rtol=1e-6,
)


# -- norms ----------------------------------------------------------------------------------------

for _ord in [2, 1, math.inf, -math.inf, 0, 3, 1.5, 0.5, -1]:
    entry(
        f"vector_norm_{_ord}",
        lambda T, x, o=_ord: T.linalg.vector_norm(x, o),
        lambda x, o=_ord: np.asarray(
            np.linalg.norm(x.ravel(), o) if o != 0 else np.count_nonzero(x).astype(x.dtype)
        ),
        [S(rand(3, 4)), S(nc(rand(2, 3)))],
        "LinalgVectorNormBackward0",
        rtol=1e-6,
    )
entry(
    "vector_norm_dim",
    lambda T, x: T.linalg.vector_norm(x, 3, dim=(0, 2), keepdim=True),
    lambda x: np.sum(np.abs(x) ** 3, axis=(0, 2), keepdims=True) ** (1 / 3),
    [S(rand(2, 3, 4)), S(nc(rand(2, 3, 4)))],
    "LinalgVectorNormBackward0",
    rtol=1e-6,
)
entry(
    "vector_norm_dim_float32",
    lambda T, x: T.linalg.vector_norm(x, dim=-1),
    lambda x: np.linalg.norm(x, axis=-1),
    [S(rand(3, 4, dtype=np.float32))],
    "LinalgVectorNormBackward0",
)
for _ord, _node in [
    ("fro", "LinalgVectorNormBackward0"),
    ("nuc", "SumBackward1"),
    (2, "AmaxBackward0"),
    (-2, "AminBackward0"),
    (1, "AmaxBackward0"),
    (-1, "AminBackward0"),
    (math.inf, "AmaxBackward0"),
    (-math.inf, "AminBackward0"),
]:
    entry(
        f"matrix_norm_{_ord}",
        lambda T, x, o=_ord: T.linalg.matrix_norm(x, o),
        lambda x, o=_ord: np.asarray(np.linalg.norm(x, o, axis=(-2, -1))),
        [S(rand(3, 4)), S(nc(rand(2, 3, 3)))],
        _node,
        rtol=1e-6,
    )
entry(
    "matrix_norm_keepdim_dims",
    lambda T, x: T.linalg.matrix_norm(x, 2, dim=(0, 2), keepdim=True),
    lambda x: np.linalg.norm(np.moveaxis(x, 1, 0), 2, axis=(-2, -1))[None, :, None],
    [S(rand(3, 2, 4))],
    "PermuteBackward0",
    rtol=1e-6,
)
entry(
    "matrix_norm_1_dims",
    lambda T, x: T.linalg.matrix_norm(x, -math.inf, dim=(2, 0)),
    lambda x: np.linalg.norm(np.transpose(x, (1, 2, 0)), -np.inf, axis=(-2, -1)),
    [S(rand(3, 2, 4))],
    "AminBackward0",
    rtol=1e-6,
)
entry(
    "linalg_norm",
    lambda T, x: T.linalg.norm(x),
    lambda x: np.asarray(np.linalg.norm(x.ravel())),
    [S(rand(2, 3, 4)), S(rand(3))],
    "LinalgVectorNormBackward0",
    rtol=1e-6,
)
entry(
    "linalg_norm_ord_matrix",
    lambda T, x: T.linalg.norm(x, "nuc"),
    lambda x: np.asarray(np.linalg.norm(x, "nuc")),
    [S(rand(3, 4))],
    "SumBackward1",
    rtol=1e-6,
)
entry(
    "linalg_norm_dim",
    lambda T, x: T.linalg.norm(x, 1, dim=(1, 2)),
    lambda x: np.linalg.norm(x, 1, axis=(1, 2)),
    [S(rand(2, 3, 4))],
    "AmaxBackward0",
    rtol=1e-6,
)
entry(
    "norm_legacy",
    lambda T, x: _top(T, "norm")(x, 3, dim=1, keepdim=True),
    lambda x: np.sum(np.abs(x) ** 3, axis=1, keepdims=True) ** (1 / 3),
    [S(rand(3, 4))],
    "LinalgVectorNormBackward0",
    rtol=1e-6,
)
entry(
    "norm_legacy_nuc",
    lambda T, x: _top(T, "norm")(x, "nuc"),
    lambda x: np.asarray(np.linalg.norm(x, "nuc")),
    [S(rand(3, 4))],
    "SumBackward1",
    rtol=1e-6,
)
entry(
    "vecdot",
    lambda T, x, y: T.linalg.vecdot(x, y),
    lambda x, y: (x * y).sum(-1),
    [S(rand(3, 4), rand(4))],
    "SumBackward1",
    rtol=1e-6,
)
entry(
    "multi_dot",
    lambda T, x, y, z: T.linalg.multi_dot([x, y, z]),
    lambda x, y, z: x @ y @ z,
    [S(rand(2, 3), rand(3, 4), rand(4, 2)), S(rand(3), rand(3, 4), rand(4, 2))],
    "ViewBackward0",
    rtol=1e-6,
)
entry(
    "multi_dot_chain",
    lambda T, a, b, c, d: T.linalg.multi_dot([a, b, c, d]),
    lambda a, b, c, d: a @ b @ c @ d,
    [S(rand(2, 3), rand(3, 4), rand(4, 2), rand(2))],
    "ViewBackward0",
    rtol=1e-6,
)


# Second derivatives of composites are those of the ops they are built from, checked by their
# own entries; skipping them keeps the table fast.
_COMPOSITE = (
    "matmul_",
    "inner",
    "outer",
    "ger",
    "tensordot",
    "kron_",
    "cdist_mm",
    "einsum_",
    "matrix_norm",
    "linalg_norm",
    "norm_legacy",
    "multi_dot",
    "matrix_power",
    "svd_legacy",
    "pinverse",
    "vecdot",
    "addmm_",
    "vector_norm_dim",
    "cross_dim",
    "linalg_svd_full",
    "linalg_eigh_upper",
    "inverse",
    "slogdet",
    "linalg_qr_complete",
    "linalg_cholesky_upper",
    "solve_triangular_lower",
)
_KEEP = {"einsum_matmul", "einsum_diag", "einsum_broadcast_1", "einsum_three"}
for _e in OPS[_FIRST:]:
    if _e.name.startswith(_COMPOSITE) and _e.name not in _KEEP:
        _e.gradgrad = False
for _e in OPS[_FIRST:]:
    if _e.name in {f"vector_norm_{o}" for o in ("1", "inf", "-inf", "0", "3", "-1")}:
        _e.gradgrad = False
