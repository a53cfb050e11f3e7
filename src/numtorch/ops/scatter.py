"""Scatter-style writes: scatter, scatter_add, scatter_reduce, index_add, index_copy,
index_reduce. Each has an out-of-place function, a Tensor method and an in-place ``x_`` form
(``_inplace`` writes the out-of-place result back and records its node)."""

from __future__ import annotations

import warnings

from .._tensor import Tensor, legacy_type_name, make
from ..autograd.function import Op
from ._common import shape_str, tensor_method, wrap_dim, xp

_REDUCE_WARNED = {"scatter": False, "index_reduce": False}


def _short(np_dtype) -> str:
    return legacy_type_name(np_dtype).split(".")[-1][: -len("Tensor")]


def _gather_key(xp_, index, dim):
    """The index tuple that pairs each element of ``index`` with its target position."""
    grids = xp_.indices(index.shape, sparse=True)
    return tuple(index if d == dim else grids[d] for d in range(index.ndim))


def _prefix(src, shape):
    """The leading ``shape`` block of ``src`` (scatter reads src only where index has entries)."""
    return src[tuple(slice(0, n) for n in shape)]


def _check_scatter(x, dim, index, src=None):
    """PyTorch's scatter/gather shape checks; returns ``dim`` wrapped and the raw index."""
    data, idx = x._data, index._data
    if idx.dtype not in (xp.int64, xp.int32):
        raise RuntimeError("scatter(): Expected dtype int32/int64 for index")
    if src is not None and src._data.dtype != data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    dim = wrap_dim(dim, data.ndim)
    if idx.ndim != data.ndim and not (data.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if (
        src is not None
        and idx.ndim != src._data.ndim
        and not (src._data.ndim == 0 and idx.ndim <= 1)
    ):
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    shape = data.shape or (1,)
    sshape = (src._data.shape or (1,)) if src is not None else None
    for d in range(idx.ndim):
        too_big = d != dim and idx.shape[d] > shape[d]
        if too_big or (sshape is not None and idx.shape[d] > sshape[d]):
            tail = f" and to be no larger size than src {shape_str(sshape)}" if sshape else ""
            raise RuntimeError(
                f"Expected index {shape_str(idx.shape)} to be no larger than self "
                f"{shape_str(data.shape)} apart from dimension {dim}{tail}"
            )
    if idx.size:
        size = shape[dim]
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= size:  # scatter takes no negative indices
            bad = high if high >= size else low
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return dim, idx.reshape(idx.shape if data.ndim else idx.shape[:0] or ())


def _flat(x):
    return x.reshape(1) if x.ndim == 0 else x


class Scatter(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = _flat(x).copy()
        out[_gather_key(ctx.xp, _flat(index), dim)] = _prefix(_flat(src), _flat(index).shape)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        index = make(ctx.index)
        gx = grad.scatter(ctx.dim, index, 0) if ctx.needs_input_grad[0] else None
        gs = grad.gather(ctx.dim, index) if ctx.needs_input_grad[3] else None
        return gx, None, None, gs


class Scatter1(Op):
    """scatter with a number as the value."""

    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = _flat(x).copy()
        out[_gather_key(ctx.xp, _flat(index), dim)] = value
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.scatter(ctx.dim, make(ctx.index), 0), None, None, None


class ScatterReduceLegacy(Op):
    """scatter(..., reduce="add"/"multiply"): PyTorch has no derivative for it."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce):
        out = _flat(x).copy()
        key = _gather_key(ctx.xp, _flat(index), dim)
        value = _prefix(_flat(src), _flat(index).shape) if hasattr(src, "ndim") else src
        ufunc = ctx.xp.add if reduce == "add" else ctx.xp.multiply
        ufunc.at(out, key, ctx.xp.asarray(value).astype(x.dtype))
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


ScatterReduceLegacy._node_cls.name = lambda self: "torch::autograd::NotImplemented"


@tensor_method()
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim``: for ``dim=0``,
    ``out[index[i][j]][j] = src[i][j]`` (``src`` may be a number, or ``value=``).

    >>> numtorch.zeros(2, 2).scatter(0, numtorch.tensor([[1, 0]]), 5.0)
    tensor([[0., 5.],
            [5., 0.]])
    """
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src'")
    is_tensor = isinstance(src, Tensor)
    dim, idx = _check_scatter(input, dim, index, src if is_tensor else None)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if is_tensor and not _REDUCE_WARNED["scatter"]:
            _REDUCE_WARNED["scatter"] = True  # TORCH_WARN_ONCE
            warnings.warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/"
                "native/TensorAdvancedIndexing.cpp:225.)",
                UserWarning,
                stacklevel=2,
            )
        result = ScatterReduceLegacy.apply(input, dim, idx, src, reduce)
    elif is_tensor:
        result = Scatter.apply(input, dim, idx, src)
    else:
        result = Scatter1.apply(input, dim, idx, src)
    return _out(out, result)


def _out(out, result):
    if out is None:
        return result
    from ._common import write_out

    return write_out(out, result)


@tensor_method()
def scatter_(self, dim, index, src=None, value=None, *, reduce=None):
    return self._inplace(scatter, dim, index, src, value, reduce=reduce)


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src):
        ctx.dim, ctx.index = dim, index
        out = _flat(x).copy()
        key = _gather_key(ctx.xp, _flat(index), dim)
        ctx.xp.add.at(out, key, _prefix(_flat(src), _flat(index).shape))
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        gs = grad.gather(ctx.dim, make(ctx.index)) if ctx.needs_input_grad[3] else None
        return grad, None, None, gs


@tensor_method()
def scatter_add(input, dim, index, src, *, out=None):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    dim, idx = _check_scatter(input, dim, index, src)
    return _out(out, ScatterAdd.apply(input, dim, idx, src))


@tensor_method()
def scatter_add_(self, dim, index, src):
    return self._inplace(scatter_add, dim, index, src)


_UFUNCS = {"sum": "add", "mean": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(xp_, reduce, dtype):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    if dtype.kind == "f":
        return -xp_.inf if reduce == "amax" else xp_.inf
    if dtype.kind == "b":
        return reduce == "amin"
    info = xp_.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce(xp_, x, dim, index, src, reduce, include_self):
    """The forward of scatter_reduce on arrays (index_reduce comes here with its index
    expanded to the shape of ``source``)."""
    out = _flat(x).copy()
    index = _flat(index)
    key = _gather_key(xp_, index, dim)
    src = _prefix(_flat(src), index.shape)
    if not include_self:
        out[key] = _identity(xp_, reduce, x.dtype)
    getattr(xp_, _UFUNCS[reduce]).at(out, key, src)
    if reduce == "mean":
        count = xp_.full(out.shape, 1 if include_self else 0, dtype=xp_.int64)
        xp_.add.at(count, key, 1)
        count[count == 0] = 1
        if out.dtype.kind in "fc":
            out = out / count.astype(out.dtype)
        else:
            out = out // count.astype(out.dtype)
    return out.reshape(x.shape).astype(x.dtype, copy=False)


class ScatterReduce(Op):
    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        out = _scatter_reduce(ctx.xp, x, dim, index, src, reduce, include_self)
        ctx.save_for_backward(x, src, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, src, result = ctx.saved_tensors
        gx, gs = _scatter_reduce_backward(
            grad, x, ctx.dim, make(ctx.index), src, ctx.reduce, ctx.include_self, result
        )
        return gx, None, None, gs, None, None


def _scatter_reduce_backward(grad, x, dim, index, src, reduce, include_self, result):
    """PyTorch's ``scatter_reduce_backward``, in Tensor ops (so it differentiates again)."""
    from .creation import ones_like, zeros_like
    from .elementwise import where

    if reduce == "sum":
        gx, gs = grad, grad.gather(dim, index)
    elif reduce == "mean":
        n = ones_like(grad) if include_self else zeros_like(grad)
        n = n.scatter_add(dim, index, ones_like(src))
        n = n.masked_fill(n == 0, 1)
        gx = grad / n
        gs = grad.gather(dim, index) / n.gather(dim, index)
    elif reduce == "prod":
        # zeros in x or src would make result / x undefined: they are handled apart, as PyTorch
        masked_x = x.masked_fill(x == 0, 1)
        masked_x_result = masked_x.scatter_reduce(
            dim, index, src, reduce, include_self=include_self
        )
        gx = grad * masked_x_result / masked_x
        src_zero = src == 0
        src_num_zeros = zeros_like(x).scatter_add(dim, index, src_zero.to(x.dtype))
        src_single_zero = src_zero & (src_num_zeros.gather(dim, index) == 1)
        masked_src = src.masked_fill(src_single_zero, 1)
        masked_src_result = x.scatter_reduce(
            dim, index, masked_src, reduce, include_self=include_self
        )
        gs = where(
            src_single_zero,
            (grad * masked_src_result).gather(dim, index),
            (grad * result).gather(dim, index) / src.masked_fill(src_zero, 1),
        )
    else:  # amax, amin: the gradient is shared evenly among the elements equal to the result
        value = result.gather(dim, index)
        x_is_result = (x == result).to(x.dtype)
        src_is_result = (src == value).to(x.dtype)
        n = x_is_result.scatter_add(dim, index, src_is_result)
        distributed = grad / n
        gx = x_is_result * distributed
        gs = src_is_result * distributed.gather(dim, index)
    if not include_self:
        gx = gx.scatter(dim, index, 0)
    return gx, gs


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


@tensor_method()
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """A copy of ``input`` where the ``src`` values scattered to each position (see scatter)
    are reduced with ``reduce`` ("sum", "prod", "mean", "amax", "amin"), together with the
    position's own value when ``include_self``.

    >>> x = numtorch.tensor([1.0, 2.0])
    >>> x.scatter_reduce(0, numtorch.tensor([0, 0]), numtorch.tensor([5.0, 6.0]), "amax")
    tensor([6., 2.])
    """
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    dim, idx = _check_scatter(input, dim, index, src)
    result = ScatterReduce.apply(input, dim, idx, src, reduce, bool(include_self))
    return _out(out, result)


@tensor_method()
def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    return self._inplace(scatter_reduce, dim, index, src, reduce, include_self=include_self)


# -- index_add, index_copy, index_reduce: whole slices along one dim ------------------------------


def _check_index_op(name, x, dim, index, source, same_type_msg):
    data, idx = x._data, index._data
    if idx.ndim > 1:
        raise IndexError(
            f"{name}(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{_short(idx.dtype)} and size: {shape_str(idx.shape)}"
        )
    if idx.dtype not in (xp.int64, xp.int32):
        raise RuntimeError(
            f"{name}(): Expected dtype int32/int64 for index but got: {_short(idx.dtype)}"
        )
    dim = wrap_dim(dim, data.ndim)
    src = source._data
    if src.dtype != data.dtype:
        raise RuntimeError(same_type_msg.format(_short(data.dtype), _short(src.dtype)))
    n = src.shape[dim] if src.ndim else 1
    if idx.size != n:
        raise (IndexError if name == "index_copy_" else RuntimeError)(
            f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim)"
            + (f" ({n})" if name == "index_copy_" else f": ({n}), for dim: {dim}")
        )
    return dim, idx.reshape(-1)


def _bounds(idx, size, dim, prefix=""):
    if idx.size:
        low, high = int(idx.min()), int(idx.max())
        if low < 0 or high >= size:  # no negative indices here, unlike index_select
            bad = high if high >= size else low
            return f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}"
    return None


def _along(xp_, x, dim):
    """``x`` with ``dim`` first (a view), 0-d as one element."""
    return xp_.moveaxis(_flat(x), dim, 0)


class IndexAdd(Op):
    @staticmethod
    def forward(ctx, x, dim, index, source, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        ctx.source_shape = source.shape
        out = _flat(x).copy()
        value = _along(ctx.xp, source, dim)
        if alpha != 1:
            value = (value * alpha).astype(x.dtype)
        ctx.xp.add.at(_along(ctx.xp, out, dim), index, value)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[3]:
            gs = grad.reshape(-1) if grad.ndim == 0 else grad
            gs = gs.index_select(ctx.dim, make(ctx.index)).reshape(ctx.source_shape)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return grad, None, None, gs, None


@tensor_method()
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """A copy of ``input`` with ``alpha * source`` added at the positions ``index`` along
    ``dim`` (repeated indices accumulate).

    >>> numtorch.zeros(3).index_add(0, numtorch.tensor([0, 0, 2]), numtorch.ones(3))
    tensor([2., 0., 1.])
    """
    dim, idx = _check_index_op(
        "index_add_",
        input,
        dim,
        index,
        source,
        "index_add_(): self ({}) and source ({}) must have the same scalar type",
    )
    size = input._data.shape[dim] if input._data.ndim else 1
    message = _bounds(idx, size, dim)
    if message:
        raise RuntimeError(message)
    return _out(out, IndexAdd.apply(input, dim, idx, source, alpha))


@tensor_method()
def index_add_(self, dim, index, source, *, alpha=1):
    return self._inplace(index_add, dim, index, source, alpha=alpha)


class IndexCopy(Op):
    @staticmethod
    def forward(ctx, x, dim, index, source):
        ctx.dim, ctx.index, ctx.source_shape = dim, index, source.shape
        out = _flat(x).copy()
        _along(ctx.xp, out, dim)[index] = _along(ctx.xp, source, dim)
        return out.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        index = make(ctx.index)
        flat = grad.reshape(-1) if grad.ndim == 0 else grad
        gx = flat.index_fill(ctx.dim, index, 0).reshape(grad.shape)
        gs = None
        if ctx.needs_input_grad[3]:
            gs = flat.index_select(ctx.dim, index).reshape(ctx.source_shape)
        return gx, None, None, gs


@tensor_method()
def index_copy(input, dim, index, source, *, out=None):
    """A copy of ``input`` with the slices ``index`` along ``dim`` replaced by ``source``'s."""
    dim, idx = _check_index_op(
        "index_copy_",
        input,
        dim,
        index,
        source,
        "index_copy_(): self and source expected to have the same dtype, but got (self) {} and "
        "(source) {}",
    )
    size = input._data.shape[dim] if input._data.ndim else 1
    message = _bounds(idx, size, dim, "index_copy_(): ")
    if message:
        raise IndexError(message)
    return _out(out, IndexCopy.apply(input, dim, idx, source))


@tensor_method()
def index_copy_(self, dim, index, source):
    return self._inplace(index_copy, dim, index, source)


class IndexReduce(ScatterReduce):
    """index_reduce is scatter_reduce with the index spread over the whole of ``source``."""


@tensor_method()
def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """A copy of ``input`` where the slices of ``source`` sent to each index along ``dim`` are
    reduced with ``reduce`` ("prod", "mean", "amax", "amin"), with ``input``'s own slice when
    ``include_self``."""
    if not _REDUCE_WARNED["index_reduce"]:
        _REDUCE_WARNED["index_reduce"] = True  # TORCH_WARN_ONCE
        warnings.warn(
            "index_reduce() is in beta and the API may change at any time. (Triggered internally "
            "at /__w/pytorch/pytorch/aten/src/ATen/native/TensorAdvancedIndexing.cpp:1523.)",
            UserWarning,
            stacklevel=2,
        )
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    dim, idx = _check_index_op(
        "index_reduce_",
        input,
        dim,
        index,
        source,
        "index_reduce_(): self ({}) and source ({}) must have the same scalar type",
    )
    size = input._data.shape[dim] if input._data.ndim else 1
    if _bounds(idx, size, dim):
        raise IndexError("index out of range in self")
    src = source._data
    shape = src.shape or (1,)
    spread = xp.broadcast_to(idx.reshape((-1,) + (1,) * (len(shape) - dim - 1)), shape).reshape(
        src.shape
    )
    result = IndexReduce.apply(input, dim, spread, source, reduce, bool(include_self))
    return _out(out, result)


@tensor_method()
def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return self._inplace(index_reduce, dim, index, source, reduce, include_self=include_self)
