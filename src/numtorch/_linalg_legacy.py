"""PyTorch's top-level linear-algebra functions that predate torch.linalg (torch.lu,
torch.lu_solve, torch.lu_unpack, torch.qr, torch.triangular_solve, torch.cholesky,
torch.cholesky_solve, torch.cholesky_inverse) and their Tensor methods. The deprecated ones
warn once per process, as PyTorch's TORCH_WARN_ONCE does.
"""

from __future__ import annotations

import warnings

from ._tensor import Tensor
from .ops import linalg as _la
from .ops import linalg_extra as _ex
from .ops.linalg_extra import cholesky_inverse, cholesky_solve, lu_unpack
from .return_types import _structseq

__all__ = [
    "cholesky",
    "cholesky_inverse",
    "cholesky_solve",
    "lu",
    "lu_solve",
    "lu_unpack",
    "qr",
    "triangular_solve",
]

_lu_with_info = _structseq("_lu_with_info", ("LU", "pivots", "info"))
_triangular_solve = _structseq("triangular_solve", ("solution", "cloned_coefficient"))
_qr = _structseq("qr", ("Q", "R"))

_WARNED: set[str] = set()


def _warn_once(name: str, message: str) -> None:
    if name not in _WARNED:
        _WARNED.add(name)
        warnings.warn(message, UserWarning, stacklevel=3)


def lu(A, pivot=True, get_infos=False, out=None):
    """Deprecated torch.lu: ``(LU, pivots)``, or ``(LU, pivots, infos)`` with ``get_infos``
    (then a singular matrix is reported in ``infos`` rather than raised).

    >>> LU, pivots = numtorch.lu(numtorch.tensor([[1., 2.], [3., 4.]]))  # doctest: +SKIP
    """
    _warn_once(
        "lu",
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
        "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.\n"
        "LU, pivots = torch.lu(A, compute_pivots)\nshould be replaced with\n"
        "LU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
        "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
        "should be replaced with\n"
        "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)",
    )
    _ex._check_lu_input("lu", A._data, pivot)
    res = _ex.LinalgLuFactorEx.apply(A)
    if not get_infos:
        _ex._raise_lu("linalg.lu_factor", res[2]._data)
        res = res[:2]
    if out is not None:
        for o, r in zip(out, res, strict=False):
            _la.write_out(o, r)
        res = tuple(out)[: len(res)]
    return _lu_with_info(tuple(res)) if get_infos else tuple(res)


def lu_solve(b, LU_data, LU_pivots, *, out=None):
    """Deprecated torch.lu_solve: ``linalg.lu_solve(LU_data, LU_pivots, b)``.

    >>> LU, piv = numtorch.linalg.lu_factor(numtorch.eye(2))
    >>> numtorch.lu_solve(numtorch.ones(2, 1), LU, piv)  # doctest: +SKIP
    """
    _warn_once(
        "lu_solve",
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in "
        "a future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments "
        "reversed.\nX = torch.lu_solve(B, LU, pivots)\nshould be replaced with\n"
        "X = torch.linalg.lu_solve(LU, pivots, B)",
    )
    return _ex.lu_solve(LU_data, LU_pivots, b, out=out)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """Deprecated torch.triangular_solve: ``(solution, cloned_coefficient)`` of
    ``A X = b`` (``A^T X = b`` with ``transpose``) for triangular A.

    >>> numtorch.triangular_solve(numtorch.ones(2, 1), numtorch.eye(2))  # doctest: +SKIP
    """
    _warn_once(
        "triangular_solve",
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand "
        "will be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\n"
        "X = torch.triangular_solve(B, A).solution\nshould be replaced with\n"
        "X = torch.linalg.solve_triangular(A, B).",
    )
    coef = A.mT if transpose else A
    x = _la.solve_triangular(coef, b, upper=upper != transpose, unitriangular=unitriangular)
    res = (x, A.clone())
    if out is not None:
        for o, r in zip(out, res, strict=True):
            _la.write_out(o, r)
        res = tuple(out)
    return _triangular_solve(res)


def qr(input, some=True, *, out=None):
    """Deprecated torch.qr: ``linalg.qr(input, 'reduced' if some else 'complete')``.

    >>> numtorch.qr(numtorch.eye(2)).R  # doctest: +SKIP
    """
    _warn_once(
        "qr",
        "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
        "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
        "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\n"
        "Q, R = torch.linalg.qr(A, 'reduced' if some else 'complete')",
    )
    res = tuple(_la.qr(input, "reduced" if some else "complete"))
    if out is not None:
        for o, r in zip(out, res, strict=True):
            _la.write_out(o, r)
        res = tuple(out)
    return _qr(res)


def cholesky(input, upper=False, *, out=None):
    """Deprecated torch.cholesky: ``linalg.cholesky(input, upper=upper)``.

    >>> numtorch.cholesky(numtorch.eye(2))  # doctest: +SKIP
    """
    _warn_once(
        "cholesky",
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed "
        "in a future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
        "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\n"
        "should be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform will "
        "produce equivalent results for all valid (symmetric positive definite) inputs.",
    )
    try:
        return _la.cholesky(input, upper=upper, out=out)
    except _la.LinAlgError as e:
        raise type(e)(str(e).replace("linalg.cholesky:", "cholesky:", 1)) from None


def _register() -> None:
    methods = {
        "cholesky": cholesky,
        "cholesky_inverse": cholesky_inverse,
        "cholesky_solve": cholesky_solve,
        "lu_solve": lu_solve,
        "qr": qr,
        "triangular_solve": triangular_solve,
    }
    for name, fn in methods.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
    if not hasattr(Tensor, "lu"):
        setattr(Tensor, "lu", lu)  # noqa: B010


_register()
