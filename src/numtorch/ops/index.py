"""Indexing: ``x[...]`` reading (basic indexing gives views) and writing, index_select,
masked_select/masked_fill, gather, nonzero."""

from __future__ import annotations

import builtins

from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import shape_str, tensor_method, to_tensor, wrap_dim, write_out, xp

_py_int, _py_bool, _py_slice = builtins.int, builtins.bool, builtins.slice


def _normalize(key, shape):
    """The key as a tuple of ints, slices, None, Ellipsis and index arrays, plus whether it is
    basic (a view) and the index of the last component, for naming the node."""
    if not isinstance(key, tuple):
        key = (key,)
    out = []
    advanced = False
    dim = 0
    consumed = builtins.sum(
        1
        for k in key
        if k is not None
        and k is not Ellipsis
        and not isinstance(k, _py_bool)
        and not (isinstance(k, Tensor) and k._data.dtype.kind == "b")
    )
    consumed += builtins.sum(
        k._data.ndim - 1 for k in key if isinstance(k, Tensor) and k._data.dtype.kind == "b"
    )
    for k in key:
        if isinstance(k, Tensor):
            data = k._data
            if data.dtype.kind == "b":
                _check_mask(data, shape, dim)
                advanced = True
                out.append(data)
                dim += builtins.max(data.ndim, 1) if data.ndim else 0
                continue
            if data.dtype.kind not in "iu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if data.ndim == 0 and not advanced and data.dtype.kind in "iu":
                k = int(data)
            else:
                advanced = True
                out.append(_check_range(data, shape, dim))
                dim += 1
                continue
        if isinstance(k, _py_bool):
            advanced = True
            out.append(xp.asarray(k))
            continue
        if isinstance(k, _py_int) or (
            hasattr(k, "__index__")
            and not isinstance(k, _py_slice)
            and k is not None
            and k is not Ellipsis
            and not isinstance(k, (list, tuple))
            and not hasattr(k, "shape")
        ):
            k = int(k)
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= k < size:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {size}")
            out.append(k)
            dim += 1
        elif isinstance(k, _py_slice):
            if k.step is not None and int(k.step) <= 0:
                raise ValueError("step must be greater than zero")
            out.append(k)
            dim += 1
        elif k is None:
            out.append(None)
        elif k is Ellipsis:
            out.append(Ellipsis)
            dim += len(shape) - consumed
        else:  # lists, tuples, arrays
            arr = xp.asarray(k.numpy() if isinstance(k, Tensor) else k)
            if arr.dtype.kind == "b":
                _check_mask(arr, shape, dim)
                out.append(arr)
                dim += arr.ndim
            else:
                if arr.size == 0:
                    arr = arr.astype(xp.int64)
                if arr.dtype.kind not in "iu":
                    raise IndexError(
                        "tensors used as indices must be long, int, byte or bool tensors"
                    )
                out.append(_check_range(arr, shape, dim))
                dim += 1
            advanced = True
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    return tuple(out), not advanced


def _check_range(arr, shape, dim):
    if dim >= len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    size = shape[dim]
    if arr.size:
        low, high = int(arr.min()), int(arr.max())
        bad = high if high >= size else (low if low < -size else None)
        if bad is not None:
            raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    return arr


def _check_mask(mask, shape, dim):
    for i, n in enumerate(mask.shape):
        if dim + i >= len(shape) or shape[dim + i] != n:
            raise IndexError(
                f"The shape of the mask {shape_str(mask.shape)} at index {i} does not match the "
                f"shape of the indexed tensor {shape_str(shape)} at index {dim + i}"
            )


class _BasicIndex(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, key):
        ctx.shape = x.shape
        ctx.key = key
        return x[key + (Ellipsis,)] if Ellipsis not in key else x[key]

    @staticmethod
    def backward(ctx, grad):
        return _BasicIndexBackward.apply(grad, ctx.shape, ctx.key)


class Select(_BasicIndex):
    pass


class Slice(_BasicIndex):
    pass


class Unsqueeze(_BasicIndex):
    pass


class Alias(_BasicIndex):
    pass


class _BasicIndexBackward(Op):
    node_name = "SelectBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        out = ctx.xp.zeros(shape, grad.dtype)
        out[key] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return _basic_op(ctx.key).apply(gg, ctx.key)


def _basic_op(key):
    for k in reversed(key):
        if isinstance(k, _py_int):
            return Select
        if isinstance(k, _py_slice):
            if k != _py_slice(None):
                return Slice
            continue
        if k is None:
            return Unsqueeze
    return Alias


class Index(Op):
    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return _IndexAdd.apply(grad, ctx.shape, ctx.key)


class _IndexAdd(Op):
    """Scatters ``grad`` back into zeros, adding where an index repeats."""

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        out = ctx.xp.zeros(shape, grad.dtype)
        ctx.xp.add.at(out, key, grad)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.key)


def getitem(self, key):
    if key.__class__ is _py_int and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return Select.apply(self, (key,))
    if self._data.ndim == 0 and key is not None and key is not Ellipsis and key != ():
        if not (isinstance(key, Tensor) and key._data.dtype.kind == "b"):
            if not isinstance(key, _py_bool):
                raise IndexError(
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                    "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a "
                    "number"
                )
    norm, basic = _normalize(key, self._data.shape)
    if basic:
        return _basic_op(norm).apply(self, norm)
    return Index.apply(self, norm)


class IndexPut(Op):
    @staticmethod
    def forward(ctx, x, value, key, accumulate):
        ctx.key, ctx.accumulate = key, accumulate
        out = x.copy()
        value = ctx.xp.asarray(value).astype(x.dtype, copy=False)
        try:
            if accumulate:
                ctx.xp.add.at(out, key, value)
            else:
                out[key] = value
        except ValueError:
            target = x[key].shape
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {shape_str(value.shape)} cannot be "
                f"broadcast to indexing result of shape {shape_str(target)}"
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = grad if ctx.accumulate else IndexPut.apply(grad, 0, ctx.key, False)
        return gx, Index.apply(grad, ctx.key)


def _index_put(self, key, value, accumulate=False):
    return IndexPut.apply(self, value, key, accumulate)


def setitem(self, key, value):
    if not isinstance(value, Tensor):
        value = _as_value(value, self)
    if self._requires_grad and self._grad_fn is None and self._base is None and _grad_enabled():
        self._check_inplace()
    norm, basic = _normalize(key, self._data.shape)
    if basic:
        from .shape import copy_

        view = _basic_op(norm).apply(self, norm)
        copy_(view, value)
        return
    self._inplace(_index_put, norm, value)


def _grad_enabled():
    from ..autograd.grad_mode import STATE

    return STATE.grad_enabled


def _as_value(value, like):
    from .creation import tensor

    if isinstance(value, (_py_int, float, _py_bool, complex)):
        return value
    return tensor(value, dtype=like.dtype)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


@tensor_method()
def index_put_(self, indices, values, accumulate=False):
    """``self[indices] = values`` (``+=`` with ``accumulate``, counting repeated indices)."""
    norm, _ = _normalize(tuple(indices), self._data.shape)
    return self._inplace(_index_put, norm, values, accumulate)


@tensor_method()
def index_put(self, indices, values, accumulate=False):
    norm, _ = _normalize(tuple(indices), self._data.shape)
    return IndexPut.apply(self, values, norm, accumulate)


class IndexSelect(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        ctx.save_for_backward(index)
        return ctx.xp.take(x, index, axis=dim) if x.ndim else x[index]

    @staticmethod
    def backward(ctx, grad):
        (index,) = ctx.saved_tensors
        key = (slice(None),) * ctx.dim + (index._data,)
        return _IndexAdd.apply(grad, ctx.shape, key), None, None


def index_select(input, dim, index, *, out=None):
    """The entries at ``index`` (a 1-D integer tensor) along ``dim``.

    >>> numtorch.index_select(numtorch.tensor([[1, 2], [3, 4]]), 1, numtorch.tensor([1]))
    tensor([[2],
            [4]])
    """
    if not isinstance(index, Tensor):
        index = to_tensor(index)
    if index._data.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if index._data.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    dim = wrap_dim(dim, input._data.ndim)
    _check_range(index._data, input._data.shape or (1,), dim)
    result = IndexSelect.apply(input, dim, index.reshape(-1) if index._data.ndim == 0 else index)
    if index._data.ndim == 0 and input._data.ndim == 0:
        result = result.reshape(())
    return write_out(out, result) if out is not None else result


Tensor.index_select = index_select


class MaskedSelect(Op):
    @staticmethod
    def forward(ctx, x, mask):
        try:
            shape = ctx.xp.broadcast_shapes(x.shape, mask.shape)
        except ValueError:
            from ._common import broadcast_error

            raise broadcast_error(x.shape, mask.shape) from None
        full_mask = ctx.xp.broadcast_to(mask, shape)
        ctx.shape, ctx.mask = shape, full_mask
        return ctx.xp.broadcast_to(x, shape)[full_mask]

    @staticmethod
    def backward(ctx, grad):
        return _IndexAdd.apply(grad, ctx.shape, (ctx.mask,)), None


@tensor_method()
def masked_select(input, mask, *, out=None):
    """The elements where ``mask`` (broadcast) is True, as a 1-D tensor."""
    if mask._data.dtype.kind != "b":
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    result = MaskedSelect.apply(input, mask)
    return write_out(out, result) if out is not None else result


class MaskedFill(Op):
    @staticmethod
    def forward(ctx, x, mask, value):
        ctx.save_for_backward(mask)
        try:
            return ctx.xp.where(mask, ctx.xp.asarray(value).astype(x.dtype), x)
        except ValueError:
            from ._common import broadcast_error

            raise broadcast_error(x.shape, mask.shape) from None

    @staticmethod
    def backward(ctx, grad):
        (mask,) = ctx.saved_tensors
        gx = grad.masked_fill(mask, 0)
        gv = None
        if len(ctx.needs_input_grad) > 2 and ctx.needs_input_grad[2]:
            gv = (grad * mask).sum()
        return gx, None, gv


@tensor_method()
def masked_fill(input, mask, value):
    """``value`` where ``mask`` is True, ``input`` elsewhere."""
    if mask._data.dtype.kind != "b":
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{str(mask.dtype).split('.')[-1]}"
        )
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    return MaskedFill.apply(input, mask, value)


@tensor_method()
def masked_fill_(input, mask, value):
    return input._inplace(masked_fill, mask, value)


class Gather(Op):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim = x.shape, dim
        key = _gather_key(ctx.xp, index, dim)
        ctx.key = key
        return x[key]

    @staticmethod
    def backward(ctx, grad):
        return _IndexAdd.apply(grad, ctx.shape, ctx.key), None, None


def _gather_key(xp_, index, dim):
    grids = xp_.indices(index.shape, sparse=True)
    return tuple(index if d == dim else grids[d] for d in range(index.ndim))


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` for ``dim=1`` (and likewise for other dims).

    >>> numtorch.gather(numtorch.tensor([[1, 2], [3, 4]]), 1, numtorch.tensor([[1], [0]]))
    tensor([[2],
            [3]])
    """
    data, idx = input._data, index._data
    if idx.dtype != xp.int64:
        raise RuntimeError("gather(): Expected dtype int64 for index")
    dim = wrap_dim(dim, data.ndim)
    if idx.ndim != data.ndim and not (data.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(idx.ndim):
        if d != dim and idx.shape[d] > data.shape[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {shape_str(idx.shape)} to "
                f"be no larger than self {shape_str(data.shape)} apart from dimension {dim}"
            )
    if idx.size:
        size = data.shape[dim] if data.ndim else 1
        if idx.min() < -size or idx.max() >= size:
            bad = int(idx.max()) if idx.max() >= size else int(idx.min())
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    result = Gather.apply(input, dim, idx)
    return write_out(out, result) if out is not None else result


Tensor.gather = gather


def nonzero(input, *, as_tuple=False, out=None):
    """Indices of the nonzero elements: an (n, ndim) int64 tensor, or one tensor per dim.

    >>> numtorch.nonzero(numtorch.tensor([[0, 1], [2, 0]]))
    tensor([[0, 1],
            [1, 0]])
    """
    data = input._data
    if as_tuple:
        if data.ndim == 0:
            return (make(xp.nonzero(data.reshape(1))[0]),)
        return tuple(make(i) for i in xp.nonzero(data))
    result = make(xp.argwhere(data).astype(xp.int64))
    return write_out(out, result) if out is not None else result


Tensor.nonzero = nonzero


@tensor_method()
def argwhere(input):
    return nonzero(input)
