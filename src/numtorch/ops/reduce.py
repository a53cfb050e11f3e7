"""Reductions: sum, mean, max/min (with and without dim), argmax/argmin, all/any."""

from __future__ import annotations

from .. import _dtype, return_types
from .._backend import sum_to
from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import tensor_method, wrap_dim, wrap_dims, write_out, xp


def _sum_dtype(x, dtype):
    if dtype is not None:
        return dtype._np
    if x.dtype.kind in "biu":
        return xp.int64  # PyTorch sums integers (and bools) in int64
    return x.dtype


def _kept_shape(shape, dims):
    return tuple(1 if i in dims else n for i, n in enumerate(shape))


class _AllDims:
    """The default ``dim``: PyTorch's overload without dim (SumBackward0, MeanBackward0),
    which an explicit ``dim=None`` does not select (it gives SumBackward1, MeanBackward1)."""

    def __repr__(self) -> str:
        return "None"


_ALL = _AllDims()


def _dims_of(dim, ndim):
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = wrap_dims(dim, ndim)
    return dims if ndim else ()


class Sum(Op):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.shape = x.shape
        return ctx.xp.sum(x, dtype=_sum_dtype(x, dtype))

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class Sum1(Op):
    """Sum over ``dims``."""

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return ctx.xp.sum(x, axis=dims, keepdims=keepdim, dtype=_sum_dtype(x, dtype))

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return grad.expand(ctx.shape)


class SumToSize(Op):
    node_name = "SumBackward1"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return sum_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape)


class Mean(Op):
    @staticmethod
    def forward(ctx, x, dtype):
        ctx.shape = x.shape
        ctx.count = x.size
        out = ctx.xp.sum(x, dtype=dtype._np if dtype else None)
        return ctx.xp.true_divide(out, x.size, dtype=out.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad.expand(ctx.shape) / ctx.count


class Mean1(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        count = 1
        for d in dims:
            count *= x.shape[d]
        ctx.count = count
        out = ctx.xp.sum(x, axis=dims, keepdims=keepdim, dtype=dtype._np if dtype else None)
        return ctx.xp.true_divide(out, count, dtype=out.dtype)

    @staticmethod
    def backward(ctx, grad):
        if not ctx.keepdim:
            grad = grad.reshape(_kept_shape(ctx.shape, ctx.dims))
        return grad.expand(ctx.shape) / ctx.count


@tensor_method()
def sum(input, dim=_ALL, keepdim=False, *, dtype=None, out=None):
    """Sum of ``input`` over ``dim`` (all dims when None), as torch.sum.

    >>> numtorch.sum(numtorch.tensor([[1., 2.], [3., 4.]]), dim=0)
    tensor([4., 6.])
    """
    if dim is _ALL and not keepdim:
        result = Sum.apply(input, dtype)
    else:
        dim = None if dim is _ALL else dim
        result = Sum1.apply(input, _dims_of(dim, input._data.ndim), keepdim, dtype)
    return write_out(out, result) if out is not None else result


@tensor_method()
def sum_to_size(input, *size):
    """Sums ``input`` down to ``size`` (the inverse of broadcasting; what backward uses)."""
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    if tuple(shape) == input._data.shape:
        return input
    try:
        xp.broadcast_to(xp.empty(shape, bool), input._data.shape)
    except ValueError:
        raise RuntimeError(
            f"size {{{list(shape)}}} is not expandable to size {{{list(input._data.shape)}}}."
        ) from None
    shape = tuple(shape)
    lead = input._data.ndim - len(shape)
    if lead == 0:
        return SumToSize.apply(input, shape)
    # PyTorch sums with keepdim, then views the leading size-1 dims away (ViewBackward0)
    return SumToSize.apply(input, (1,) * lead + shape).view(shape)


@tensor_method()
def mean(input, dim=_ALL, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim`` (all dims when None); floating or complex inputs only.

    >>> numtorch.tensor([1., 2., 3., 4.]).mean()
    tensor(2.5000)
    """
    data_dtype = dtype._np if dtype is not None else input._data.dtype
    if data_dtype.kind not in "fc":
        name = _dtype.FROM_NP[xp.dtype(data_dtype)]
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_legacy_short(name)}"
        )
    if dim is _ALL and not keepdim:
        result = Mean.apply(input, dtype)
    else:
        dim = None if dim is _ALL else dim
        result = Mean1.apply(input, _dims_of(dim, input._data.ndim), keepdim, dtype)
    return write_out(out, result) if out is not None else result


def _legacy_short(dt) -> str:
    from .._tensor import _short_name

    return _short_name(dt._np)


# -- max / min ------------------------------------------------------------------------------


class _Extreme(Op):
    """max()/min() over all elements; ties share the gradient evenly, as PyTorch."""

    pick = staticmethod(xp.max)

    @classmethod
    def forward(cls, ctx, x):
        if x.size == 0:
            name = "max" if cls.pick is xp.max else "min"
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = cls.pick(x)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        mask = x == out
        return grad * mask / mask.sum()


class Max1(_Extreme):
    pick = staticmethod(xp.max)


class Min1(_Extreme):
    pick = staticmethod(xp.min)


class _ExtremeDim(Op):
    arg = staticmethod(xp.argmax)

    @classmethod
    def forward(cls, ctx, x, dim, keepdim):
        if x.ndim == 0:
            indices = ctx.xp.zeros((), ctx.xp.int64)
            values = x.copy()
        else:
            if x.shape[dim] == 0:
                name = "max" if cls.arg is xp.argmax else "min"
                raise IndexError(f"{name}(): Expected reduction dim {dim} to have non-zero size.")
            indices = cls.arg(x, axis=dim, keepdims=True)
            values = ctx.xp.take_along_axis(x, indices, axis=dim)
            if not keepdim:
                indices = indices.squeeze(dim)
                values = values.squeeze(dim)
        ctx.shape, ctx.dim, ctx.keepdim = x.shape, dim, keepdim
        ctx.indices = indices
        return values, indices

    @staticmethod
    def backward(ctx, grad, grad_indices=None):
        if len(ctx.shape) == 0:
            return grad
        indices = ctx.indices if ctx.keepdim else ctx.xp.expand_dims(ctx.indices, ctx.dim)
        if not ctx.keepdim:
            grad = grad.unsqueeze(ctx.dim)
        positions = ctx.xp.arange(ctx.shape[ctx.dim]).reshape(
            (-1,) + (1,) * (len(ctx.shape) - ctx.dim - 1)
        )
        return grad.expand(ctx.shape) * make(positions == indices)


class Max(_ExtremeDim):
    arg = staticmethod(xp.argmax)


class Min(_ExtremeDim):
    arg = staticmethod(xp.argmin)


class Maximum(Op):
    ufunc = staticmethod(xp.maximum)

    @classmethod
    def forward(cls, ctx, x, y):
        from .._dtype import binary_result_np

        ctx.save_for_backward(x, y)
        try:
            return cls.ufunc(x, y, dtype=binary_result_np(x, y))
        except ValueError:
            from ._common import broadcast_error

            raise broadcast_error(x.shape, y.shape) from None

    @classmethod
    def backward(cls, ctx, grad):
        x, y = ctx.saved_tensors
        wins = x > y if cls.ufunc is xp.maximum else x < y
        tie = (x == y) * 0.5  # ties split the gradient, as PyTorch
        share = wins + tie
        return grad * share, grad * (1 - share)


class Minimum(Maximum):
    ufunc = staticmethod(xp.minimum)


def _extreme(input, dim, keepdim, other, out, all_op, dim_op, pair_op, tuple_type):
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        result = pair_op.apply(input, other)
    elif dim is None:
        result = all_op.apply(input)
    else:
        values, indices = dim_op.apply(input, wrap_dim(dim, input._data.ndim), keepdim)
        result = tuple_type((values, indices))
        if out is not None:
            write_out(out[0], values)
            write_out(out[1], indices)
            return tuple_type(out)
        return result
    return write_out(out, result) if out is not None else result


@tensor_method()
def max(input, dim=None, keepdim=False, *, out=None, other=None):
    """Largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, the
    elementwise maximum.

    >>> numtorch.tensor([[1, 5], [4, 2]]).max(dim=1)
    numtorch.return_types.max(
    values=tensor([5, 4]),
    indices=tensor([1, 0]))
    """
    return _extreme(input, dim, keepdim, other, out, Max1, Max, Maximum, return_types.max)


@tensor_method()
def min(input, dim=None, keepdim=False, *, out=None, other=None):
    """Smallest element; with ``dim``, ``(values, indices)``; with a tensor, elementwise."""
    return _extreme(input, dim, keepdim, other, out, Min1, Min, Minimum, return_types.min)


@tensor_method()
def maximum(input, other, *, out=None):
    result = Maximum.apply(input, other)
    return write_out(out, result) if out is not None else result


@tensor_method()
def minimum(input, other, *, out=None):
    result = Minimum.apply(input, other)
    return write_out(out, result) if out is not None else result


def _arg(fn, input, dim, keepdim):
    data = input._data
    if dim is None:
        out = fn(data.reshape(-1))
        if keepdim:
            out = xp.asarray(out).reshape((1,) * data.ndim)
        return make(xp.asarray(out, dtype=xp.int64))
    dim = wrap_dim(dim, data.ndim)
    if data.ndim == 0:
        return make(xp.zeros((), xp.int64))
    return make(fn(data, axis=dim, keepdims=keepdim).astype(xp.int64, copy=False))


@tensor_method()
def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg(xp.argmax, input, dim, keepdim)


@tensor_method()
def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    return _arg(xp.argmin, input, dim, keepdim)


def _boolean_reduce(fn, input, dim, keepdim):
    data = input._data
    if dim is None:
        out = fn(data)
    else:
        out = fn(data, axis=_dims_of(dim, data.ndim), keepdims=keepdim)
    out = xp.asarray(out)
    # PyTorch keeps uint8 for uint8 inputs and returns bool otherwise
    return make(out.astype(xp.uint8) if data.dtype == xp.uint8 else out)


@tensor_method()
def all(input, dim=None, keepdim=False):
    """Whether every element is nonzero (per ``dim`` when given)."""
    return _boolean_reduce(xp.all, input, dim, keepdim)


@tensor_method()
def any(input, dim=None, keepdim=False):
    """Whether some element is nonzero (per ``dim`` when given)."""
    return _boolean_reduce(xp.any, input, dim, keepdim)


class _ExtremeValues(Op):
    """amax/amin: ties share the gradient evenly, as PyTorch."""

    pick = staticmethod(xp.amax)

    @classmethod
    def forward(cls, ctx, x, dims, keepdim):
        out = cls.pick(x, axis=dims, keepdims=True)
        ctx.dims, ctx.keepdim = dims, keepdim
        ctx.save_for_backward(x, out)
        return out if keepdim else out.reshape([n for i, n in enumerate(x.shape) if i not in dims])

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if not ctx.keepdim:
            grad = grad.reshape(out.shape)
        mask = x == out
        return grad * mask / mask.sum(ctx.dims, keepdim=True)


class Amax(_ExtremeValues):
    pick = staticmethod(xp.amax)


class Amin(_ExtremeValues):
    pick = staticmethod(xp.amin)


@tensor_method()
def amax(input, dim=(), keepdim=False, *, out=None):
    """Largest values over ``dim`` (all dims when empty)."""
    result = Amax.apply(input, _dims_of(dim, input._data.ndim), keepdim)
    return write_out(out, result) if out is not None else result


@tensor_method()
def amin(input, dim=(), keepdim=False, *, out=None):
    """Smallest values over ``dim`` (all dims when empty)."""
    result = Amin.apply(input, _dims_of(dim, input._data.ndim), keepdim)
    return write_out(out, result) if out is not None else result
