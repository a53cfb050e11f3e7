"""Indexing: ``x[...]`` reading (basic indexing gives views) and writing, index_select,
masked_select/masked_fill/masked_scatter, gather, take, take_along_dim, put, index_fill, nonzero,
and the index builders tril_indices/triu_indices/unravel_index."""

from __future__ import annotations

import builtins
import warnings

from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import shape_str, tensor_method, to_tensor, wrap_dim, write_out, xp

_py_int, _py_bool, _py_slice = builtins.int, builtins.bool, builtins.slice


_INVALID_INDEX = (
    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
    "indices (got {})"
)
_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result (Triggered internally at /__w/pytorch/pytorch/torch/csrc/autograd/"
    "python_variable_indexing.cpp:349.)"
)
_UINT8_WARNING = (
    "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)"
)


def _as_tuple(key):
    """PyTorch's ``treatSequenceAsTuple``: a list holding a tensor, sequence, slice, Ellipsis or
    None is read as a tuple (with a deprecation warning); other non-tuples are one index."""
    if isinstance(key, tuple):
        return key
    if isinstance(key, Tensor) or isinstance(key, xp.ndarray) or not _is_sequence(key):
        return (key,)
    try:
        n = len(key)
    except TypeError:
        return (key,)
    if n >= 32:
        return (key,)
    for item in key:
        if (
            isinstance(item, (Tensor, _py_slice))
            or _is_sequence(item)
            or item is None
            or item is Ellipsis
        ):
            warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=3)
            return tuple(key)
    return (key,)


def _is_sequence(obj) -> bool:
    return isinstance(obj, (list, tuple, str, bytes, range)) or (
        hasattr(obj, "__getitem__") and hasattr(obj, "__len__") and not isinstance(obj, dict)
    )


def _is_int(k) -> bool:
    if isinstance(k, _py_bool):
        return False
    if isinstance(k, _py_int):
        return True
    return (
        hasattr(k, "__index__")
        and not isinstance(k, (Tensor, xp.ndarray, list, tuple))
        and not isinstance(k, _py_slice)
    )


def _index_array(k):
    """A list, tuple or array index as an array (PyTorch's ``sequenceToVariable``)."""
    if isinstance(k, xp.ndarray):
        arr = k
    else:
        from .creation import tensor

        if isinstance(k, (list, tuple)) and len(k) == 0:
            return xp.zeros(0, xp.int64)
        arr = tensor(k)._data
    return arr


def _count_specified(key) -> int:
    n = 0
    for k in key:
        if isinstance(k, Tensor):
            n += k._data.ndim if k._data.dtype in (xp.bool_, xp.uint8) else 1
        elif k is not None and k is not Ellipsis and not isinstance(k, _py_bool):
            n += 1
    return n


def _slice_bounds(k):
    def val(v):
        if v is None:
            return None
        if isinstance(v, Tensor):
            return int(v._data)
        return v.__index__() if not isinstance(v, _py_int) else v

    step = val(k.step)
    if step is not None:
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step < 0:
            raise ValueError("step must be greater than zero")
    return val(k.start), val(k.stop), step


def _apply_slicing(self, key, optimize):
    """PyTorch's ``applySlicing``: the basic parts of ``key`` applied one view op at a time, and
    the index arrays (one per dim of the result, None for the others)."""
    from .shape import Select, Unsqueeze, slice_dim

    shape = self._data.shape
    ndim = len(shape)
    specified = _count_specified(key)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    result = self
    dim = 0  # the dim of ``result`` the next index applies to
    real = 0  # the same dim counted in ``self`` (for error messages)
    indices = []

    def record(arr):
        indices.extend([None] * (dim - len(indices)))
        indices.append(arr)

    for k in key:
        if isinstance(k, Tensor):
            data = k._data
            if data.ndim == 0 and data.dtype.kind in "iu" and data.dtype != xp.uint8:
                k = int(data)
            elif data.ndim == 0 and data.dtype == xp.bool_:
                k = bool(data)
        if _is_int(k):
            k = k if isinstance(k, _py_int) else k.__index__()
            size = result._data.shape[dim]
            if not -size <= k < size:
                raise IndexError(
                    f"index {k} is out of bounds for dimension {real} with size {size}"
                )
            result = Select.apply(result, dim, k % size)
            real += 1
        elif isinstance(k, _py_slice):
            start, stop, step = _slice_bounds(k)
            size = result._data.shape[dim]
            if not (
                optimize
                and (start is None or start == 0)
                and (step is None or step == 1)
                and (stop is None or stop >= size)
            ):
                result = slice_dim(result, dim, start, stop, step)
            dim += 1
            real += 1
        elif k is None:
            result = Unsqueeze.apply(result, dim)
            dim += 1
        elif k is Ellipsis:
            dim += ndim - specified
            real += ndim - specified
        elif isinstance(k, _py_bool):
            result = Unsqueeze.apply(result, dim)
            record(xp.zeros(1 if k else 0, xp.int64))
            dim += 1
        else:
            if isinstance(k, Tensor):
                arr = k._data
            elif isinstance(k, (list, tuple, xp.ndarray)):
                arr = _index_array(k)
            elif isinstance(k, (str, bytes)):
                raise TypeError(f"new(): invalid data type '{type(k).__name__}'")
            else:
                raise IndexError(_INVALID_INDEX.format(type(k).__name__))
            kind = arr.dtype.kind
            if arr.dtype == xp.uint8 or kind == "b":
                if arr.dtype == xp.uint8:
                    warnings.warn(_UINT8_WARNING, UserWarning, stacklevel=3)
                    arr = arr.astype(bool)
                rshape = result._data.shape
                for i, n in enumerate(arr.shape):
                    if dim + i >= len(rshape) or rshape[dim + i] != n:
                        raise IndexError(
                            f"The shape of the mask {shape_str(arr.shape)} at index {i} does "
                            f"not match the shape of the indexed tensor {shape_str(rshape)} at "
                            f"index {dim + i}"
                        )
                if arr.ndim == 0:
                    result = Unsqueeze.apply(result, dim)
                    record(xp.zeros(1 if arr else 0, xp.int64))
                    dim += 1
                    continue
                for part in xp.nonzero(arr):
                    record(part.astype(xp.int64))
                    dim += 1
                    real += 1
                continue
            if arr.dtype not in (xp.int64, xp.int32):
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if dim >= result._data.ndim:
                raise IndexError(f"too many indices for tensor of dimension {ndim}")
            record(arr)
            dim += 1
            real += 1
    if indices:
        _check_indices(indices, result._data.shape)
    return result, indices


def _check_indices(indices, shape):
    """The checks PyTorch's index kernels make: indices broadcast together, and each is within
    the size of its dim (named by its position among the index tensors)."""
    arrays = [a for a in indices if a is not None]
    try:
        xp.broadcast_shapes(*[a.shape for a in arrays])
    except ValueError:
        raise IndexError(
            "shape mismatch: indexing tensors could not be broadcast together with shapes "
            + ", ".join(shape_str(a.shape) for a in arrays)
        ) from None
    nr = 0
    for d, arr in enumerate(indices):
        if arr is None:
            continue
        size = shape[d]
        if arr.size:
            low, high = int(arr.min()), int(arr.max())
            bad = high if high >= size else (low if low < -size else None)
            if bad is not None:
                raise IndexError(
                    f"index {bad} is out of bounds for dimension {nr} with size {size}"
                )
        nr += 1


def _key(indices):
    return tuple(_py_slice(None) if a is None else a for a in indices)


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


class Index(Op):
    @staticmethod
    def forward(ctx, x, key):
        ctx.shape, ctx.key = x.shape, key
        # PyTorch's index results are contiguous, with contiguous strides on size-1 dims too
        out = ctx.xp.ascontiguousarray(x[key])
        if 1 in out.shape:
            from .shape import _with_strides

            strides, acc = [], 1
            for n in reversed(out.shape):
                strides.append(acc)
                acc *= max(n, 1)
            out = _with_strides(out, tuple(reversed(strides)))
        return out

    @staticmethod
    def backward(ctx, grad):
        return _IndexAdd.apply(grad, ctx.shape, ctx.key)


class _IndexAdd(Op):
    """Scatters ``grad`` back into zeros, adding where an index repeats."""

    node_name = "IndexBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, key):
        ctx.key = key
        xp = ctx.xp
        out = xp.zeros(shape, grad.dtype)
        index = key[0] if len(key) == 1 else None
        if index is not None and index.ndim == 1 and index.dtype.kind in "iu" and index.size:
            # rows picked by one index vector (embeddings, x[rows]): sum repeated rows with a
            # sort and reduceat, far faster than add.at's element-by-element loop
            index = xp.where(index < 0, index + shape[0], index)
            order = xp.argsort(index, kind="stable")
            rows, starts = xp.unique(index[order], return_index=True)
            out[rows] = xp.add.reduceat(grad[order], starts, axis=0)
            return out
        xp.add.at(out, key, grad)
        return out

    @staticmethod
    def backward(ctx, gg):
        return Index.apply(gg, ctx.key)


def getitem(self, key):
    if key.__class__ is _py_int and self._data.ndim:
        size = self._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        from .shape import Select

        return Select.apply(self, 0, key % size)
    if isinstance(key, _py_slice):
        # a lone slice is always a slice op (PyTorch skips its full-slice shortcut here)
        if not self._data.ndim:
            raise IndexError(_ZERO_DIM)
        from .shape import slice_dim

        return slice_dim(self, 0, *_slice_bounds(key))
    key = _as_tuple(key)
    if self._data.ndim == 0:
        for k in key:
            if _is_int(k) or isinstance(k, _py_slice):
                raise IndexError(_ZERO_DIM)
    result, indices = _apply_slicing(self, key, optimize=True)
    if indices:
        return Index.apply(result, _key(indices))
    if result is self:
        from .shape import Alias

        return Alias.apply(self)
    return result


_ZERO_DIM = (
    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ "
    "to convert a 0-dim tensor to a number"
)


class IndexPut(Op):
    tensor_args = 2

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
        gv = Index.apply(grad, ctx.key) if ctx.needs_input_grad[1] else None
        return gx, gv


def _index_put(self, key, value, accumulate=False):
    return IndexPut.apply(self, value, key, accumulate)


def _put(self, indices, value, accumulate=False):
    """``index_put_`` on ``self`` with per-dim index arrays (None: the whole dim)."""
    if not isinstance(value, Tensor):
        from .creation import tensor

        value = tensor(value, dtype=self.dtype)
    if value._data.dtype != self._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_short(self._data.dtype)} for the destination and {_short(value._data.dtype)} "
            "for the source."
        )
    return self._inplace(_index_put, _key(indices), value, accumulate)


def _short(np_dtype):
    from .._tensor import legacy_type_name

    return legacy_type_name(np_dtype).split(".")[-1][: -len("Tensor")]


def _type_name(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _value_tensor(value, like):
    """PyTorch's ``valueToTensor``: Python numbers become 0-d tensors of ``like``'s dtype."""
    from .creation import tensor

    if isinstance(value, (_py_bool, _py_int, float)) or (
        isinstance(value, xp.integer) and not isinstance(value, xp.bool_)
    ):
        if like.dtype.is_complex or like.dtype.is_floating_point or isinstance(value, _py_bool):
            return tensor(value, dtype=like.dtype)
        return tensor(value).to(like.dtype)
    if isinstance(value, complex):
        if not like.dtype.is_complex:
            raise RuntimeError(
                f"value cannot be converted to type {str(like.dtype).split('.')[-1]} without "
                "overflow"
            )
        return tensor(value, dtype=like.dtype)
    from .._tensor import legacy_type_name

    raise TypeError(f"can't assign a {_type_name(value)} to a {legacy_type_name(like._data.dtype)}")


def _copy_to(dst, src):
    """PyTorch's ``copy_to`` for ``x[basic] = value``: copy_ when the shapes match, fill_ from a
    0-d value, else the value (leading 1s dropped) expanded to the target, then copy_."""
    from .shape import _overlaps, expand

    if dst._data.shape == src._data.shape:
        return dst.copy_(src)
    if src._data.ndim == 0:
        if _overlaps(dst._data):
            from .shape import _OVERLAP

            raise RuntimeError(_OVERLAP)
        return dst.fill_(src)
    shape = src._data.shape
    stripped = shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    if stripped != shape:
        src = src.view(stripped)
    return dst.copy_(expand(src, dst._data.shape))


def setitem(self, key, value):
    if not isinstance(value, Tensor):
        value = _value_tensor(value, self)
    from .shape import Select, Unsqueeze, slice_dim

    # the single-index fast paths of THPVariable_setitem / set_item
    if key is False:
        return
    if key is Ellipsis:
        _copy_to(self, value)
        return
    if key is None or key is True:
        _copy_to(Unsqueeze.apply(self, 0), value)
        return
    if key.__class__ is _py_int:
        if not self._data.ndim:
            raise IndexError(_ZERO_DIM)
        size = self._data.shape[0]
        if not -size <= key < size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        _copy_to(Select.apply(self, 0, key % size), value)
        return
    if isinstance(key, _py_slice):
        if not self._data.ndim:
            raise IndexError(_ZERO_DIM)
        start, stop, step = _slice_bounds(key)
        size = self._data.shape[0]
        full = (start in (None, 0)) and (step in (None, 1)) and (stop is None or stop >= size)
        _copy_to(self if full else slice_dim(self, 0, start, stop, step), value)
        return
    key = _as_tuple(key)
    if self._data.ndim == 0:
        for k in key:
            if _is_int(k) or isinstance(k, _py_slice):
                raise IndexError(_ZERO_DIM)
    sliced, indices = _apply_slicing(self, key, optimize=True)
    if not indices:
        _copy_to(sliced, value)
        return
    shape = value._data.shape
    stripped = shape
    while stripped and stripped[0] == 1:
        stripped = stripped[1:]
    if stripped != shape:
        value = value.view(stripped)
    _put(sliced, indices, value)


def _grad_enabled():
    from ..autograd.grad_mode import STATE

    return STATE.grad_enabled


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


def _put_indices(self, indices):
    indices = tuple(indices)
    for i in indices:
        if i is not None and not isinstance(i, Tensor):
            raise TypeError(
                "index_put_(): argument 'indices' must be tuple of Tensors, not "
                f"{type(indices).__name__}"
            )
    result, arrays = _apply_slicing(
        self, tuple(i if i is not None else _py_slice(None) for i in indices), optimize=True
    )
    return result, arrays


@tensor_method()
def index_put_(self, indices, values, accumulate=False):
    """``self[indices] = values`` (``+=`` with ``accumulate``, counting repeated indices)."""
    result, arrays = _put_indices(self, indices)
    if result is not self:  # a bool 0-d index unsqueezes: PyTorch writes through the view
        return _put(result, arrays, values, accumulate) and self
    return _put(self, arrays, values, accumulate)


@tensor_method()
def index_put(self, indices, values, accumulate=False):
    return index_put_(self.clone(), indices, values, accumulate)


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
    if idx.dtype not in (xp.int64, xp.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
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


# -- take, take_along_dim, put: flat and per-dim picks and writes --------------------------------


class Take(Op):
    @staticmethod
    def forward(ctx, x, index):
        ctx.shape, ctx.index = x.shape, index
        return x.reshape(-1)[index]

    @staticmethod
    def backward(ctx, grad):
        from .creation import zeros

        out = zeros(ctx.shape, dtype=grad.dtype)
        return put(out, make(ctx.index), grad, accumulate=True), None


def _flat_index(name, input, index):
    idx = index._data
    if idx.dtype != xp.int64:
        raise RuntimeError(
            f"{name}(): Expected a long tensor for index, but got {_short(idx.dtype)}"
        )
    n = input._data.size
    if idx.size:
        low, high = int(idx.min()), int(idx.max())
        if low < -n or high >= n:
            bad = high if high >= n else low
            raise IndexError(
                f"out of range: tried to access index {bad} on a tensor of {n} elements."
            )
    return idx


@tensor_method()
def take(input, index):
    """The elements of ``input`` read as 1-D at ``index`` (the result has ``index``'s shape).

    >>> numtorch.take(numtorch.tensor([[1, 2], [3, 4]]), numtorch.tensor([0, 3]))
    tensor([1, 4])
    """
    return Take.apply(input, _flat_index("take", input, index))


@tensor_method()
def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with ``input`` and ``indices`` broadcast against each other (except along
    ``dim``); with no ``dim``, ``take`` on the flattened input."""
    if indices._data.dtype != xp.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            + _short(indices._data.dtype)
        )
    if dim is None:
        result = gather(input.view(-1), 0, indices.view(-1))
        return write_out(out, result) if out is not None else result
    ndim, indices_ndim = input._data.ndim, indices._data.ndim
    if ndim != indices_ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {ndim} dimensions for input, and {indices_ndim} dimensions for "
            "indices"
        )
    dim = wrap_dim(dim, ndim)
    from .shape import broadcast_shapes, broadcast_to

    sizes = list(input._data.shape)
    sizes[dim] = indices._data.shape[dim]
    indices = broadcast_to(indices, broadcast_shapes(sizes, indices._data.shape))
    sizes = list(indices._data.shape)
    sizes[dim] = input._data.shape[dim]
    input = broadcast_to(input, broadcast_shapes(sizes, input._data.shape))
    result = gather(input, dim, indices)
    return write_out(out, result) if out is not None else result


class Put(Op):
    @staticmethod
    def forward(ctx, x, index, source, accumulate):
        ctx.index, ctx.accumulate, ctx.source_shape = index, accumulate, source.shape
        out = x.copy()
        flat = out.reshape(-1)  # a view: out is contiguous
        if accumulate:
            ctx.xp.add.at(flat, index.reshape(-1), source.reshape(-1))
        else:
            flat[index.reshape(-1)] = source.reshape(-1)
        return out

    @staticmethod
    def backward(ctx, grad):
        from .creation import zeros

        index = make(ctx.index)
        gx = grad
        if not ctx.accumulate:
            gx = put(grad, index, zeros(ctx.source_shape, dtype=grad.dtype))
        gs = None
        if ctx.needs_input_grad[2]:
            gs = take(grad, index).reshape(ctx.source_shape)
        return gx, None, gs, None


@tensor_method()
def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written at the flat positions ``index`` (added, when
    ``accumulate``, so that repeated indices sum)."""
    idx = index._data
    if idx.dtype != xp.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_short(idx.dtype)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_short(input._data.dtype)} and source.dtype = {_short(source._data.dtype)}"
        )
    if source._data.size != idx.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    idx = _flat_index("put_", input, index)
    return Put.apply(input, idx, source, bool(accumulate))


@tensor_method()
def put_(self, index, source, accumulate=False):
    return self._inplace(put, index, source, accumulate)


# -- index_fill, masked_scatter ----------------------------------------------------------------


class IndexFill(Op):
    @staticmethod
    def forward(ctx, x, dim, index, value):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        moved = ctx.xp.moveaxis(out.reshape(1) if x.ndim == 0 else out, dim, 0)
        moved[index] = ctx.xp.asarray(value).astype(x.dtype)
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = grad.index_fill(ctx.dim, make(ctx.index), 0)
        gv = None
        if len(ctx.needs_input_grad) > 3 and ctx.needs_input_grad[3]:
            # each filled position counts once, however often the index repeats it
            flat = grad.reshape(-1) if grad.ndim == 0 else grad
            size = flat.shape[ctx.dim]
            unique = make(ctx.xp.unique(ctx.index % size) if size else ctx.index)
            gv = flat.index_select(ctx.dim, unique).sum()
        return gx, None, None, gv


class IndexFill1(IndexFill):
    """index_fill with a 0-d tensor value (differentiable in the value too)."""


@tensor_method()
def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices ``index`` along ``dim`` set to ``value``.

    >>> numtorch.zeros(2, 3).index_fill(1, numtorch.tensor([2]), 1.0)
    tensor([[0., 0., 1.],
            [0., 0., 1.]])
    """
    idx = index._data
    if idx.dtype != xp.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    ndim = input._data.ndim
    dim = wrap_dim(dim, ndim)
    _check_range(idx, input._data.shape or (1,), dim)
    idx = idx.reshape(-1)
    if isinstance(value, Tensor):
        return IndexFill1.apply(input, dim, idx, value)
    return IndexFill.apply(input, dim, idx, value)


@tensor_method()
def index_fill_(self, dim, index, value):
    return self._inplace(index_fill, dim, index, value)


class MaskedScatter(Op):
    @staticmethod
    def forward(ctx, x, mask, source):
        try:
            shape = ctx.xp.broadcast_shapes(x.shape, mask.shape)
        except ValueError:
            from ._common import broadcast_error

            raise broadcast_error(x.shape, mask.shape) from None
        full = ctx.xp.broadcast_to(mask, shape)
        count = int(full.sum())
        if count > source.size:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        ctx.mask, ctx.source_shape = full, source.shape
        out = ctx.xp.array(ctx.xp.broadcast_to(x, shape))
        out[full] = source.reshape(-1)[:count]
        return out

    @staticmethod
    def backward(ctx, grad):
        mask = make(ctx.mask)
        gx = grad.masked_fill(mask, 0)
        gs = None
        if ctx.needs_input_grad[2]:
            from .creation import zeros
            from .shape import cat

            picked = grad.masked_select(mask)
            size = 1
            for n in ctx.source_shape:
                size *= n
            missing = size - picked._data.size
            if missing > 0:
                picked = cat([picked, zeros(missing, dtype=grad.dtype)])
            gs = picked.view(ctx.source_shape)
        return gx, None, gs


@tensor_method()
def masked_scatter(input, mask, source):
    """A copy of ``input`` with ``source``'s leading elements written, in order, where ``mask``
    (broadcast) is True."""
    if mask._data.dtype.kind != "b":
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            + _short(mask._data.dtype)
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_short(input._data.dtype)} and {_short(source._data.dtype)}"
        )
    return MaskedScatter.apply(input, mask, source)


@tensor_method()
def masked_scatter_(self, mask, source):
    if mask._data.ndim > self._data.ndim or any(
        m not in (1, s)
        for m, s in zip(mask._data.shape[::-1], self._data.shape[::-1], strict=False)
    ):
        from .shape import expand

        expand(mask, self._data.shape)  # PyTorch's expand error for a mask that does not fit
    return self._inplace(masked_scatter, mask, source)


# -- index builders ----------------------------------------------------------------------------


def _triangle_indices(fn, row, col, offset, dtype):
    from .._dtype import int64

    if row < 0:
        raise RuntimeError(f"row must be non-negative, got{row}")
    if col < 0:
        raise RuntimeError(f"col must be non-negative, got{col}")
    rows, cols = fn(row, offset, col)
    return make(xp.stack([rows, cols]).astype((dtype or int64)._np))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, requires_grad=False):
    """The (2, N) coordinates of the lower triangle of a ``row`` x ``col`` matrix.

    >>> numtorch.tril_indices(2, 2)
    tensor([[0, 1, 1],
            [0, 0, 1]])
    """
    return _triangle_indices(xp.tril_indices, row, col, offset, dtype)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None, requires_grad=False):
    """The (2, N) coordinates of the upper triangle of a ``row`` x ``col`` matrix."""
    return _triangle_indices(xp.triu_indices, row, col, offset, dtype)


def unravel_index(indices, shape):
    """Flat indices as a tuple of coordinate tensors for ``shape`` (out-of-range indices wrap,
    as in PyTorch).

    >>> numtorch.unravel_index(numtorch.tensor(5), (2, 3))
    (tensor(1), tensor(2))
    """
    if not isinstance(indices, Tensor):
        raise AttributeError(f"'{type(indices).__name__}' object has no attribute 'is_complex'")
    data = indices._data
    if data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, _py_int) else tuple(_py_int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    rest = data.astype(xp.int64)
    coords = []
    for n in reversed(shape):
        coords.append(rest % n if n else rest * 0)
        rest = rest // n if n else rest * 0
    return tuple(make(c) for c in reversed(coords))
