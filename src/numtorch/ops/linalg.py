"""Matrix products: matmul (every 1-D/2-D/N-D broadcasting case), mm, bmm, mv, dot."""

from __future__ import annotations

from .._dtype import FROM_NP
from .._tensor import Tensor
from ..autograd.function import Op
from ._common import tensor_method, write_out


def _name(np_dtype) -> str:
    from .._tensor import _short_name

    return _short_name(np_dtype)


def _same_dtype(op: str, x, y) -> None:
    if x.dtype != y.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {FROM_NP[x.dtype]} != "
            f"{FROM_NP[y.dtype]}".replace(f"{__package__.split('.')[0]}.", "")
        )


class _Product(Op):
    """``x @ y`` for one case of matmul; backward is the same products transposed."""

    @staticmethod
    def forward(ctx, x, y):
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(y if needs[0] else None, x if needs[1] else None)
        return ctx.xp.matmul(x, y)


class Mm(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        return (grad.mm(y.t()) if y is not None else None), (
            x.t().mm(grad) if x is not None else None
        )


class Dot(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        return (grad * y if y is not None else None), (grad * x if x is not None else None)


class Mv(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        gx = grad.unsqueeze(-1) * y.unsqueeze(0) if y is not None else None
        return gx, (x.t().mv(grad) if x is not None else None)


class Bmm(_Product):
    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
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
        y, x = ctx.saved_tensors
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
        y, x = ctx.saved_tensors
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
    a = "x".join(map(str, x.shape))
    b = "x".join(map(str, y.shape))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a} and {b})")


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


Tensor.matmul = matmul
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = lambda self, other: matmul(other, self)


@tensor_method()
def mm(input, mat2, *, out=None):
    """Product of two matrices.

    >>> numtorch.mm(numtorch.ones(2, 3), numtorch.ones(3, 1)).shape
    numtorch.Size([2, 1])
    """
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
