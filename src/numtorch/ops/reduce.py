"""Reductions: sum, mean, max/min (with and without dim), argmax/argmin, all/any."""

from __future__ import annotations

import builtins

from .. import _dtype, return_types
from .._backend import sum_to
from .._tensor import Tensor, make
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
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
    shape = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    data = input._data
    if shape == data.shape:
        return input
    lead = data.ndim - len(shape)
    if lead < 0 or builtins.any(
        n != m and n != 1 for n, m in zip(shape, data.shape[lead:], strict=True)
    ):
        raise RuntimeError(
            f"size {{{list(shape)}}} is not expandable to size {{{list(data.shape)}}}."
        )
    if not (STATE.grad_enabled and input._requires_grad):
        # nothing to record (the engine reducing a broadcast gradient): one plain sum
        return make(sum_to(data, shape))
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


def _reduced(array, dims, keepdim):
    """Drops the reduced ``dims`` of a keepdim-shaped array unless ``keepdim``."""
    if keepdim:
        return array
    return array.reshape([n for i, n in enumerate(array.shape) if i not in dims])


def _unreduce(grad, shape, dims, keepdim):
    """A gradient of a reduction, given back its reduced dims (as size 1)."""
    return grad if keepdim else grad.reshape(_kept_shape(shape, dims))


def _out(result, out):
    return write_out(out, result) if out is not None else result


def _check_float(input, name):
    kind = input._data.dtype.kind
    if kind not in "fc":
        raise RuntimeError(
            f"{name}(): expected input to have floating point or complex dtype but got "
            f"{_legacy_short(_dtype.FROM_NP[input._data.dtype])}"
        )


# -- nansum / nanmean / prod -----------------------------------------------------------------


class Nansum(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        return ctx.xp.nansum(x, axis=dims, keepdims=keepdim, dtype=_sum_dtype(x, dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
        return grad.expand(x.shape) * ~x.isnan()


@tensor_method()
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    return _out(Nansum.apply(input, _dims_of(dim, input._data.ndim), keepdim, dtype), out)


@tensor_method()
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements (NaN where there are none)."""
    _check_float(input, "nanmean")
    count = (~input.isnan()).sum(dim, keepdim)
    return _out(nansum(input, dim, keepdim, dtype=dtype) / count, out)


def _exclusive_cumprod(x, dim, reverse=False):
    """``prod(x[:i])`` at each i along ``dim`` (of x[i+1:] when reverse), without division."""
    from .shape import cat, narrow

    n = x.shape[dim]
    one = make(xp.ones(_kept_shape(x.shape, (dim,)), x._data.dtype))
    if reverse:
        x = _flip(x, dim)
    out = cat([one, narrow(x, dim, 0, n - 1)], dim).cumprod(dim)
    return _flip(out, dim) if reverse else out


def _flip(x, dim):
    from .index import index_select

    n = x.shape[dim]
    return index_select(x, dim, make(xp.arange(n - 1, -1, -1)))


def _prod_backward(grad, x, out, dim):
    """PyTorch's rule: grad * prod of the other elements, exact where x holds zeros."""
    if not (x._data == 0).any():
        return grad * out / x
    return grad * _exclusive_cumprod(x, dim) * _exclusive_cumprod(x, dim, reverse=True)


class Prod(Op):
    @staticmethod
    def forward(ctx, x, dtype):
        out = ctx.xp.prod(x, dtype=_sum_dtype(x, dtype))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        flat = x.reshape(-1)
        if flat.shape[0] == 0:
            return grad.expand(x.shape) * 0
        return _prod_backward(grad, flat, out, 0).reshape(x.shape)


class Prod1(Op):
    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        out = _reduced(ctx.xp.prod(x, axis=dim, keepdims=True, dtype=_sum_dtype(x, dtype)),
                       (dim,), keepdim)  # fmt: skip
        ctx.save_for_backward(x, out)  # the output itself: backward stays differentiable
        ctx.dim, ctx.keepdim = dim, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        grad = _unreduce(grad, x.shape, (ctx.dim,), ctx.keepdim)
        out = _unreduce(out, x.shape, (ctx.dim,), ctx.keepdim)
        if x.ndim == 0 or x.shape[ctx.dim] == 0:
            return grad.expand(x.shape) * 1
        return _prod_backward(grad, x, out, ctx.dim)


@tensor_method()
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along one ``dim``.

    >>> numtorch.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    if dim is None:
        return _out(Prod.apply(input, dtype), out)
    dim = wrap_dim(dim, input._data.ndim)
    return _out(Prod1.apply(input, dim, keepdim, dtype), out)


# -- aminmax / count_nonzero ------------------------------------------------------------------


class Aminmax(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        if x.size == 0 or (dims and builtins_any(x.shape[d] == 0 for d in dims)):
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        low = ctx.xp.amin(x, axis=dims, keepdims=True)
        high = ctx.xp.amax(x, axis=dims, keepdims=True)
        ctx.save_for_backward(x, low, high)
        ctx.dims, ctx.keepdim = dims, keepdim
        return _reduced(low, dims, keepdim), _reduced(high, dims, keepdim)

    @staticmethod
    def backward(ctx, grad_min, grad_max):
        x, low, high = ctx.saved_tensors
        out = None
        for grad, value in ((grad_min, low), (grad_max, high)):
            if grad is None:
                continue
            mask = x == value
            g = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim) * mask / mask.sum(ctx.dims, True)
            out = g if out is None else out + g
        return out


def builtins_any(values) -> bool:
    for v in values:
        if v:
            return True
    return False


@tensor_method()
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` over ``dim`` (every element when None), as a named tuple."""
    ndim = input._data.ndim
    dims = tuple(range(ndim)) if dim is None else (wrap_dim(dim, ndim),) if ndim else ()
    low, high = Aminmax.apply(input, dims, keepdim)
    if out is not None:
        write_out(out[0], low)
        write_out(out[1], high)
        return return_types.aminmax(out)
    return return_types.aminmax((low, high))


@tensor_method()
def count_nonzero(input, dim=None):
    """The number of nonzero elements (per ``dim`` when given)."""
    data = input._data
    axis = None if dim is None else _dims_of(dim, data.ndim)
    return make(xp.asarray(xp.count_nonzero(data, axis=axis), dtype=xp.int64))


# -- var / std ----------------------------------------------------------------------------------


def _var_args(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # std(x, False): the legacy unbiased overload
        dim, unbiased = None, dim
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    elif unbiased is not None:
        raise RuntimeError(f"{name}: can't specify both unbiased and correction")
    if input._data.dtype.kind not in "fc":
        what = name if name in ("std_mean", "var_mean") else "std and var"
        raise RuntimeError(f"{what} only support floating point and complex dtypes")
    return _dims_of(dim, input._data.ndim), keepdim, correction


def _var_forward(ctx, x, dims, correction, name):
    n = 1
    for d in dims:
        n *= x.shape[d]
    if n - correction <= 0:
        import warnings

        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel). (Triggered internally at "
            "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)",
            UserWarning,
            stacklevel=4,
        )
    mean = (
        ctx.xp.mean(x, axis=dims, keepdims=True)
        if n
        else ctx.xp.full(_kept_shape(x.shape, dims), ctx.xp.nan, x.dtype)
    )
    dev = x - mean
    sq = (dev * dev.conj()).real if x.dtype.kind == "c" else dev * dev
    var = ctx.xp.sum(sq, axis=dims, keepdims=True) / builtins_max(n - correction, 0)
    return var.astype(sq.dtype, copy=False), mean


def builtins_max(a, b):
    return a if a > b else b


def _var_backward(grad, x, dims, correction):
    n = 1
    for d in dims:
        n *= x.shape[d]
    return grad * (2.0 / (n - correction)) * (x - x.mean(dims, True))


class Var(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _ = _var_forward(ctx, x, dims, correction, "var")
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.correction = dims, keepdim, correction
        return _reduced(var, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
        return _var_backward(grad, x, ctx.dims, ctx.correction)


def _std_grad(grad, out):
    return where_zero(out == 0, grad / (out * 2))


def where_zero(mask, value):
    from .elementwise import where

    return where(mask, 0.0, value)


class Std(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _ = _var_forward(ctx, x, dims, correction, "std")
        out = _reduced(ctx.xp.sqrt(var), dims, keepdim)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim, ctx.correction = dims, keepdim, correction
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
        out = _unreduce(out, x.shape, ctx.dims, ctx.keepdim)
        return _var_backward(_std_grad(grad, out), x, ctx.dims, ctx.correction)


class VarMean(Op):
    sqrt = False

    @classmethod
    def forward(cls, ctx, x, dims, keepdim, correction):
        var, mean = _var_forward(ctx, x, dims, correction, "std" if cls.sqrt else "var")
        first = _reduced(ctx.xp.sqrt(var) if cls.sqrt else var, dims, keepdim)
        ctx.save_for_backward(x, first)
        ctx.dims, ctx.keepdim, ctx.correction = dims, keepdim, correction
        return first, _reduced(mean.astype(x.dtype), dims, keepdim)

    @classmethod
    def backward(cls, ctx, grad, grad_mean):
        x, first = ctx.saved_tensors
        n = 1
        for d in ctx.dims:
            n *= x.shape[d]
        out = None
        if grad is not None:
            grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
            if cls.sqrt:
                grad = _std_grad(grad, _unreduce(first, x.shape, ctx.dims, ctx.keepdim))
            out = _var_backward(grad, x, ctx.dims, ctx.correction)
        if grad_mean is not None:
            g = _unreduce(grad_mean, x.shape, ctx.dims, ctx.keepdim).expand(x.shape) / n
            out = g if out is None else out + g
        return out


class StdMean(VarMean):
    sqrt = True


@tensor_method()
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim``; ``correction`` (default 1: Bessel's) is subtracted from the
    count. ``unbiased=False`` is ``correction=0``.

    >>> numtorch.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
    dims, keepdim, correction = _var_args(input, dim, unbiased, keepdim, correction, "var")
    return _out(Var.apply(input, dims, keepdim, correction), out)


@tensor_method()
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` (see ``var`` for ``correction``)."""
    dims, keepdim, correction = _var_args(input, dim, unbiased, keepdim, correction, "std")
    return _out(Std.apply(input, dims, keepdim, correction), out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``(var, mean)`` in one pass (a plain tuple, as PyTorch's)."""
    dims, keepdim, correction = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return VarMean.apply(input, dims, keepdim, correction)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """``(std, mean)`` in one pass (a plain tuple, as PyTorch's)."""
    dims, keepdim, correction = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return StdMean.apply(input, dims, keepdim, correction)


# -- norms / logsumexp ----------------------------------------------------------------------------


class LinalgVectorNorm(Op):
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        a = ctx.xp.abs(x)
        if p == 2:
            out = ctx.xp.sqrt(ctx.xp.sum(a * a, axis=dims, keepdims=True))
        elif p == float("inf"):
            out = (
                ctx.xp.amax(a, axis=dims, keepdims=True)
                if a.size
                else ctx.xp.zeros(_kept_shape(a.shape, dims), a.dtype)
            )
        elif p == float("-inf"):
            out = ctx.xp.amin(a, axis=dims, keepdims=True)
        elif p == 0:
            out = ctx.xp.sum(a != 0, axis=dims, keepdims=True).astype(a.dtype)
        elif p == 1:
            out = ctx.xp.sum(a, axis=dims, keepdims=True)
        else:
            out = ctx.xp.sum(a**p, axis=dims, keepdims=True) ** (1.0 / p)
        out = _reduced(out.astype(a.dtype, copy=False), dims, keepdim)
        ctx.save_for_backward(x, out)
        ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p = ctx.p
        grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
        norm = _unreduce(norm, x.shape, ctx.dims, ctx.keepdim)
        if p == 0:
            return x * 0
        if p == 1:
            return x.sgn() * grad
        if p == 2:
            return where_zero(norm == 0, grad / norm) * x
        if p in (float("inf"), float("-inf")):
            a = x.abs()
            mask = (a == norm) | a.isnan()
            return x.sgn() * ((grad / mask.sum(ctx.dims, True)) * mask)
        scale = where_zero(norm == 0, grad / norm ** (p - 1))
        if p < 2:
            return x.sgn() * x.abs() ** (p - 1) * scale
        return x * x.abs() ** (p - 2) * scale


@tensor_method()
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector p-norm over ``dim`` (all elements when None); ``'fro'`` is the 2-norm.

    >>> numtorch.tensor([3., 4.]).norm()
    tensor(5.)
    """
    if isinstance(p, str):
        if p != "fro" or (dim is not None and not isinstance(dim, int) and len(dim) > 2):
            # 'nuc' (and 'fro' over more than 2 dims) are matrix norms: torch.linalg's
            from . import linalg

            dims = list(range(input._data.ndim)) if dim is None else dim
            return linalg.matrix_norm(input, p, dims, keepdim, dtype=dtype, out=out)
        p = 2
    if p is None:
        p = 2
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_legacy_short(_dtype.FROM_NP[input._data.dtype])}"
        )
    if dtype is not None:
        input = input.to(dtype)
    dims = _dims_of(dim, input._data.ndim)
    return _out(LinalgVectorNorm.apply(input, float(p), dims, keepdim), out)


class Logsumexp(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        from ._common import float_array

        x = float_array(x)
        if x.size == 0:
            out = ctx.xp.log(ctx.xp.sum(ctx.xp.exp(x), axis=dims, keepdims=True))
        else:
            m = ctx.xp.amax(x, axis=dims, keepdims=True)
            m = ctx.xp.where(ctx.xp.isinf(m), 0, m)  # all -inf (or an inf) stays exact
            out = ctx.xp.log(ctx.xp.sum(ctx.xp.exp(x - m), axis=dims, keepdims=True)) + m
        out = _reduced(out.astype(x.dtype, copy=False), dims, keepdim)
        ctx.save_for_backward(x, out)
        ctx.dims, ctx.keepdim = dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        grad = _unreduce(grad, x.shape, ctx.dims, ctx.keepdim)
        out = _unreduce(out, x.shape, ctx.dims, ctx.keepdim)
        return grad * (x - out).exp()


@tensor_method()
def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow."""
    return _out(Logsumexp.apply(input, _dims_of(dim, input._data.ndim), keepdim), out)


# -- scans ----------------------------------------------------------------------------------------


def _scan_dim(input, dim):
    return wrap_dim(dim, input._data.ndim)


class Cumsum(Op):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        ctx.dim = dim
        if x.ndim == 0:
            return x.astype(_sum_dtype(x, dtype))
        return ctx.xp.cumsum(x, axis=dim, dtype=_sum_dtype(x, dtype))

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad
        # the sum of grad over positions >= i, as a differentiable expression
        return grad.sum(ctx.dim, keepdim=True) - grad.cumsum(ctx.dim) + grad


@tensor_method()
def cumsum(input, dim, *, dtype=None, out=None):
    """Running sums along ``dim`` (integers sum in int64, as PyTorch)."""
    return _out(Cumsum.apply(input, _scan_dim(input, dim), dtype), out)


class Cumprod(Op):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        out = (
            x.astype(_sum_dtype(x, dtype))
            if x.ndim == 0
            else ctx.xp.cumprod(x, axis=dim, dtype=_sum_dtype(x, dtype))
        )
        ctx.save_for_backward(x, out)
        ctx.dim = dim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if x.ndim == 0:
            return grad
        dim = ctx.dim
        if x.shape[dim] == 0:
            return grad
        if not (x._data == 0).any():
            prod = grad * out
            return (prod.sum(dim, keepdim=True) - prod.cumsum(dim) + prod) / x
        # with zeros: d out_i / d x_k = prod_{j <= i, j != k} x_j, built by setting x_k to 1
        from .elementwise import where

        n = x.shape[dim]
        moved = x.transpose(dim, -1).unsqueeze(-2)  # (..., 1, n)
        eye = make(xp.eye(n, dtype=bool))
        others = where(eye, 1.0, moved).cumprod(-1)  # (..., k, i)
        upper = make(xp.triu(xp.ones((n, n), bool)))  # i >= k
        g = grad.transpose(dim, -1).unsqueeze(-2)
        return (others * g * upper).sum(-1).transpose(dim, -1)


@tensor_method()
def cumprod(input, dim, *, dtype=None, out=None):
    """Running products along ``dim``; the gradient is exact where the input holds zeros."""
    return _out(Cumprod.apply(input, _scan_dim(input, dim), dtype), out)


for _fn, _name in [(cumsum, "cumsum_"), (cumprod, "cumprod_")]:
    from .elementwise import _inplace_method

    _inplace_method(_fn, _name)
