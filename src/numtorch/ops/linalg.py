"""Linear algebra, as torch and torch.linalg.

Products: matmul (every 1-D/2-D/N-D broadcasting case), mm, bmm, mv, dot, vdot, inner, outer,
addmm/addmv/addbmm/baddbmm, tensordot, kron, einsum, cross, cdist, trace. Decompositions and
solvers (the ``numtorch.linalg`` namespace): inv, det, slogdet, solve, solve_triangular,
cholesky, qr, svd, eigh, pinv, lstsq, matrix_power, matrix_rank and the norms.

Forward runs NumPy's LAPACK on raw arrays; every backward is written with the public functions
of this module and the other Tensor ops, so ``create_graph=True`` differentiates it again. The
formulas are PyTorch's (FunctionsManual.cpp), including where they give inf/nan: the SVD and
eigh gradients divide by the gaps between singular values/eigenvalues.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from .. import _dtype
from .._dtype import FROM_NP
from .._tensor import Tensor, make
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..return_types import _structseq
from ._common import broadcast_error, tensor_method, wrap_dim, write_out, xp


def _name(np_dtype) -> str:
    from .._tensor import _short_name

    return _short_name(np_dtype)


def _same_dtype(op: str, x, y) -> None:
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_dtype.cpp_name(x.dtype)} != "
            f"{_dtype.cpp_name(y.dtype)}"
        )


class _Product(Op):
    """``x @ y`` for one case of matmul; backward is the same products transposed."""

    @staticmethod
    def forward(ctx, x, y):
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(y if needs[0] else None, x if needs[1] else None)
        return ctx.xp.matmul(x, y)


def column_major(a) -> bool:
    """A matrix laid out column by column, such as the transposed weight in ``F.linear``."""
    return a.ndim == 2 and a.strides[0] == a.itemsize and a.strides[1] == a.shape[0] * a.itemsize


def save_mm(ctx, m1, m2, first: int = 0) -> None:
    """Saves what ``mm_backward`` reads of ``m1 @ m2`` (forward arguments ``first`` and
    ``first + 1``): each input's partner, and the layouts."""
    needs = ctx.needs_input_grad
    if needs:
        ctx.save_for_backward(m2 if needs[first] else None, m1 if needs[first + 1] else None)
        ctx.column_major = (column_major(m1), column_major(m2))


def mm_backward(ctx, grad):
    """The gradients of ``m1 @ m2``. As PyTorch's mm_mat1/mat2_backward, a column-major input
    gets a column-major gradient (the same product, transposed), so that the gradient of a
    weight used as ``weight.t()`` comes back row-major and becomes ``.grad`` without a copy."""
    m2, m1 = ctx.saved_tensors
    major1, major2 = ctx.column_major
    data = grad._data
    if not STATE.grad_enabled and data.dtype.kind == "f":
        # no create_graph: the same products on the arrays, without a Tensor op per transpose
        # (this runs for every Linear layer of every training step)
        a1 = None if m2 is None else m2._data
        a2 = None if m1 is None else m1._data
        return (
            None if a1 is None else make(xp.matmul(a1, data.T).T if major1 else data @ a1.T),
            None if a2 is None else make(xp.matmul(data.T, a2).T if major2 else a2.T @ data),
        )
    g1 = g2 = None
    if m2 is not None:
        m2 = m2.conj() if m2._data.dtype.kind == "c" else m2
        g1 = m2.mm(grad.mT).mT if major1 else grad.mm(m2.mT)
    if m1 is not None:
        m1 = m1.conj() if m1._data.dtype.kind == "c" else m1
        g2 = grad.mT.mm(m1).mT if major2 else m1.mT.mm(grad)
    return g1, g2


class Mm(Op):
    @staticmethod
    def forward(ctx, x, y):
        save_mm(ctx, x, y)
        return ctx.xp.matmul(x, y)

    backward = staticmethod(mm_backward)


class Dot(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = map(_conj, ctx.saved_tensors)
        return (grad * y if y is not None else None), (grad * x if x is not None else None)


class Mv(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = map(_conj, ctx.saved_tensors)
        gx = grad.unsqueeze(-1) * y.unsqueeze(0) if y is not None else None
        return gx, (x.t().mv(grad) if x is not None else None)


class Bmm(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = map(_conj, ctx.saved_tensors)
        gx = grad.matmul(y.transpose(-1, -2)) if y is not None else None
        return gx, (x.transpose(-1, -2).matmul(grad) if x is not None else None)


class UnsafeView(_Product):
    """Batched/broadcast matmul (PyTorch's node for it, after folding the batch dims)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.ndims = (x.ndim, y.ndim)
        return _Product.forward(ctx, x, y)

    @staticmethod
    def backward(ctx, grad):
        # the engine sums each gradient over broadcast batch dims back to its input's shape
        y, x = map(_conj, ctx.saved_tensors)
        x_ndim, y_ndim = ctx.ndims
        gx = gy = None
        if y is not None:
            if y_ndim == 1:
                gx = grad.unsqueeze(-1) * y
            elif x_ndim == 1:
                gx = (y * grad.unsqueeze(-2)).sum(-1)
            else:
                gx = grad.matmul(y.mT)
        if x is not None:
            if x_ndim == 1:
                gy = x.unsqueeze(-1) * grad.unsqueeze(-2)
            elif y_ndim == 1:
                gy = x * grad.unsqueeze(-1)
            else:
                gy = x.mT.matmul(grad)
        return gx, gy


class Squeeze4(Dot):
    """``vector @ matrix``."""

    @staticmethod
    def backward(ctx, grad):
        y, x = map(_conj, ctx.saved_tensors)
        gx = y.matmul(grad) if y is not None else None
        gy = x.unsqueeze(-1) * grad.unsqueeze(-2) if x is not None else None
        return gx, gy


def _inconsistent(x, y) -> str:
    return (
        f"inconsistent tensor size, expected tensor [{x.shape[0]}] and src [{y.shape[0]}] to "
        f"have the same number of elements, but got {x.shape[0]} and {y.shape[0]} elements "
        "respectively"
    )


def _mismatch(x, y):
    from .._errors import hinted

    a = "x".join(map(str, x.shape))
    b = "x".join(map(str, y.shape))
    return hinted(
        RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a} and {b})"),
        f"A @ B needs A's last dimension to equal B's first: here {a} @ {b}, so "
        f"{x.shape[-1]} != {y.shape[0]}. If one operand is stored the other way round, "
        "transpose it (B.T, or B.mT for a batch); for weights of shape [out, in], compute "
        "x @ W.T.",
    )


def _folds_transposed(input, other) -> bool:
    """Whether PyTorch's matmul folds ``other``'s batch dims into an mm with ``input``
    transposed: a matrix (or a batch of one matrix against a 3-D tensor) that requires grad
    times a batched tensor."""
    from ..autograd.grad_mode import STATE

    x, y = input._data, other._data
    if not (input._requires_grad and STATE.grad_enabled) or y.ndim < 3:
        return False
    return x.ndim == 2 or (x.ndim == 3 == y.ndim and x.shape[0] == 1 and y.shape[0] != 1)


def matmul(input, other, *, out=None):
    """Matrix product with NumPy/PyTorch's rules for 1-D and batched operands.

    >>> numtorch.matmul(numtorch.ones(2, 3), numtorch.ones(3))
    tensor([3., 3.])
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        product = _sparse_product(input, other)
        if product is not None:
            return product
    x, y = input._data, other._data
    if x.ndim == 0 or y.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {x.ndim}D and {y.ndim}D"
        )
    _same_dtype("matmul", x, y)
    if x.ndim == 1 and y.ndim == 1:
        if x.shape[0] != y.shape[0]:
            raise RuntimeError(_inconsistent(x, y))
        op = Dot
    elif x.ndim == 2 and y.ndim == 2:
        if x.shape[1] != y.shape[0]:
            raise _mismatch(x, y)
        op = Mm
    elif x.ndim == 2 and y.ndim == 1:
        if x.shape[1] != y.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), vec "
                f"({y.shape[0]})"
            )
        op = Mv
    elif x.ndim == 1 and y.ndim == 2:
        if x.shape[0] != y.shape[0]:
            raise _mismatch(x.reshape(1, -1), y)
        op = Squeeze4
    else:
        kx = x.shape[-1]
        ky = y.shape[-2] if y.ndim > 1 else y.shape[0]
        if kx != ky:
            shape_x = "x".join(map(str, x.shape[-2:] if x.ndim > 1 else (1,) + x.shape))
            shape_y = "x".join(map(str, y.shape[-2:] if y.ndim > 1 else y.shape + (1,)))
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: "
                f"[{x.shape[0] if x.ndim > 2 else 1}, {kx}] but got: "
                f"[{y.shape[0] if y.ndim > 2 else 1}, {ky}]."
                if x.ndim == 3 and y.ndim == 3
                else f"mat1 and mat2 shapes cannot be multiplied ({shape_x} and {shape_y})"
            )
        if _folds_transposed(input, other):
            # PyTorch computes this case as (other.mT @ input.mT).mT, made contiguous: its
            # graph ends in CloneBackward0 (TransposeBackward0 when that is contiguous already)
            result = matmul(other.mT, input.mT).mT.contiguous()
            return write_out(out, result) if out is not None else result
        op = UnsafeView
    result = op.apply(input, other)
    return write_out(out, result) if out is not None else result


setattr(Tensor, "matmul", matmul)  # noqa: B010
setattr(Tensor, "__matmul__", matmul)  # noqa: B010
setattr(Tensor, "__rmatmul__", lambda self, other: matmul(_as_tensor(other), self))  # noqa: B010


def _as_tensor(value):
    from .creation import as_tensor

    return as_tensor(value)


def _sparse_product(a, b):
    """``a @ b`` where one side is a sparse COO tensor (numtorch.sparse), else None."""
    if getattr(a, "is_sparse", False) or getattr(b, "is_sparse", False):
        from ..sparse._coo import _mm

        return _mm(a, b, sparse_grad=False)
    return None


@tensor_method()
def mm(input, mat2, *, out=None):
    """Product of two matrices.

    >>> numtorch.mm(numtorch.ones(2, 3), numtorch.ones(3, 1)).shape
    numtorch.Size([2, 1])
    """
    if input.__class__ is not Tensor or mat2.__class__ is not Tensor:
        product = _sparse_product(input, mat2)
        if product is not None:
            return product
    x, y = input._data, mat2._data
    if x.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if y.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if x.shape[1] != y.shape[0]:
        raise _mismatch(x, y)
    _same_dtype("mm", x, y)
    result = Mm.apply(input, mat2)
    return write_out(out, result) if out is not None else result


@tensor_method()
def bmm(input, mat2, *, out=None):
    """Batched product of (b, n, m) and (b, m, p) tensors."""
    x, y = input._data, mat2._data
    if x.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if y.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if x.shape[0] != y.shape[0] or x.shape[2] != y.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{x.shape[0]}, "
            f"{x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}]."
        )
    _same_dtype("bmm", x, y)
    result = Bmm.apply(input, mat2)
    return write_out(out, result) if out is not None else result


@tensor_method()
def mv(input, vec, *, out=None):
    """Matrix times vector."""
    x, y = input._data, vec._data
    if x.ndim != 2 or y.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {y.ndim}, {x.ndim}, {y.ndim}")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({x.shape[0]}), mat ({x.shape[0]}x{x.shape[1]}), vec "
            f"({y.shape[0]})"
        )
    result = Mv.apply(input, vec)
    return write_out(out, result) if out is not None else result


@tensor_method()
def dot(input, tensor, *, out=None):
    """Inner product of two 1-D tensors."""
    x, y = input._data, tensor._data
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.shape != y.shape:
        raise RuntimeError(_inconsistent(x, y))
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_name(x.dtype)} and "
            f"{_name(y.dtype)}"
        )
    result = Dot.apply(input, tensor)
    return write_out(out, result) if out is not None else result


# -- helpers ----------------------------------------------------------------------------------


class LinAlgError(RuntimeError):
    """An error of a linear-algebra routine on a singular or non-definite input, as
    torch.linalg.LinAlgError."""


def _short(np_dtype) -> str:
    return _name(np_dtype)


def _grad_mode_records(*tensors) -> bool:
    return STATE.grad_enabled and any(getattr(t, "_requires_grad", False) for t in tensors)


def _eye_like(t: Tensor, n: int | None = None) -> Tensor:
    n = t._data.shape[-1] if n is None else n
    return make(xp.eye(n, dtype=t._data.dtype))


def _tri_mask(t: Tensor, k: int = 0, upper: bool = False) -> Tensor:
    n, m = t._data.shape[-2:]
    ones = xp.ones((n, m), dtype=t._data.dtype)
    return make(xp.triu(ones, k) if upper else xp.tril(ones, k))


def _tril(t: Tensor, k: int = 0) -> Tensor:
    return t * _tri_mask(t, k)


def _triu(t: Tensor, k: int = 0) -> Tensor:
    return t * _tri_mask(t, k, upper=True)


def _diag_embed(v: Tensor) -> Tensor:
    return v.unsqueeze(-1) * _eye_like(v)


def _conj(t):
    """``t`` conjugated if complex (PyTorch's complex rule: a product's gradient is
    ``grad @ other^H``); real tensors and None pass through."""
    return t.conj() if t is not None and t._data.dtype.kind == "c" else t


def _check_matrix(fname: str, x, arg: str = "A") -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")


def _check_square(fname: str, x, arg: str = "A") -> None:
    _check_matrix(fname, x, arg)
    if x.shape[-1] != x.shape[-2]:
        raise RuntimeError(
            f"{fname}: {arg} must be batches of square matrices, but they are "
            f"{x.shape[-2]} by {x.shape[-1]} matrices"
        )


def _check_float(fname: str, x) -> None:
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"{fname}: Expected a floating point or complex tensor as input. Got {_short(x.dtype)}"
        )


def _square_float(fname: str, x) -> None:
    _check_square(fname, x)
    _check_float(fname, x)


def _batch_prefix(shape, flat_index: int) -> str:
    return f"(Batch element {flat_index}): " if len(shape) > 2 else ""


def _out(result, out):
    return write_out(out, result) if out is not None else result


# -- products ---------------------------------------------------------------------------------


class Vdot(_Product):
    @staticmethod
    def forward(ctx, x, y):
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(y if needs[0] else None, x if needs[1] else None)
        return ctx.xp.asarray(ctx.xp.vdot(x, y))

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        gx = _conj(grad) * y if y is not None else None
        return gx, (grad * x if x is not None else None)


@tensor_method()
def vdot(input, other, *, out=None):
    """Dot product of two 1-D tensors, conjugating the first.

    >>> numtorch.vdot(numtorch.tensor([1., 2.]), numtorch.tensor([3., 4.]))
    tensor(11.)
    """
    x, y = input._data, other._data
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"dot : expected both vectors to have same dtype, but found {_name(x.dtype)} and "
            f"{_name(y.dtype)}"
        )
    if x.shape != y.shape:
        raise RuntimeError(_inconsistent(x, y))
    return _out(Vdot.apply(input, other), out)


@tensor_method()
def outer(input, vec2, *, out=None):
    """Outer product of two vectors: ``input[i] * vec2[j]``.

    >>> numtorch.outer(numtorch.tensor([1., 2.]), numtorch.tensor([3., 4.]))
    tensor([[3., 4.],
            [6., 8.]])
    """
    for name, t in (("self", input), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    return _out(input.reshape(input._data.shape[0], 1) * vec2, out)


@tensor_method()
def ger(input, vec2, *, out=None):
    """Alias of :func:`outer`."""
    return outer(input, vec2, out=out)


def _tensordot_dims(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, bool) or not isinstance(dims, (int, tuple, list)):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or "
            f"list[list[int]] containing two lists, but got dims={dims}"
        )
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.dim(), b.dim()):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    dims_a, dims_b = dims
    dims_a = [dims_a] if isinstance(dims_a, int) else list(dims_a)
    dims_b = [dims_b] if isinstance(dims_b, int) else list(dims_b)
    return dims_a, dims_b


def tensordot(a, b, dims=2, out=None):
    """Contracts ``dims`` (a count, or two lists of dims) of ``a`` and ``b``.

    >>> numtorch.tensordot(numtorch.ones(2, 3), numtorch.ones(3, 4), dims=1).shape
    numtorch.Size([2, 4])
    """
    dims_a, dims_b = _tensordot_dims(a, b, dims)
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    # PyTorch's algorithm, step for step (its graph ends in the view of an mm)
    na, nb = a._data.ndim, b._data.ndim
    wa = [wrap_dim(d, na) for d in dims_a]
    wb = [wrap_dim(d, nb) for d in dims_b]
    for ws in (wa, wb):
        if len(set(ws)) != len(ws):
            d = next(d for d in ws if ws.count(d) > 1)
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    t1, t2, csize = a, b, 1
    for da, db, ra, rb in zip(wa, wb, dims_a, dims_b, strict=True):
        s1, s2 = a._data.shape[da], b._data.shape[db]
        if s2 == 1:
            t1 = t1.sum(da, keepdim=True)
        elif s1 == 1:
            t2 = t2.sum(db, keepdim=True)
        elif s1 != s2:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {s1} in dim {ra} and "
                f"second has size {s2} in dim {rb}"
            )
        else:
            csize *= s1
    keep_a = [i for i in range(na) if i not in wa]
    keep_b = [i for i in range(nb) if i not in wb]
    rsizes = [t1._data.shape[i] for i in keep_a] + [t2._data.shape[i] for i in keep_b]
    size1 = math.prod(t1._data.shape[i] for i in keep_a)
    size2 = math.prod(t2._data.shape[i] for i in keep_b)
    t1 = t1.permute(keep_a + wa).reshape(size1, csize)
    t2 = t2.permute(wb + keep_b).reshape(csize, size2)
    return _out(mm(t1, t2).reshape(rsizes), out)


@tensor_method()
def inner(input, other, *, out=None):
    """Sum of products over the last dims (a scalar times a tensor when one is 0-d).

    >>> numtorch.inner(numtorch.tensor([1., 2.]), numtorch.tensor([3., 4.]))
    tensor(11.)
    """
    if input._data.ndim == 0 or other._data.ndim == 0:
        return _out(input * other, out)
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input._data.shape)} and {list(other._data.shape)}"
        )
    return _out(tensordot(input, other, ([-1], [-1])), out)


def _scaled(x, product, beta, alpha, xp_):
    """``beta * x + alpha * product`` with PyTorch's rule that beta == 0 ignores ``x``."""
    out = product if alpha == 1 else product * alpha
    if beta != 0:
        out = out + (x if beta == 1 else x * beta)
    return xp_.asarray(out).astype(product.dtype, copy=False)


def _expand_check(x_shape, target) -> None:
    if len(x_shape) > len(target):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(x_shape)}}}, size={list(target)}): the number of "
            f"sizes provided ({len(target)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(x_shape)})"
        )
    lead = len(target) - len(x_shape)
    for i in range(len(x_shape) - 1, -1, -1):
        if x_shape[i] != 1 and x_shape[i] != target[i + lead]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[i + lead]}) must match the existing "
                f"size ({x_shape[i]}) at non-singleton dimension {i + lead}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(x_shape)}"
            )


class Addmm(Op):
    tensor_args = 3

    @staticmethod
    def forward(ctx, x, m1, m2, beta, alpha):
        save_mm(ctx, m1, m2, first=1)
        ctx.beta, ctx.alpha = beta, alpha
        return _scaled(x, ctx.xp.matmul(m1, m2), beta, alpha, ctx.xp)

    @staticmethod
    def backward(ctx, grad):
        beta, alpha = ctx.beta, ctx.alpha
        gx = grad if beta == 1 else grad * beta
        return (gx, *mm_backward(ctx, grad if alpha == 1 else grad * alpha))


@tensor_method()
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat1 @ mat2)``; beta=0 ignores ``input`` (nan included).

    >>> numtorch.addmm(numtorch.zeros(2, 2), numtorch.ones(2, 3), numtorch.ones(3, 2))
    tensor([[3., 3.],
            [3., 3.]])
    """
    x, a, b = input._data, mat1._data, mat2._data
    if x.dtype != b.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {_name(x.dtype)} and {_name(b.dtype)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {_name(a.dtype)} and {_name(b.dtype)}"
        )
    if a.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {a.ndim}-D tensor")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise _mismatch(a, b)
    _expand_check(x.shape, (a.shape[0], b.shape[1]))
    return _out(Addmm.apply(input, mat1, mat2, beta, alpha), out)


class Addmv(Addmm):
    @staticmethod
    def backward(ctx, grad):
        vec, mat = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gx = grad if beta == 1 else grad * beta
        ga = grad if alpha == 1 else grad * alpha
        return (
            gx,
            ga.unsqueeze(-1) * vec if vec is not None else None,
            mat.mT.mv(ga) if mat is not None else None,
        )


@tensor_method()
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (mat @ vec)``."""
    x, a, v = input._data, mat._data, vec._data
    if a.ndim != 2 or v.ndim != 1 or x.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {x.ndim}, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0] or (x.ndim == 1 and x.shape[0] not in (1, a.shape[0])):
        raise RuntimeError(
            f"size mismatch, got input ({x.shape[0] if x.ndim else 1}), mat "
            f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})"
        )
    if not x.dtype == a.dtype == v.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_name(x.dtype)}, {_name(a.dtype)}, and {_name(v.dtype)}"
        )
    return _out(Addmv.apply(input, mat, vec, beta, alpha), out)


class Addbmm(Addmm):
    @staticmethod
    def forward(ctx, x, b1, b2, beta, alpha):
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(b2 if needs[1] else None, b1 if needs[2] else None)
        ctx.beta, ctx.alpha = beta, alpha
        return _scaled(x, ctx.xp.matmul(b1, b2).sum(0), beta, alpha, ctx.xp)

    @staticmethod
    def backward(ctx, grad):
        b2, b1 = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gx = grad if beta == 1 else grad * beta
        ga = (grad if alpha == 1 else grad * alpha).unsqueeze(0)
        return (
            gx,
            ga.matmul(b2.mT) if b2 is not None else None,
            b1.mT.matmul(ga) if b1 is not None else None,
        )


class Baddbmm(Addbmm):
    @staticmethod
    def forward(ctx, x, b1, b2, beta, alpha):
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(b2 if needs[1] else None, b1 if needs[2] else None)
        ctx.beta, ctx.alpha = beta, alpha
        return _scaled(x, ctx.xp.matmul(b1, b2), beta, alpha, ctx.xp)

    @staticmethod
    def backward(ctx, grad):
        b2, b1 = ctx.saved_tensors
        beta, alpha = ctx.beta, ctx.alpha
        gx = grad if beta == 1 else grad * beta
        ga = grad if alpha == 1 else grad * alpha
        return (
            gx,
            ga.bmm(b2.mT) if b2 is not None else None,
            b1.mT.bmm(ga) if b1 is not None else None,
        )


def _check_batches(b1, b2) -> None:
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


@tensor_method()
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    x, b1, b2 = input._data, batch1._data, batch2._data
    _check_batches(b1, b2)
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {b1.shape[0]} and "
            f"{b2.shape[0]}"
        )
    if b1.shape[2] != b2.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and "
            f"{b2.shape[1]}x{b2.shape[2]})"
        )
    for m in (b1, x):
        if m.dtype != b2.dtype:
            raise RuntimeError(
                f"mat1 and mat2 must have the same dtype, but got {_name(m.dtype)} and "
                f"{_name(b2.dtype)}"
            )
    _expand_check(x.shape, (b1.shape[1], b2.shape[2]))
    return _out(Addbmm.apply(input, batch1, batch2, beta, alpha), out)


@tensor_method()
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices."""
    x, b1, b2 = input._data, batch1._data, batch2._data
    _check_batches(b1, b2)
    if b2.shape[:2] != (b1.shape[0], b1.shape[2]):
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, "
            f"{b1.shape[2]}] but got: [{b2.shape[0]}, {b2.shape[1]}]."
        )
    if not x.dtype == b1.dtype == b2.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {FROM_NP[x.dtype]}, batch1: "
            f"{FROM_NP[b1.dtype]}, batch2: {FROM_NP[b2.dtype]}".replace("numtorch.", "")
        )
    _expand_check(x.shape, (b1.shape[0], b1.shape[1], b2.shape[2]))
    return _out(Baddbmm.apply(input, batch1, batch2, beta, alpha), out)


class Kron(Op):
    """The final reshape of kron (PyTorch records an ``_unsafe_view`` of the product)."""

    node_name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


@tensor_method()
def kron(input, other, *, out=None):
    """Kronecker product (operands padded with leading 1s to the same number of dims).

    >>> numtorch.kron(numtorch.eye(2), numtorch.ones(1, 2))
    tensor([[1., 1., 0., 0.],
            [0., 0., 1., 1.]])
    """
    a, b = input._data.shape, other._data.shape
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + a
    b = (1,) * (n - len(b)) + b
    a_shape = [s for d in a for s in (d, 1)]
    b_shape = [s for d in b for s in (1, d)]
    product = input.reshape(a_shape) * other.reshape(b_shape)
    return _out(Kron.apply(product, tuple(x * y for x, y in zip(a, b, strict=True))), out)


class Trace(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.shape = x.shape
        out = ctx.xp.asarray(ctx.xp.trace(x))
        return out.astype(x.dtype if x.dtype.kind in "fc" else ctx.xp.int64, copy=False)

    @staticmethod
    def backward(ctx, grad):
        n, m = ctx.shape
        return grad * make(xp.eye(n, m, dtype=grad._data.dtype))


@tensor_method()
def trace(input):
    """Sum of the main diagonal of a matrix.

    >>> numtorch.trace(numtorch.eye(3))
    tensor(3.)
    """
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return Trace.apply(input)


class LinalgCross(Op):
    @staticmethod
    def forward(ctx, x, y, dim):
        ctx.dim = dim
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(y if needs[0] else None, x if needs[1] else None)
        return ctx.xp.cross(x, y, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        gx = cross(y, grad, dim=ctx.dim) if y is not None else None
        return gx, (cross(grad, x, dim=ctx.dim) if x is not None else None)


def _linalg_cross(input, other, dim, shown_dim):
    x, y = input._data, other._data
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = wrap_dim(dim, x.ndim)
    if x.shape[d] != 3 or y.shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {shown_dim} must have length 3. Got "
            f"{x.shape[d]} and {y.shape[d]}"
        )
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_name(x.dtype)} but found {_name(y.dtype)}")
    try:
        xp.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise broadcast_error(x.shape, y.shape) from None
    return LinalgCross.apply(input, other, d)


def linalg_cross(input, other, *, dim=-1, out=None):
    """Cross product of 3-vectors along ``dim`` (broadcasting the other dims), as
    torch.linalg.cross."""
    return _out(_linalg_cross(input, other, dim, dim), out)


@tensor_method()
def cross(input, other, dim=None, *, out=None):
    """Cross product along ``dim``; without it, the first dim of size 3 (deprecated)."""
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release. "
            "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/Cross.cpp:63.)",
            UserWarning,
            stacklevel=2,
        )
        shape = input._data.shape
        if input._data.ndim == other._data.ndim:
            shape = xp.broadcast_shapes(shape, other._data.shape)
        dim = next((i for i, n in enumerate(shape) if n == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    return _out(_linalg_cross(input, other, dim, dim), out)


_CDIST_MODES = {
    None: 0,
    "use_mm_for_euclid_dist_if_necessary": 0,
    "use_mm_for_euclid_dist": 1,
    "donot_use_mm_for_euclid_dist": 2,
}


class Cdist(Op):
    @staticmethod
    def forward(ctx, x1, x2, p):
        diff = ctx.xp.abs(x1[..., :, None, :] - x2[..., None, :, :])
        if p == 0:
            out = (diff != 0).sum(-1).astype(x1.dtype)
        elif p == 1:
            out = diff.sum(-1)
        elif p == 2:
            out = ctx.xp.sqrt((diff * diff).sum(-1))
        elif math.isinf(p):
            out = diff.max(-1) if diff.shape[-1] else ctx.xp.zeros(diff.shape[:-1], x1.dtype)
        else:
            out = (diff**p).sum(-1) ** (1.0 / p)
        ctx.p = p
        ctx.save_for_backward(x1, x2, out)
        return out.astype(x1.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x1, x2, dist = ctx.saved_tensors
        p = ctx.p
        if p == 0:
            return x1 * 0, x2 * 0
        diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
        d = dist.unsqueeze(-1)
        g = grad.unsqueeze(-1)
        zero = d == 0
        if p == 1:
            full = g * diff.sign()
        elif p == 2:
            full = g * _where0(zero, diff / d)
        elif math.isinf(p):
            full = g * diff.sign() * (diff.abs() == d)
        elif p < 1:
            scaled = _where0(diff == 0, diff.abs().pow(p - 1))
            full = diff.sign() * scaled * _where0(zero, g / d.pow(p - 1))
        elif p < 2:
            full = diff.sign() * diff.abs().pow(p - 1) * _where0(zero, g / d.pow(p - 1))
        else:
            full = diff * diff.abs().pow(p - 2) * _where0(zero, g / d.pow(p - 1))
        return full.sum(-2), -full.sum(-3)


def _where0(mask, value):
    """``value`` with 0 where ``mask`` holds (PyTorch's masked_fill_ of a subgradient)."""
    from .elementwise import where

    return where(mask, 0.0, value)


def _cdist_mm(x1, x2, out_shape):
    """PyTorch's matrix-multiply path for p=2 (``_euclidean_dist``): faster, less exact."""
    from .creation import ones_like
    from .shape import cat

    x1_norm = x1.pow(2).sum(-1, keepdim=True)
    x2_norm = x2.pow(2).sum(-1, keepdim=True)
    a = cat([x1 * -2, x1_norm, ones_like(x1_norm)], -1)
    b = cat([x2, ones_like(x2_norm), x2_norm], -1)
    return a.matmul(b.mT).clamp_min(1e-30).sqrt().view(out_shape)


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of ``x1`` and each row of ``x2`` (batched).

    >>> numtorch.cdist(numtorch.tensor([[0., 0.]]), numtorch.tensor([[3., 4.]]))
    tensor([[5.]])
    """
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    a, b = x1._data, x2._data
    for name, t in (("X1", a), ("X2", b)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}"
        )
    for name, t in (("X1", a), ("X2", b)):
        if t.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {_name(t.dtype)}"
            )
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_name(a.dtype)} but found {_name(b.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    try:
        batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    r1, r2 = a.shape[-2], b.shape[-2]
    mode = _CDIST_MODES[compute_mode]
    if a.size and b.size and p == 2 and (mode == 1 or (mode == 0 and (r1 > 25 or r2 > 25))):
        x1e = x1.expand(*batch, r1, a.shape[-1])
        x2e = x2.expand(*batch, r2, b.shape[-1])
        return _cdist_mm(x1e, x2e, (*batch, r1, r2))
    return Cdist.apply(x1, x2, float(p))


# -- einsum -----------------------------------------------------------------------------------


def _label(c: str) -> int:
    return ord(c) - ord("A") if c.isupper() else ord(c) - ord("a") + 26


def _letter(s: int) -> str:
    return chr(s + ord("A")) if s < 26 else chr(s - 26 + ord("a"))


_ELLIPSIS = 52


def _parse_einsum(equation: str, shapes: list):
    """Labels of each operand and of the output, with each dim an ellipsis covers given a
    label of its own (52, 53, ...), and the number of ellipsis dims: PyTorch's checks."""
    arrow = equation.find("->")
    lhs = equation if arrow < 0 else equation[:arrow]
    ops: list = [[]]
    seen_ellipsis = False
    i = 0
    while i < len(lhs):
        c = lhs[i]
        if c == " ":
            pass
        elif c == ".":
            if seen_ellipsis:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {len(ops) - 1} for which an ellipsis was "
                    "already found"
                )
            if not (i + 2 < len(lhs) and lhs[i + 1] == "." and lhs[i + 2] == "."):
                raise RuntimeError(
                    f"einsum(): found '.' for operand {len(ops) - 1} that is not part of any "
                    "ellipsis"
                )
            i += 2
            ops[-1].append(_ELLIPSIS)
            seen_ellipsis = True
        elif c == ",":
            if len(ops) >= len(shapes):
                raise RuntimeError(
                    "einsum(): fewer operands were provided than specified in the equation"
                )
            ops.append([])
            seen_ellipsis = False
        elif c.isascii() and c.isalpha():
            ops[-1].append(_label(c))
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, "
                "subscripts must be in [a-zA-Z]"
            )
        i += 1
    if len(ops) != len(shapes):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    counts = [0] * 52
    ell_dims = 0
    for k, (labels, shape) in enumerate(zip(ops, shapes, strict=True)):
        n = len([s for s in labels if s != _ELLIPSIS])
        has = _ELLIPSIS in labels
        for s in labels:
            if s != _ELLIPSIS:
                counts[s] += 1
        if has:
            ell_dims = max(ell_dims, len(shape) - n)
        if (n > len(shape)) if has else (n != len(shape)):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({n}) "
                + ("is more than" if has else "does not match")
                + f" the number of dimensions ({len(shape)}) for operand {k}"
                + ("" if has else " and no ellipsis was given")
            )
    ell = list(range(_ELLIPSIS, _ELLIPSIS + ell_dims))
    expanded = []
    for labels, shape in zip(ops, shapes, strict=True):
        out = []
        for s in labels:
            if s == _ELLIPSIS:
                covered = len(shape) - (len(labels) - 1)
                out.extend(ell[ell_dims - covered :])
            else:
                out.append(s)
        expanded.append(out)
    if arrow < 0:
        output = ell + [s for s in range(52) if counts[s] == 1]
    else:
        rhs = equation[arrow + 2 :]
        output = []
        seen = False
        i = 0
        while i < len(rhs):
            c = rhs[i]
            if c == " ":
                pass
            elif c == ".":
                if seen:
                    raise RuntimeError(
                        "einsum(): found '.' for output but an ellipsis (...) was already found"
                    )
                if not (i + 2 < len(rhs) and rhs[i + 1] == "." and rhs[i + 2] == "."):
                    raise RuntimeError(
                        "einsum(): found '.' for output that is not part of any ellipsis (...)"
                    )
                i += 2
                seen = True
                output.extend(ell)
            elif c.isascii() and c.isalpha():
                s = _label(c)
                if counts[s] == 0 or s in output:
                    raise RuntimeError(
                        f"einsum(): output subscript {c}"
                        + (
                            " appears more than once in the output"
                            if s in output
                            else " does not appear in the equation for any input operand"
                        )
                    )
                output.append(s)
            else:
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the "
                    "equation string, subscripts must be in [a-zA-Z]"
                )
            i += 1
    return expanded, output, ell_dims


def _einsum_sizes(labels, shapes) -> dict:
    """The size of each label, broadcasting 1s as PyTorch does; checks repeated labels."""
    sizes: dict = {}
    for k, (lab, shape) in enumerate(zip(labels, shapes, strict=True)):
        first: dict = {}
        for dim, (s, n) in enumerate(zip(lab, shape, strict=True)):
            if s in first:
                if n != shape[first[s]]:
                    raise RuntimeError(
                        f"einsum(): subscript {_letter(s)} is repeated for operand {k} but the "
                        f"sizes don't match, {n} != {shape[first[s]]}"
                    )
                continue
            first[s] = dim
            if n != 1:
                if sizes.get(s, 1) not in (1, n):
                    if s >= _ELLIPSIS:
                        raise RuntimeError(
                            f"einsum(): dimension {dim} covered by ellipsis in operand {k}has "
                            f"size {n} which does not broadcast with previously seen ellipsis "
                            f"with size {sizes[s]} for the respective dimension"
                        )
                    raise RuntimeError(
                        f"einsum(): subscript {_letter(s)} has size {n} for operand {k} which "
                        f"does not broadcast with previously seen size {sizes[s]}"
                    )
                sizes[s] = n
            else:
                sizes.setdefault(s, 1)
    return sizes


_EINSUM_NODES: dict = {}


class _Einsum(Op):
    """einsum on arrays; the gradient of each operand is an einsum of the output gradient
    with the other operands (identity matrices tie repeated labels back into diagonals)."""

    @staticmethod
    def forward(ctx, *args):
        *arrays, (labels, output, sizes) = args
        ctx.spec = (labels, output, sizes)
        ctx.save_for_backward(*arrays)
        operands = []
        for a, lab in zip(arrays, labels, strict=True):
            target = tuple(sizes[s] for s in lab)
            operands.append(ctx.xp.broadcast_to(a, target) if a.shape != target else a)
            operands.append(list(lab))
        out = ctx.xp.einsum(*operands, list(output), optimize=len(arrays) > 2)
        return ctx.xp.asarray(out).astype(arrays[0].dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        labels, output, sizes = ctx.spec
        saved = ctx.saved_tensors
        grads = []
        for k, lab in enumerate(labels):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            ops = [grad]
            subs = [list(output)]
            for j, other in enumerate(saved):
                if j != k:
                    ops.append(other)
                    subs.append(list(labels[j]))
            unique = list(dict.fromkeys(lab))
            fresh = iter(s for s in range(100, 200))
            target = []
            for pos, s in enumerate(lab):
                if s in lab[:pos]:  # a repeated label: tie a new one to it with an eye
                    new = next(fresh)
                    ops.append(make(xp.eye(sizes[s], dtype=grad._data.dtype)))
                    subs.append([s, new])
                    target.append(new)
                else:
                    target.append(s)
            present = {s for sub in subs for s in sub}
            for s in unique:
                if s not in present:  # summed within this operand only: broadcast back
                    ops.append(make(xp.ones(sizes[s], dtype=grad._data.dtype)))
                    subs.append([s])
            g = _einsum_labels(ops, subs, target)
            shape = saved[k].shape
            if g.shape != shape:  # a label of size 1 everywhere else: broadcast it back
                g = g.expand(*xp.broadcast_shapes(tuple(g.shape), tuple(shape)))
            grads.append(g)
        return tuple(grads)


def _einsum_node(name: str) -> type:
    cls = _EINSUM_NODES.get(name)
    if cls is None:
        cls = type("_Einsum", (_Einsum,), {"node_name": name})
        _EINSUM_NODES[name] = cls
    return cls


def _einsum_labels(operands, labels, output):
    """einsum of tensors given label lists (ints), as used by einsum's own backward."""
    shapes = [t._data.shape for t in operands]
    used = sorted({s for lab in labels for s in lab} | set(output))
    remap = {s: i for i, s in enumerate(used)}
    labels = [[remap[s] for s in lab] for lab in labels]
    output = [remap[s] for s in output]
    sizes = _einsum_sizes(labels, shapes)
    contracted = bool(set(sizes) - set(output))
    if len(operands) == 1:
        node = "SumBackward1" if contracted else "PermuteBackward0"
    else:
        node = "ViewBackward0" if contracted else "MulBackward0"
    spec = (tuple(map(tuple, labels)), tuple(output), sizes)
    return _einsum_node(node).apply(*operands, spec)


def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``, with ``...`` and implicit output;
    also the sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.

    >>> numtorch.einsum("ii", numtorch.eye(3))
    tensor(3.)
    """
    if len(args) < 2:
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least "
            "one operand and its subscripts list"
        )
    if isinstance(args[0], str):
        equation, operands = args[0], list(args[1:])
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = list(operands[0])
    else:
        n = len(args) // 2
        operands = list(args[0 : 2 * n : 2])

        def letters(sub):
            return "".join("..." if s is Ellipsis else _letter(s) for s in sub)

        equation = ",".join(letters(sub) for sub in args[1 : 2 * n : 2])
        if len(args) % 2:
            equation += "->" + letters(args[-1])
    shapes = [t._data.shape for t in operands]
    labels, output, _ = _parse_einsum(equation, shapes)
    _einsum_sizes(labels, shapes)  # PyTorch's size checks, naming the labels as written
    first = operands[0]._data.dtype
    for t in operands[1:]:
        if t._data.dtype != first:
            raise RuntimeError(
                f"expected scalar type {_name(first)} but found {_name(t._data.dtype)}"
            )
    return _einsum_labels(operands, labels, output)


# -- named tuples (PyTorch's torch.return_types.linalg_*) -------------------------------------

linalg_slogdet = _structseq("linalg_slogdet", ("sign", "logabsdet"))
slogdet_type = _structseq("slogdet", ("sign", "logabsdet"))
linalg_qr = _structseq("linalg_qr", ("Q", "R"))
linalg_svd = _structseq("linalg_svd", ("U", "S", "Vh"))
svd_type = _structseq("svd", ("U", "S", "V"))
linalg_eigh = _structseq("linalg_eigh", ("eigenvalues", "eigenvectors"))
linalg_lstsq = _structseq("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


# -- LAPACK failures, reported as PyTorch reports them ----------------------------------------


def _zero_pivot(a) -> int:
    """1-based index of the first exactly-zero pivot of LU with partial pivoting (getrf's
    ``info``), 0 when there is none."""
    a = a.astype(xp.complex128 if a.dtype.kind == "c" else xp.float64)
    n = a.shape[-1]
    for k in range(n):
        p = k + int(xp.argmax(xp.abs(a[k:, k])))
        if a[p, k] == 0:
            return k + 1
        a[[k, p]] = a[[p, k]]
        a[k + 1 :, k:] -= xp.outer(a[k + 1 :, k] / a[k, k], a[k, k:])
    return 0


def _non_pd_order(a) -> int:
    """1-based order of the first leading minor that is not positive-definite (potrf's info)."""
    a = a.astype(xp.complex128 if a.dtype.kind == "c" else xp.float64)
    n = a.shape[-1]
    low = xp.zeros_like(a)
    for j in range(n):
        d = a[j, j] - xp.sum(low[j, :j] * xp.conj(low[j, :j]))
        if not d.real > 0:
            return j + 1
        low[j, j] = xp.sqrt(d.real)
        low[j + 1 :, j] = (a[j + 1 :, j] - low[j + 1 :, :j] @ xp.conj(low[j, :j])) / low[j, j]
    return 0


def _first_failure(a, find):
    """(batch index, info) of the first matrix of ``a`` for which ``find`` reports a failure."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        info = find(m)
        if info:
            return i, info
    return 0, a.shape[-1]


# -- inverse, determinants, solvers -----------------------------------------------------------


def _inv_array(a, fname="linalg.inv"):
    if a.size == 0:
        return a.copy()
    try:
        return xp.linalg.inv(a)
    except xp.linalg.LinAlgError:
        i, info = _first_failure(a, _zero_pivot)
        raise LinAlgError(
            f"{fname}: {_batch_prefix(a.shape, i)}The diagonal element {info} is zero, the "
            "inversion could not be completed because the input matrix is singular."
        ) from None


class LinalgInvEx(Op):
    @staticmethod
    def forward(ctx, a):
        out = _inv_array(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (inv_a,) = ctx.saved_tensors
        inv_h = inv_a.mH
        return -inv_h.matmul(grad).matmul(inv_h)


def inv(A, *, out=None):
    """Inverse of a square matrix (or of each in a batch), as torch.linalg.inv.

    >>> numtorch.linalg.inv(numtorch.tensor([[2., 0.], [0., 4.]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _square_float("linalg.inv", A._data)
    return _out(LinalgInvEx.apply(A), out)


@tensor_method()
def inverse(input, *, out=None):
    """torch.inverse: :func:`inv`."""
    return inv(input, out=out)


def _prod_others(s: Tensor) -> Tensor:
    """``out[..., i] = prod_{j != i} s[..., j]`` from prefix and suffix products."""
    from .creation import ones_like
    from .shape import stack

    cols = s.unbind(-1)
    n = len(cols)
    one: Any = ones_like(cols[0]) if n else None
    prefix, suffix = [one] * n, [one] * n
    for i in range(1, n):
        prefix[i] = prefix[i - 1] * cols[i - 1]
        suffix[n - 1 - i] = suffix[n - i] * cols[n - i]
    return stack([p * q for p, q in zip(prefix, suffix, strict=True)], -1) if n else s


class LinalgDet(Op):
    @staticmethod
    def forward(ctx, a):
        out = ctx.xp.asarray(ctx.xp.linalg.det(a)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, d = ctx.saved_tensors
        g = (grad * _conj(d)).unsqueeze(-1).unsqueeze(-1)
        singular = d._data == 0
        if a._data.size == 0 or not singular.any():
            return g * inv(a).mH
        if not STATE.grad_enabled:
            # PyTorch's first-order path solves with the LU of A times det * grad, which is
            # 0 for an exactly singular A; only its double-backward path takes cofactors
            eye = xp.eye(a.shape[-1], dtype=a._data.dtype)
            safe = xp.where(singular[..., None, None], eye, a._data)
            return g * make(xp.swapaxes(xp.conj(_inv_array(safe)), -1, -2))
        # a singular matrix: the cofactors through the SVD, A = U S Vh
        u, s, vh = svd(a, full_matrices=False)
        alpha = _conj(det(u) * det(vh)).unsqueeze(-1).unsqueeze(-1)
        return (grad.unsqueeze(-1).unsqueeze(-1) * alpha) * (
            u * _prod_others(s).unsqueeze(-2)
        ).matmul(vh)


def det(A, *, out=None):
    """Determinant of a square matrix (or of each in a batch).

    >>> numtorch.linalg.det(numtorch.tensor([[2., 1.], [0., 3.]]))
    tensor(6.)
    """
    _square_float("linalg.det", A._data)
    return _out(LinalgDet.apply(A), out)


class LinalgSlogdet(Op):
    @staticmethod
    def forward(ctx, a):
        sign, logabs = ctx.xp.linalg.slogdet(a)
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(a)
        real = a.real.dtype if a.dtype.kind == "c" else a.dtype
        return ctx.xp.asarray(sign).astype(a.dtype), ctx.xp.asarray(logabs).astype(real)

    @staticmethod
    def backward(ctx, g_sign, g_logabs):
        if g_logabs is None:
            return None  # the sign of a real determinant is locally constant
        (a,) = ctx.saved_tensors
        return g_logabs.unsqueeze(-1).unsqueeze(-1) * inv(a).mH


def slogdet(A, *, out=None):
    """Sign and log of the absolute value of the determinant, as torch.linalg.slogdet."""
    _square_float("linalg.slogdet", A._data)
    return linalg_slogdet(LinalgSlogdet.apply(A))


def _slogdet_top(input):
    """torch.slogdet: the same, as ``torch.return_types.slogdet``."""
    return slogdet_type(tuple(slogdet(input)))


def logdet(input):
    """Log of the determinant: nan where it is negative.

    >>> numtorch.logdet(numtorch.eye(2) * 2)
    tensor(1.3863)
    """
    from .elementwise import where

    _square_float("logdet", input._data)
    sign, logabs = slogdet(input)
    if input._data.dtype.kind == "c":
        return sign.log() + logabs
    return where(sign == -1.0, float("nan"), logabs)


def _det_top(input):
    return det(input)


class LinalgSolveEx(Op):
    @staticmethod
    def forward(ctx, a, b, left, vector):
        ctx.left, ctx.vector = left, vector
        lhs = a if left else ctx.xp.swapaxes(a, -1, -2)
        rhs = b[..., None] if vector else (b if left else ctx.xp.swapaxes(b, -1, -2))
        try:
            out = ctx.xp.linalg.solve(lhs, rhs)
        except ctx.xp.linalg.LinAlgError:
            i, _ = _first_failure(ctx.xp.broadcast_to(a, a.shape), _zero_pivot)
            raise LinAlgError(
                f"torch.linalg.solve: {_batch_prefix(a.shape, i)}The solver failed because the "
                "input matrix is singular."
            ) from None
        out = out[..., 0] if vector else (out if left else ctx.xp.swapaxes(out, -1, -2))
        out = ctx.xp.ascontiguousarray(out)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        left = ctx.left
        gb = solve(a.mH, grad, left=left)
        if ctx.vector:
            ga = -(gb.unsqueeze(-1) * _conj(x).unsqueeze(-2))
            ga = ga if left else ga.mT
        else:
            ga = -gb.matmul(x.mH) if left else -x.mH.matmul(gb)
        return ga, gb


def solve(A, B, *, left=True, out=None):
    """The solution X of ``A X = B`` (``X A = B`` when ``left=False``), batched and broadcast;
    ``B`` is a (batch of) vector(s) when its shape is ``A.shape[:-1]`` or it is 1-D.

    >>> numtorch.linalg.solve(numtorch.tensor([[2., 0.], [0., 4.]]), numtorch.tensor([2., 4.]))
    tensor([1., 1.])
    """
    a, b = A._data, B._data
    _check_square("linalg.solve", a)
    _check_float("linalg.solve", a)
    if a.dtype != b.dtype:
        raise RuntimeError(
            "linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_name(a.dtype)} and B of type {_name(b.dtype)} instead"
        )
    n = a.shape[-1]
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else (b.shape[-2] if left else b.shape[-1])
    if b.ndim == 0 or rows != n:
        shown = f"{b.shape[-1]}x1" if vector or b.ndim < 2 else f"{b.shape[-2]}x{b.shape[-1]}"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {shown})"
        )
    b_batch = b.shape[:-1] if vector else b.shape[:-2]
    try:
        xp.broadcast_shapes(a.shape[:-2], b_batch)
    except ValueError:
        raise broadcast_error(a.shape[:-2], b_batch) from None
    return _out(LinalgSolveEx.apply(A, B, left, vector), out)


def _trisolve(a, b, upper, unit):
    """Back/forward substitution for ``a x = b`` with ``a`` triangular (batched): a zero on
    the diagonal gives inf/nan, as LAPACK's trtrs, never an error."""
    n = a.shape[-1]
    batch = xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = xp.broadcast_to(a, batch + a.shape[-2:])
    x = xp.array(xp.broadcast_to(b, batch + b.shape[-2:]), dtype=xp.result_type(a, b))
    for i in range(n - 1, -1, -1) if upper else range(n):
        done = slice(i + 1, n) if upper else slice(0, i)
        row = x[..., i, :] - (a[..., i, done, None] * x[..., done, :]).sum(-2)
        x[..., i, :] = row if unit else row / a[..., i, i, None]
    return x


class LinalgSolveTriangular(Op):
    @staticmethod
    def forward(ctx, a, b, upper, left, unit):
        ctx.args = (upper, left, unit)
        if left:
            out = _trisolve(a, b, upper, unit)
        else:
            out = xp.swapaxes(
                _trisolve(xp.swapaxes(a, -1, -2), xp.swapaxes(b, -1, -2), not upper, unit), -1, -2
            )
        out = ctx.xp.ascontiguousarray(out)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        upper, left, unit = ctx.args
        gb = solve_triangular(a.mH, grad, upper=not upper, left=left, unitriangular=unit)
        ga = -gb.matmul(x.mH) if left else -x.mH.matmul(gb)
        ga = _triu(ga, int(unit)) if upper else _tril(ga, -int(unit))
        return ga, gb


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution of ``A X = B`` (``X A = B`` when ``left=False``) for triangular ``A``."""
    a, b = A._data, B._data
    _check_square("linalg.solve_triangular", a)
    _check_matrix("linalg.solve_triangular", b, "B")
    _check_float("linalg.solve_triangular", a)
    if a.dtype != b.dtype:
        raise RuntimeError(
            "linalg.solve_triangular: Expected A and B to have the same dtype, but found A of "
            f"type {_name(a.dtype)} and B of type {_name(b.dtype)} instead"
        )
    n = a.shape[-1]
    if (b.shape[-2] if left else b.shape[-1]) != n:
        raise RuntimeError(
            "linalg.solve_triangular: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    try:
        xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise broadcast_error(a.shape[:-2], b.shape[:-2]) from None
    return _out(LinalgSolveTriangular.apply(A, B, upper, left, unitriangular), out)


# -- factorizations ---------------------------------------------------------------------------


class LinalgCholeskyEx(Op):
    @staticmethod
    def forward(ctx, a, upper):
        ctx.upper = upper
        try:
            low = ctx.xp.linalg.cholesky(a) if a.size else a.copy()
        except ctx.xp.linalg.LinAlgError:
            i, order = _first_failure(a, _non_pd_order)
            raise LinAlgError(
                f"linalg.cholesky: {_batch_prefix(a.shape, i)}The factorization could not be "
                "completed because the input is not positive-definite (the leading minor of "
                f"order {order} is not positive-definite)."
            ) from None
        out = ctx.xp.ascontiguousarray(ctx.xp.conj(ctx.xp.swapaxes(low, -1, -2))) if upper else low
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # Murray (2016): gA = L^{-H} Phi(L^H gL) L^{-1}, symmetrized; Phi = tril, half diagonal
        (low,) = ctx.saved_tensors
        if ctx.upper:
            low, grad = low.mH, grad.mH
        phi = low.mH.matmul(grad)
        phi = phi * (_tri_mask(phi) - _eye_like(phi) * 0.5)
        x = solve_triangular(low.mH, phi, upper=True)
        s = solve_triangular(low, x, upper=False, left=False)
        return (s + s.mH) * 0.5


def cholesky(A, *, upper=False, out=None):
    """Cholesky factor L of a Hermitian positive-definite matrix (``A = L L^H``); ``upper``
    returns ``L^H``. Only the lower triangle of ``A`` is read.

    >>> numtorch.linalg.cholesky(numtorch.tensor([[4., 2.], [2., 2.]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    _square_float("linalg.cholesky", A._data)
    return _out(LinalgCholeskyEx.apply(A, upper), out)


class LinalgQr(Op):
    @staticmethod
    def forward(ctx, a, mode):
        ctx.mode = mode
        ctx.set_materialize_grads(False)
        if mode == "r":
            r = ctx.xp.linalg.qr(a, mode="r") if a.size else ctx.xp.zeros(_r_shape(a), a.dtype)
            q = ctx.xp.empty((0,), a.dtype)
        elif a.size:
            q, r = ctx.xp.linalg.qr(a, mode=mode)
        else:
            m, n = a.shape[-2:]
            k = m if mode == "complete" else min(m, n)
            q = ctx.xp.zeros(a.shape[:-2] + (m, k), a.dtype)
            q[..., range(min(m, k)), range(min(m, k))] = 1
            r = ctx.xp.zeros(a.shape[:-2] + (k, n), a.dtype)
        ctx.save_for_backward(q, r)
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        q, r = ctx.saved_tensors
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        if gq is None and gr is None:
            return None
        if m >= n:
            return _qr_backward_tall(gq, gr, q, r)
        # A = [X | Y] with X square: X = Q U and Y = Q V for R = [U | V]
        from .shape import cat

        u, v = r.narrow(-1, 0, m), r.narrow(-1, m, n - m)
        gu = gr.narrow(-1, 0, m) if gr is not None else None
        gv = gr.narrow(-1, m, n - m) if gr is not None else None
        if gv is None:
            return cat([_qr_backward_tall(gq, gu, q, u), q.matmul(v) * 0], -1)
        y = q.matmul(v)
        gq_x = y.matmul(gv.mH) if gq is None else gq + y.matmul(gv.mH)
        return cat([_qr_backward_tall(gq_x, gu, q, u), q.matmul(gv)], -1)


def _r_shape(a):
    m, n = a.shape[-2:]
    return a.shape[:-2] + (min(m, n), n)


def _qr_backward_tall(gq, gr, q, r):
    """m >= n: M = R gR^H - gQ^H Q, gA = (gQ + Q copyltu(M)) R^{-H}."""
    m_ = r.matmul(gr.mH) if gr is not None else None
    if gq is not None:
        m_ = -gq.mH.matmul(q) if m_ is None else m_ - gq.mH.matmul(q)
    low = _tril(m_, -1)
    sym = low + low.mH + m_ * _eye_like(m_)
    b = q.matmul(sym) if gq is None else gq + q.matmul(sym)
    return solve_triangular(r.mH, b, upper=False, left=False)


def qr(A, mode="reduced", *, out=None):
    """QR decomposition ``A = Q R``; mode 'reduced', 'complete' or 'r' (Q empty).

    >>> numtorch.linalg.qr(numtorch.eye(2)).R
    tensor([[1., 0.],
            [0., 1.]])
    """
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _check_matrix("linalg.qr", A._data)
    _check_float("linalg.qr", A._data)
    return linalg_qr(LinalgQr.apply(A, mode))


class LinalgSvd(Op):
    @staticmethod
    def forward(ctx, a, full_matrices):
        ctx.full = full_matrices
        ctx.set_materialize_grads(False)
        m, n = a.shape[-2:]
        if a.size:
            u, s, vh = ctx.xp.linalg.svd(a, full_matrices=full_matrices)
        else:
            k = min(m, n)
            real = a.real.dtype if a.dtype.kind == "c" else a.dtype
            ku, kv = (m, n) if full_matrices else (k, k)
            u = _eye_batch(a.shape[:-2], m, ku, a.dtype)
            vh = _eye_batch(a.shape[:-2], kv, n, a.dtype)
            s = ctx.xp.zeros(a.shape[:-2] + (k,), real)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        if ctx.full:
            k = s.shape[-1]
            u, vh = u.narrow(-1, 0, k), vh.narrow(-2, 0, k)
            gu = gu.narrow(-1, 0, k) if gu is not None else None
            gvh = gvh.narrow(-2, 0, k) if gvh is not None else None
        return _svd_backward(gu, gs, gvh, u, s, vh)


def _eye_batch(batch, n, m, dtype):
    return xp.broadcast_to(xp.eye(n, m, dtype=dtype), batch + (n, m)).copy()


def _svd_backward(gu, gs, gvh, u, s, vh):
    """PyTorch's svd_backward: exact where singular values are distinct; inf/nan where two
    coincide and the loss depends on the singular vectors."""
    if gu is None and gvh is None:
        if gs is None:
            return None
        if u.shape[-2] >= vh.shape[-1]:
            return u.matmul(gs.unsqueeze(-1) * vh)
        return (u * gs.unsqueeze(-2)).matmul(vh)
    m, n = u.shape[-2], vh.shape[-1]
    is_complex = u._data.dtype.kind == "c"
    uhgu = vhgv = None
    if gu is not None:
        uhgu = u.mH.matmul(gu)
        uhgu = uhgu - uhgu.mH
    if gvh is not None:
        vhgv = vh.matmul(gvh.mH)
        vhgv = vhgv - vhgv.mH
    if is_complex:
        zero = xp.zeros(s.shape)
        im_u = xp.imag(xp.diagonal(uhgu._data, 0, -2, -1)) if uhgu is not None else zero
        im_v = xp.imag(xp.diagonal(vhgv._data, 0, -2, -1)) if vhgv is not None else zero
        if not xp.allclose(im_u, -im_v, rtol=1e-2, atol=1e-2):
            raise RuntimeError(
                "linalg_svd_backward: The singular vectors in the complex case are specified up "
                "to multiplication by e^{i phi}. The specified loss function depends on this "
                "phase term, making it ill-defined."
            )
    s2 = s * s
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + _eye_like(s)
    if uhgu is not None and vhgv is not None:
        ret = (uhgu * s.unsqueeze(-2) + s.unsqueeze(-1) * vhgv) / e
    elif uhgu is not None:
        ret = uhgu * (s.unsqueeze(-2) / e)
    else:
        ret = (s.unsqueeze(-1) / e) * vhgv
    if gs is not None:
        ret = ret + _diag_embed(gs)
    if is_complex and uhgu is not None:
        ret = ret + _diag_embed(uhgu.diagonal(0, -2, -1) / (s * 2))
    if m > n and gu is not None:
        ga = u.matmul(ret)
        gu_sinv = gu / s.unsqueeze(-2)
        ga = ga + gu_sinv - u.matmul(u.mH.matmul(gu_sinv))
        return ga.matmul(vh)
    if m < n and gvh is not None:
        ga = ret.matmul(vh)
        sinv_gvh = gvh / s.unsqueeze(-1)
        ga = ga + sinv_gvh - sinv_gvh.matmul(vh.mH).matmul(vh)
        return u.matmul(ga)
    return u.matmul(ret.matmul(vh)) if m >= n else u.matmul(ret).matmul(vh)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh``, as torch.linalg.svd.

    >>> numtorch.linalg.svd(numtorch.tensor([[3., 0.], [0., -2.]])).S
    tensor([3., 2.])
    """
    _check_matrix("linalg.svd", A._data)
    _check_float("linalg.svd", A._data)
    if driver is not None:
        raise RuntimeError(
            "torch.linalg.svd: keyword argument `driver=` is only supported on CUDA inputs "
            "with cuSOLVER backend."
        )
    return linalg_svd(LinalgSvd.apply(A, full_matrices))


def svdvals(A, *, driver=None, out=None):
    """The singular values, in descending order."""
    _check_matrix("linalg.svdvals", A._data)
    _check_float("linalg.svdvals", A._data)
    if _grad_mode_records(A):
        return _out(svd(A, full_matrices=False, driver=driver).S, out)
    a = A._data
    if a.size:
        s = xp.linalg.svd(a, compute_uv=False)
    else:
        s = xp.zeros(a.shape[:-2] + (min(a.shape[-2:]),), a.real.dtype)
    return _out(make(s), out)


def _svd_top(input, some=True, compute_uv=True, *, out=None):
    """torch.svd (legacy): returns V, not Vh; ``some=False`` gives full U and V."""
    if compute_uv:
        u, s, vh = svd(input, full_matrices=not some)
        return svd_type((u, s, vh.mH))
    s = svdvals(input)
    m, n = input._data.shape[-2:]
    batch = input._data.shape[:-2]
    zeros = lambda k: make(xp.zeros(batch + (k, k), input._data.dtype))  # noqa: E731
    return svd_type((zeros(m), s, zeros(n)))


class LinalgEigh(Op):
    @staticmethod
    def forward(ctx, a, uplo):
        ctx.set_materialize_grads(False)
        if a.size:
            w, v = ctx.xp.linalg.eigh(a, UPLO=uplo)
        else:
            w = ctx.xp.zeros(a.shape[:-1], a.real.dtype if a.dtype.kind == "c" else a.dtype)
            v = a.copy()
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gl, gv):
        w, v = ctx.saved_tensors
        return _eigh_backward(gl, gv, w, v)


def _eigh_backward(gl, gv, w, v):
    """PyTorch's linalg_eig_backward for Hermitian input: gaps between eigenvalues divide."""
    if gv is None:
        if gl is None:
            return None
        return (v * gl.unsqueeze(-2)).matmul(v.mH)
    vhgv = v.mH.matmul(gv)
    if v._data.dtype.kind == "c":
        im = xp.imag(xp.diagonal(vhgv._data, 0, -2, -1))
        if not xp.allclose(im, 0, rtol=1e-2, atol=1e-2):
            raise RuntimeError(
                "linalg_eigh_backward: The eigenvectors in the complex case are specified up to "
                "multiplication by e^{i phi}. The specified loss function depends on this "
                "quantity, so it is ill-defined."
            )
    vhgv = (vhgv - vhgv.mH) * 0.5
    eye = _eye_like(w)
    ret = vhgv / (w.unsqueeze(-2) - w.unsqueeze(-1) + eye)
    if gl is not None:
        ret = ret * (1 - eye) + _diag_embed(gl)
    return v.matmul(ret.matmul(v.mH))


def _check_uplo(uplo) -> None:
    if uplo not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {uplo}")


def _check_eigh(fname, A, uplo):
    _check_square(fname, A._data)
    _check_uplo(uplo)
    if A._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"linalg_eigh_cpu\" not implemented for '{_name(A._data.dtype)}'"
        )


def eigh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix; reads the triangle
    ``UPLO`` names.

    >>> numtorch.linalg.eigh(numtorch.tensor([[2., 0.], [0., 1.]])).eigenvalues
    tensor([1., 2.])
    """
    _check_eigh("linalg.eigh", A, UPLO)
    return linalg_eigh(LinalgEigh.apply(A, UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    """Eigenvalues (ascending) of a Hermitian matrix."""
    _check_eigh("linalg.eigvalsh", A, UPLO)
    if _grad_mode_records(A):
        return _out(eigh(A, UPLO).eigenvalues, out)
    a = A._data
    w = xp.linalg.eigvalsh(a, UPLO=UPLO) if a.size else xp.zeros(a.shape[:-1], a.real.dtype)
    return _out(make(w), out)


# -- pseudo-inverse, least squares, rank ------------------------------------------------------


def _tolerances(a, atol, rtol):
    """PyTorch's rule: rtol defaults to eps * max(m, n) unless a positive atol is given."""
    eps = xp.finfo(a.dtype).eps
    default = eps * max(a.shape[-2:]) if a.ndim >= 2 else eps
    atol = 0.0 if atol is None else atol
    if rtol is None:
        rtol = 0.0 if (isinstance(atol, float) and atol > 0) else default
    return _as_array(atol), _as_array(rtol)


def _as_array(v):
    return v._data if isinstance(v, Tensor) else xp.asarray(v)


def _pinv_array(a, atol, rtol, hermitian):
    atol, rtol = _tolerances(a, atol, rtol)
    atol, rtol = atol[..., None], rtol[..., None]
    if a.size == 0:
        return xp.zeros(a.shape[:-2] + a.shape[-2:][::-1], a.dtype)
    if hermitian:
        w, v = xp.linalg.eigh(a)
        mag = xp.abs(w)
        tol = xp.maximum(atol, rtol * mag.max(-1, keepdims=True))
        winv = xp.where(mag > tol, 1 / xp.where(mag > tol, w, 1), 0).astype(a.dtype)
        return (v * winv[..., None, :]) @ xp.conj(xp.swapaxes(v, -1, -2))
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    tol = xp.maximum(atol, rtol * s[..., :1])
    sinv = xp.where(s > tol, 1 / xp.where(s > tol, s, 1), 0).astype(a.dtype)
    return (xp.conj(xp.swapaxes(vh, -1, -2)) * sinv[..., None, :]) @ xp.conj(xp.swapaxes(u, -1, -2))


class LinalgPinv(Op):
    @staticmethod
    def forward(ctx, a, atol, rtol, hermitian):
        out = ctx.xp.asarray(_pinv_array(a, atol, rtol, hermitian)).astype(a.dtype, copy=False)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        return _pinv_backward(grad, p, a)


def _pinv_backward(grad, p, a):
    """PyTorch's pinv_backward (Golub and Pereyra), arranged for the smaller products."""
    m, n = a.shape[-2], a.shape[-1]
    ph, gh = p.mH, grad.mH
    if m <= n:
        k = gh.matmul(p)
        kph = k.matmul(ph)
        return (
            -(p.matmul(k)).mH
            + kph
            - a.matmul(p).matmul(kph)
            + ph.matmul(p).matmul(gh - k.matmul(a))
        )
    k = p.matmul(gh)
    phk = ph.matmul(k)
    return (
        -(k.matmul(p)).mH + (gh - a.matmul(k)).matmul(p).matmul(ph) + phk - phk.matmul(p).matmul(a)
    )


def pinv(A, rcond=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Moore-Penrose pseudo-inverse: singular values at most ``max(atol, rtol * S.max())``
    count as zero. The positional ``rcond`` is PyTorch's legacy name for ``rtol``."""
    a = A._data
    if a.ndim < 2 or a.dtype.kind not in "fc":
        kind = {"f": "Float", "d": "Double"}.get(a.dtype.char, _name(a.dtype))
        raise RuntimeError(
            f"linalg.pinv({kind}{{{list(a.shape)}}}): expected a tensor with 2 or more "
            "dimensions of float, double, cfloat or cdouble types"
        )
    if rcond is not None:
        atol, rtol = 0.0, rcond
    return _out(LinalgPinv.apply(A, atol, rtol, hermitian), out)


@tensor_method()
def pinverse(input, rcond=1e-15):
    """torch.pinverse: :func:`pinv` with ``rcond`` as the relative tolerance."""
    return pinv(input, rcond)


_LSTSQ_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LinalgLstsq(Op):
    @staticmethod
    def forward(ctx, a, b, rcond, driver, vector):
        ctx.vector = vector
        ctx.set_materialize_grads(False)
        bm = b[..., None] if vector else b
        m, n = a.shape[-2:]
        rtol = xp.finfo(a.dtype).eps * max(m, n) if rcond is None else rcond
        if driver == "gels":
            rtol = 0.0
        x = _pinv_array(a, 0.0, rtol, False) @ bm
        full = _ranks(a, rtol) == min(m, n)
        if driver != "gelsy" and m > n and (driver == "gels" or bool(xp.all(full))):
            r = a @ x - bm
            res = (xp.abs(r) ** 2).sum(-2).astype(r.real.dtype)
            res = res[..., 0] if vector else res
        else:
            res = xp.zeros((0,), a.real.dtype if a.dtype.kind == "c" else a.dtype)
        x = xp.ascontiguousarray(x[..., 0] if vector else x)
        ctx.save_for_backward(a, b, x)
        return x, res

    @staticmethod
    def backward(ctx, gx, gres):
        a, b, x = ctx.saved_tensors
        if ctx.vector:
            b, x = b.unsqueeze(-1), x.unsqueeze(-1)
            gx = gx.unsqueeze(-1) if gx is not None else None
            gres = gres.unsqueeze(-1) if gres is not None and gres.numel() else None
        ga = gb = None
        if gx is not None:
            p = pinv(a)
            ga = _pinv_backward(gx.matmul(b.mH), p, a)
            gb = p.mH.matmul(gx)
        if gres is not None and gres.numel():
            # at the minimum the residual's derivative through X vanishes
            r = a.matmul(x) - b
            w = r * gres.unsqueeze(-2) * 2
            ga_r, gb_r = w.matmul(x.mH), -w
            ga = ga_r if ga is None else ga + ga_r
            gb = gb_r if gb is None else gb + gb_r
        if ctx.vector and gb is not None:
            gb = gb.squeeze(-1)
        return ga, gb


def _ranks(a, rtol):
    s = xp.linalg.svd(a, compute_uv=False) if a.size else xp.zeros(a.shape[:-2] + (0,))
    smax = s[..., :1] if s.shape[-1] else xp.zeros(s.shape[:-1] + (1,))
    return (s > rtol * smax).sum(-1)


def lstsq(A, B, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B``: (solution, residuals, rank, singular_values),
    each filled as PyTorch's CPU driver (default 'gelsy') fills it."""
    a, b = A._data, B._data
    driver = "gelsy" if driver is None else driver
    if driver not in _LSTSQ_DRIVERS:
        raise RuntimeError(
            "torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    _check_matrix("torch.linalg.lstsq", a)
    _check_float("torch.linalg.lstsq", a)
    if a.dtype != b.dtype:
        raise RuntimeError(
            "torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
            f"input's dtype {_name(a.dtype)} and other's dtype {_name(b.dtype)}"
        )
    vector = b.ndim == a.ndim - 1
    if (b.shape[-1] if vector else b.shape[-2]) != a.shape[-2]:
        raise RuntimeError(
            f"torch.linalg.lstsq: input.size(-2) should match other.size({-1 if vector else -2})"
        )
    x, res = LinalgLstsq.apply(A, B, rcond, driver, vector)
    m, n = a.shape[-2:]
    rtol = xp.finfo(a.dtype).eps * max(m, n) if rcond is None else rcond
    empty_int = make(xp.zeros((0,), xp.int64))
    rank = empty_int if driver == "gels" else make(xp.asarray(_ranks(a, rtol), xp.int64))
    if driver in ("gelsd", "gelss") and a.size:
        sv = make(xp.linalg.svd(a, compute_uv=False))
    else:
        sv = make(xp.zeros((0,), a.real.dtype if a.dtype.kind == "c" else a.dtype))
    return linalg_lstsq((x, res, rank, sv))


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """Number of singular values above ``max(atol, rtol * S.max())``."""
    a = A._data
    _check_matrix("linalg.matrix_rank", a)
    if a.dtype.kind not in "fc":
        raise RuntimeError("This function doesn't handle types other than float and double")
    if tol is not None:
        atol, rtol = tol, 0.0
    atol_a, rtol_a = _tolerances(a, atol, rtol)
    if a.size == 0:
        return _out(make(xp.zeros(a.shape[:-2], xp.int64)), out)
    if hermitian:
        s = xp.abs(xp.linalg.eigvalsh(a))
    else:
        s = xp.linalg.svd(a, compute_uv=False)
    tol_ = xp.maximum(atol_a[..., None], rtol_a[..., None] * s.max(-1, keepdims=True))
    return _out(make(xp.asarray((s > tol_).sum(-1), xp.int64)), out)


# -- matrix_power -----------------------------------------------------------------------------


class _EyeCopy(Op):
    """``matrix_power(A, 0)``: PyTorch copies the identity into a clone of A."""

    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        return _eye_batch(a.shape[:-2], a.shape[-1], a.shape[-1], a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


@tensor_method()
def matrix_power(A, n, *, out=None):
    """``A`` to the integer power ``n`` (negative: of its inverse), by repeated squaring as
    PyTorch computes it."""
    _check_square("linalg.matrix_power", A._data)
    if n == 0:
        return _out(_EyeCopy.apply(A), out)
    if n < 0:
        A = inv(A)
        n = -n
    if n == 1:
        return _out(A.clone(), out)
    if n == 2:
        return _out(matmul(A, A), out)
    if n == 3:
        return _out(matmul(matmul(A, A), A), out)
    z = result = None
    while n > 0:
        bit, n = n % 2, n // 2
        z = A if z is None else matmul(z, z)
        if bit:
            result = z if result is None else matmul(result, z)
    return _out(result, out)


# -- norms ------------------------------------------------------------------------------------


def _norm_dtype_check(fname, x, dtype):
    if dtype is not None:
        np_dtype = _dtype.to_np(dtype) if hasattr(_dtype, "to_np") else dtype._np
        if xp.dtype(np_dtype).kind not in "fc":
            raise RuntimeError(
                f"{fname}: dtype should be floating point or complex, but got "
                f"{_name(xp.dtype(np_dtype))}"
            )
        return
    _check_float(fname, x)


class LinalgVectorNorm(Op):
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        a = ctx.xp.abs(x)
        real = a.dtype
        axis = dims if dims else None
        if p == math.inf:
            out = (
                a.max(axis=axis, keepdims=True, initial=0) if a.size else a.sum(axis, keepdims=True)
            )
        elif p == -math.inf:
            out = a.min(axis=axis, keepdims=True)
        elif p == 0:
            out = (a != 0).sum(axis=axis, keepdims=True).astype(real)
        elif p == 1:
            out = a.sum(axis=axis, keepdims=True)
        elif p == 2:
            out = ctx.xp.sqrt((a * a).sum(axis=axis, keepdims=True))
        else:
            out = (a**p).sum(axis=axis, keepdims=True) ** (1.0 / p)
        out = ctx.xp.asarray(out).astype(real, copy=False)
        ctx.p, ctx.dims, ctx.keepdim, ctx.kept = p, dims, keepdim, out.shape
        if not keepdim:
            out = out.reshape([n for i, n in enumerate(out.shape) if i not in dims])
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # PyTorch's norm_backward, case by case; norm == 0 gives the 0 subgradient
        x, norm = ctx.saved_tensors
        p = ctx.p
        if not ctx.keepdim:
            grad, norm = grad.reshape(ctx.kept), norm.reshape(ctx.kept)
        if p == 0:
            return x * 0
        if p == 1:
            return x.sgn() * grad
        if p == 2:
            return grad * _where0(norm == 0, x / norm)
        if math.isinf(p):
            mask = x.abs() == norm
            return x.sgn() * ((grad / mask.sum(ctx.dims, keepdim=True)) * mask)
        if p < 1:
            scaled = x.sgn() * _where0(x == 0, x.abs().pow(p - 1))
            return scaled * grad * norm.pow(1 - p)
        scale = _where0(norm == 0, grad / norm.pow(p - 1))
        if p < 2:
            return x.sgn() * x.abs().pow(p - 1) * scale
        return x * x.abs().pow(p - 2) * scale


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The vector ``ord``-norm over ``dim`` (all elements when None), as
    torch.linalg.vector_norm.

    >>> numtorch.linalg.vector_norm(numtorch.tensor([3., 4.]))
    tensor(5.)
    """
    _norm_dtype_check("linalg.vector_norm", x._data, dtype)
    if dtype is not None:
        x = x.to(dtype)
    ndim = x._data.ndim
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        dims = tuple(range(ndim))
    else:
        dims = tuple(wrap_dim(d, ndim) for d in ((dim,) if isinstance(dim, int) else dim))
    ord = float(ord)
    if x._data.size == 0 and (ord < 0 or math.isinf(ord)):
        empty = [d for d in dims if x._data.shape[d] == 0] if dim is not None else [None]
        if empty:
            if dim is None or (not isinstance(dim, int) and len(dim) == 0):
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on an empty "
                    "tensor because the operation does not have an identity"
                )
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {_ord_str(ord)} norm on the dimension "
                f"{empty[0]}because this dimension is empty and the operation does not have an "
                "identity"
            )
    if ndim == 0:
        dims = ()
    return _out(LinalgVectorNorm.apply(x, ord, dims, keepdim), out)


def _ord_str(ord) -> str:
    if math.isinf(ord):
        return "inf" if ord > 0 else "-inf"
    return str(int(ord)) if ord == int(ord) else str(ord)


def _backshift(d0, d1, ndim):
    return [i for i in range(ndim) if i not in (d0, d1)] + [d0, d1]


def _reverse(perm):
    out = [0] * len(perm)
    for i, p in enumerate(perm):
        out[p] = i
    return out


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norms: 'fro', 'nuc', 2/-2 (largest/smallest singular value), 1/-1 (max/min
    column sum), inf/-inf (max/min row sum), as torch.linalg.matrix_norm."""
    from .reduce import amax, amin

    if isinstance(ord, str):
        if ord not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    else:
        if abs(ord) not in (1, 2, math.inf):
            raise RuntimeError(f"linalg.matrix_norm: Order {_ord_str(float(ord))} not supported.")
    a = A._data
    _check_matrix("linalg.matrix_norm", a)
    _check_float("linalg.matrix_norm", a)
    dim = list(dim)
    if len(dim) != 2:
        raise RuntimeError(
            f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}"
        )
    dim = [wrap_dim(d, a.ndim) for d in dim]
    if dim[0] == dim[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if dtype is not None:
        _norm_dtype_check("linalg.matrix_norm", a, dtype)
    if ord == "fro":
        return _out(vector_norm(A, 2, dim, keepdim, dtype=dtype), out)
    if ord == "nuc" or abs(ord) == 2:
        x = A.to(dtype) if dtype is not None else A
        perm = _backshift(dim[0], dim[1], a.ndim)
        s = svdvals(x.permute(perm))
        if ord == "nuc":
            result = s.sum(-1, keepdim=keepdim)
        else:
            result = amax(s, -1, keepdim) if ord > 0 else amin(s, -1, keepdim)
        if keepdim:
            result = result.unsqueeze(-1).permute(_reverse(perm))
        return _out(result, out)
    d0, d1 = dim
    if math.isinf(ord):
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    sums = vector_norm(A, 1.0, d0, keepdim, dtype=dtype)
    return _out(amax(sums, d1, keepdim) if ord > 0 else amin(sums, d1, keepdim), out)


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """Vector or matrix norm, chosen from ``ord`` and ``dim`` as torch.linalg.norm."""
    a = A._data
    if dim is not None:
        dims = [dim] if isinstance(dim, int) else list(dim)
        if len(dims) not in (1, 2):
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dims}"
            )
    elif ord is not None and a.ndim not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
            f"{a.ndim}D."
        )
    if isinstance(ord, str):
        return matrix_norm(
            A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype, out=out
        )
    if ord is not None and ((dim is not None and len(dims) == 2) or (dim is None and a.ndim == 2)):
        return matrix_norm(
            A, ord, dim if dim is not None else (0, 1), keepdim, dtype=dtype, out=out
        )
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype, out=out)


def norm_legacy(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm / Tensor.norm (deprecated in PyTorch in favour of torch.linalg's norms)."""
    _dim = [dim] if isinstance(dim, int) else (list(dim) if dim is not None else None)
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return vector_norm(input, 2, _dim, keepdim, dtype=dtype, out=out)
        if _dim is None:
            _dim = list(range(input._data.ndim))
        return matrix_norm(input, p, _dim, keepdim, dtype=dtype, out=out)
    return vector_norm(input, 2.0 if p is None else p, _dim, keepdim, dtype=dtype, out=out)


def vecdot(x, y, *, dim=-1, out=None):
    """``sum(conj(x) * y, dim)``, as torch.linalg.vecdot."""
    return _out((_conj(x) * y).sum(dim), out)


def multi_dot(tensors, *, out=None):
    """Product of a chain of matrices, the first and last of which may be vectors; the order
    of the products minimizes their cost, as PyTorch's (its graph ends in a view)."""
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0]._data.ndim, tensors[-1]._data.ndim
    for i, t in enumerate(tensors):
        if i in (0, n - 1):
            if t._data.ndim not in (1, 2):
                which = "first" if i == 0 else "last"
                raise RuntimeError(
                    f"multi_dot(): the {which} tensor must be 1D or 2D but got {t._data.ndim}D"
                )
        elif t._data.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t._data.ndim}D")
    mats = list(tensors)
    if first == 1:
        mats[0] = mats[0].unsqueeze(0)
    if last == 1:
        mats[-1] = mats[-1].unsqueeze(-1)
    out_shape = []
    if first == 2:
        out_shape.append(mats[0]._data.shape[0])
    if last == 2:
        out_shape.append(mats[-1]._data.shape[1])
    if n == 2:
        result = mm(mats[0], mats[1])
    elif n == 3:
        a, b, c = mats
        (a0, a1), (b1, c1) = a._data.shape, c._data.shape
        cost_ab_c = a0 * a1 * b._data.shape[1] + a0 * b1 * c1
        cost_a_bc = a1 * b1 * c1 + a0 * a1 * c1
        result = mm(mm(a, b), c) if cost_ab_c <= cost_a_bc else mm(a, mm(b, c))
    else:
        result = _chain_product(mats)
    return _out(result.view(out_shape), out)


def _chain_product(mats):
    """The matrix-chain order of least cost by dynamic programming, then its products."""
    n = len(mats)
    p = [m._data.shape[0] for m in mats] + [mats[-1]._data.shape[1]]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + p[i] * p[k + 1] * p[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best

    def product(i, j):
        if i == j:
            return mats[i]
        k = split[i][j]
        return mm(product(i, k), product(k + 1, j))

    return product(0, n - 1)


# Tensor methods of PyTorch's legacy top-level spellings (Tensor.norm lives in ops/reduce.py)
setattr(Tensor, "det", _det_top)  # noqa: B010
setattr(Tensor, "logdet", logdet)  # noqa: B010
setattr(Tensor, "slogdet", _slogdet_top)  # noqa: B010
setattr(Tensor, "svd", _svd_top)  # noqa: B010
