"""Shape ops. Views (view, transpose, permute, squeeze, expand, diagonal, split ...) share
memory and version counter with their input; cat/stack copy. Also the in-place plumbing:
``copy_``, ``fill_``, ``zero_`` and CopySlices, the node an in-place op on a view gives its base.
"""

from __future__ import annotations

import functools
import math
import sys
import warnings

from .._backend import ndarray
from .._dtype import result_type
from .._tensor import Tensor, legacy_type_name, make
from ..autograd.function import Op, _edge
from ..autograd.graph import sequence
from ._common import broadcast_error, shape_str, tensor_method, wrap_dim, xp

_PKG = __package__.rsplit(".", 1)[0]


def _export(fn, name=None):
    """Makes ``fn`` a top-level function of the package too (``numtorch.narrow``)."""
    pkg = sys.modules.get(_PKG)
    if pkg is not None:
        setattr(pkg, name or fn.__name__, fn)
    return fn


def _elem_strides(x) -> tuple:
    item = x.itemsize
    return tuple(s // item for s in x.strides)


def _as_view(x, shape, strides, keep_readonly=True):
    """An array over ``x``'s memory starting where ``x`` starts, with the given shape and element
    strides, or None where NumPy cannot build one (a root that is not one buffer)."""
    root = x
    while isinstance(root.base, ndarray):
        root = root.base
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        return None
    item = x.itemsize
    offset = x.ctypes.data - root.ctypes.data  # not __array_interface__: it leaks per call
    try:
        out = ndarray(
            shape, x.dtype, buffer=root, offset=offset, strides=tuple(s * item for s in strides)
        )
    except (TypeError, ValueError, BufferError):
        return None
    if keep_readonly and not x.flags.writeable and out.flags.writeable:
        out.flags.writeable = False
    return out


def _with_strides(x, strides):
    """``x`` seen with PyTorch's element ``strides`` (they differ from NumPy's only on size-1
    dims, where the stride never matters for addressing); the memory stays shared."""
    item = x.itemsize
    if x.size == 0 or x.strides == tuple(s * item for s in strides):
        return x
    out = _as_view(x, x.shape, strides)
    return x if out is None else out


def compute_stride(oldshape, oldstride, newshape):
    """PyTorch's ``computeStride``: the strides of ``view(newshape)``, or None if no view fits."""
    if not oldshape:
        return (1,) * len(newshape)
    numel = 1
    for s in oldshape:
        numel *= s
    if numel == 0:
        if tuple(oldshape) == tuple(newshape):
            return tuple(oldstride)
        out = [1] * len(newshape)
        for d in range(len(newshape) - 2, -1, -1):
            out[d] = max(newshape[d + 1], 1) * out[d + 1]
        return tuple(out)
    newstride = [0] * len(newshape)
    view_d = len(newshape) - 1
    chunk_base_stride = oldstride[-1]
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(oldshape) - 1, -1, -1):
        tensor_numel *= oldshape[tensor_d]
        if tensor_d == 0 or (
            oldshape[tensor_d - 1] != 1
            and oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride
        ):
            while view_d >= 0 and (view_numel < tensor_numel or newshape[view_d] == 1):
                newstride[view_d] = view_numel * chunk_base_stride
                view_numel *= newshape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = oldstride[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(newstride)


def _size_args(size) -> tuple:
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _infer_shape(shape, numel: int) -> tuple:
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{shape_str(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _view_array(x, shape):
    """``x`` reshaped without copying (with PyTorch's strides), or None where PyTorch's
    ``view`` would refuse."""
    strides = compute_stride(x.shape, _elem_strides(x), shape)
    if strides is None:
        return None
    try:
        out = x.reshape(shape, copy=False)
    except ValueError:
        out = None
    if out is None:
        return _as_view(x, tuple(shape), strides) if x.size else None
    return _with_strides(out, strides)


class View(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = _view_array(x, shape)
        if out is None:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class UnsafeView(Op):
    """reshape that had to copy (non-contiguous input)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


@tensor_method()
def view(input, *shape):
    """The same memory seen with another shape (-1 is inferred); no copy, ever.

    >>> numtorch.arange(6).view(2, -1)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        from .._dtype import dtype as dtype_cls

        if isinstance(shape[0], dtype_cls):
            return make(input._data.view(shape[0]._np))
    shape = _infer_shape(_size_args(shape), input._data.size)
    return View.apply(input, shape)


@tensor_method()
def reshape(input, *shape):
    """``view`` when the memory layout allows, else a copy.

    >>> numtorch.arange(4).reshape(2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    shape = _infer_shape(_size_args(shape), input._data.size)
    if _view_array(input._data, shape) is not None:
        return View.apply(input, shape)
    return UnsafeView.apply(input, shape)


@tensor_method()
def view_as(input, other):
    return view(input, other._data.shape)


@tensor_method()
def reshape_as(input, other):
    return reshape(input, other._data.shape)


@tensor_method()
def flatten(input, start_dim=0, end_dim=-1):
    """Merges dims ``start_dim..end_dim`` into one."""
    ndim = input._data.ndim
    if ndim == 0:
        return reshape(input, 1)
    start, end = wrap_dim(start_dim, ndim), wrap_dim(end_dim, ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    if start == end:
        return input
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


@tensor_method()
def unflatten(input, dim, sizes):
    dim = wrap_dim(dim, input._data.ndim)
    shape = input._data.shape
    inner = _infer_shape(tuple(sizes), shape[dim])
    return view(input, shape[:dim] + inner + shape[dim + 1 :])


class Transpose(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return ctx.xp.swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims)


@tensor_method("transpose", "swapaxes", "swapdims")
def transpose(input, dim0, dim1):
    """Swaps two dimensions (a view)."""
    ndim = input._data.ndim
    return Transpose.apply(input, wrap_dim(dim0, ndim), wrap_dim(dim1, ndim))


swapaxes = swapdims = transpose


class T(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.T

    @staticmethod
    def backward(ctx, grad):
        return grad.t()


@tensor_method()
def t(input):
    """Transpose of a tensor of at most 2 dims."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return T.apply(input)


class Permute(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.inverse = tuple(int(i) for i in xp.argsort(dims))
        return ctx.xp.transpose(x, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(ctx.inverse)


@tensor_method()
def permute(input, *dims):
    """Reorders the dimensions (a view).

    >>> numtorch.zeros(2, 3, 4).permute(2, 0, 1).shape
    numtorch.Size([4, 2, 3])
    """
    ndim = input._data.ndim
    dims = _size_args(dims)
    if len(dims) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {ndim} is not "
            f"equal to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(dims)) != ndim:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got "
            f"{self._data.ndim}-D tensor."
        )
    return transpose(self, -2, -1)


_T_WARNED = {"nd": False, "0d": False}
_T_ND_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
    "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
    "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
    "tensor. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
    "TensorShape.cpp:4314.)"
)
_T_0D_WARNING = (
    "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases. "
    "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)"
)


def _T(self):
    ndim = self._data.ndim
    # PyTorch warns once per process (TORCH_WARN_ONCE), one message for 0-d, one for the rest
    if ndim == 0:
        if not _T_WARNED["0d"]:
            _T_WARNED["0d"] = True
            warnings.warn(_T_0D_WARNING, UserWarning, stacklevel=2)
    elif ndim != 2 and not _T_WARNED["nd"]:
        _T_WARNED["nd"] = True
        warnings.warn(_T_ND_WARNING, UserWarning, stacklevel=2)
    return Permute.apply(self, tuple(range(ndim - 1, -1, -1)))


Tensor.mT = property(_mT)
Tensor.T = property(_T)
Tensor.H = property(lambda self: _T(self).conj() if self.is_complex() else _T(self))
Tensor.mH = property(lambda self: _mT(self).conj() if self.is_complex() else _mT(self))


class _Reshaping(Op):
    """Views that only add or drop size-1 dims: the gradient is reshaped back."""

    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Squeeze(_Reshaping):
    pass


class Squeeze1(_Reshaping):
    pass


class Squeeze2(_Reshaping):
    pass


class Unsqueeze(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        shape, strides = x.shape, _elem_strides(x)
        stride = 1 if dim >= x.ndim else shape[dim] * strides[dim]
        out = ctx.xp.expand_dims(x, dim)
        return _with_strides(out, strides[:dim] + (stride,) + strides[dim:])

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


@tensor_method()
def squeeze(input, dim=None):
    """Drops size-1 dims (only ``dim`` when given; a dim of another size stays).

    >>> numtorch.zeros(2, 1, 3).squeeze().shape
    numtorch.Size([2, 3])
    """
    return squeeze_with(input, dim, (Squeeze, Squeeze1, Squeeze2))


def squeeze_with(input, dim, ops):
    """``squeeze`` through ``ops``: the Ops for no dim, one dim and several dims."""
    shape = input._data.shape
    if dim is None:
        return ops[0].apply(input, tuple(s for s in shape if s != 1))
    if isinstance(dim, int):
        d = wrap_dim(dim, len(shape))
        new = shape if not shape or shape[d] != 1 else shape[:d] + shape[d + 1 :]
        return ops[1].apply(input, new)
    dims = {wrap_dim(d, len(shape)) for d in dim}
    return ops[2].apply(input, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1)))


@tensor_method()
def unsqueeze(input, dim):
    """Inserts a size-1 dim at ``dim``."""
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


class Expand(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        out = ctx.xp.broadcast_to(x, shape)
        strides = _expand_strides(x.shape, _elem_strides(x), shape)
        view = _as_view(x, shape, strides) if x.size else None
        if view is None:
            return out
        if _overlaps(view):
            view.flags.writeable = False  # writes go through fill_/zero_ or raise
        return view

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


def _expand_strides(shape, strides, target):
    """PyTorch's ``inferExpandGeometry`` strides."""
    n, lead = len(target), len(target) - len(shape)
    out = [0] * n
    next_size, next_stride = 1, 0  # a 0-d input gets stride 0 everywhere, as in PyTorch
    for i in range(n - 1, -1, -1):
        d = i - lead
        if d >= 0:
            size, stride = shape[d], strides[d]
        else:
            size, stride = 1, next_size * next_stride
        if size != target[i]:
            size, stride = target[i], 0
        out[i] = stride
        next_size, next_stride = size, stride
    return tuple(out)


def _overlaps(x) -> bool:
    """PyTorch's internal-overlap test: some dim of size > 1 has stride 0."""
    return any(st == 0 and n > 1 for n, st in zip(x.shape, x.strides, strict=True))


def _writable(out):
    """NumPy marks every view of a broadcast array read-only; PyTorch only refuses writes that
    land twice on one element, so a view without such a dim is writable again."""
    if out.flags.writeable or _overlaps(out) or out.size == 0:
        return out
    root = out
    while isinstance(root.base, ndarray):
        root = root.base
    if not root.flags.writeable:
        return out
    view = _as_view(out, out.shape, _elem_strides(out), keep_readonly=False)
    return out if view is None else view


@tensor_method()
def expand(input, *sizes):
    """Repeats size-1 dims without copying (-1 keeps a size).

    >>> numtorch.tensor([[1], [2]]).expand(2, 3)
    tensor([[1, 1, 1],
            [2, 2, 2]])
    """
    sizes = _size_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{shape_str(shape)}}}, size={shape_str(sizes)}): the "
            "number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})"
        )
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            target.append(s)
            continue
        have = shape[i - lead]
        if s == -1:
            s = have
        elif have != 1 and have != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({have}) at "
                f"non-singleton dimension {i}.  Target sizes: {shape_str(sizes)}.  Tensor sizes: "
                f"{shape_str(shape)}"
            )
        target.append(s)
    target = tuple(target)
    if target == shape:
        return input if not input._requires_grad else Expand.apply(input, target)
    return Expand.apply(input, target)


@tensor_method()
def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


Tensor.broadcast_to = broadcast_to


def broadcast_shapes(*shapes):
    try:
        from .._tensor import Size

        return Size(
            xp.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes])
        )
    except ValueError:
        raise RuntimeError(
            f"Shape mismatch: objects cannot be broadcast to a single shape: {shapes}"
        ) from None


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    try:
        shape = xp.broadcast_shapes(*[t._data.shape for t in tensors])
    except ValueError:
        raise broadcast_error(tensors[0]._data.shape, tensors[1]._data.shape) from None
    return tuple(expand(t, shape) for t in tensors)


class Diagonal(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.shape, ctx.args = x.shape, (offset, dim1, dim2)
        out = ctx.xp.diagonal(x, offset, dim1, dim2)
        # NumPy hands the diagonal out read-only; PyTorch's is an ordinary writable view
        if x.flags.writeable:
            out.flags.writeable = True
        return out

    @staticmethod
    def backward(ctx, grad):
        return _DiagonalBackward.apply(grad, ctx.shape, ctx.args)


class _DiagonalBackward(Op):
    node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, args):
        ctx.args = args
        out = ctx.xp.zeros(shape, grad.dtype)
        view = ctx.xp.diagonal(out, *args)
        view.flags.writeable = True
        view[...] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return diagonal(gg, *ctx.args)


@tensor_method()
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal (a view), last dim of the result; ``offset`` > 0 is above the main one."""
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset, d1, d2)


# -- select, slice, alias: the views basic indexing is made of ------------------------------------


class Select(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.shape, ctx.dim, ctx.index = x.shape, dim, index
        return _writable(x[(slice(None),) * dim + (index, Ellipsis)])

    @staticmethod
    def backward(ctx, grad):
        return _SelectBackward.apply(grad, ctx.shape, ctx.dim, ctx.index)


class _SelectBackward(Op):
    node_name = "SelectBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, dim, index):
        ctx.dim, ctx.index = dim, index
        out = ctx.xp.zeros(shape, grad.dtype)
        out[(slice(None),) * dim + (index, Ellipsis)] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return Select.apply(gg, ctx.dim, ctx.index)


class Slice(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, start, stop, step):
        ctx.shape, ctx.args = x.shape, (dim, start, stop, step)
        return _writable(x[(slice(None),) * dim + (slice(start, stop, step),)])

    @staticmethod
    def backward(ctx, grad):
        return _SliceBackward.apply(grad, ctx.shape, *ctx.args)


class _SliceBackward(Op):
    node_name = "SliceBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, dim, start, stop, step):
        ctx.args = (dim, start, stop, step)
        out = ctx.xp.zeros(shape, grad.dtype)
        out[(slice(None),) * dim + (slice(start, stop, step),)] = grad
        return out

    @staticmethod
    def backward(ctx, gg):
        return Slice.apply(gg, *ctx.args)


class Alias(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


def slice_dim(input, dim, start, stop, step):
    """``input[..., start:stop:step]`` along ``dim`` (bounds clamped as Python's), a view."""
    start, stop, step = slice(start, stop, step).indices(input._data.shape[dim])
    return Slice.apply(input, dim, start, max(stop, start), step)


def _as_int(value, what):
    if isinstance(value, Tensor):
        if value._data.ndim or value._data.dtype.kind not in "iu":
            raise TypeError(f"{what} must be an integer or a 0-dim integer tensor")
        return int(value._data)
    return int(value)


@tensor_method()
def select(input, dim, index):
    """The slice at ``index`` along ``dim``, with that dim removed (a view; ``x[:, i]`` is
    ``x.select(1, i)``).

    >>> numtorch.arange(6).view(2, 3).select(1, -1)
    tensor([2, 5])
    """
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, len(shape))
    index = _as_int(index, "select(): index")
    size = shape[dim]
    if size <= -1 - index or size <= index:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {shape_str(shape)} at "
            f"dimension {dim}"
        )
    return Select.apply(input, dim, index % size)


@tensor_method()
def narrow(input, dim, start, length):
    """``length`` elements along ``dim`` from ``start`` (a view).

    >>> numtorch.arange(5).narrow(0, 1, 3)
    tensor([1, 2, 3])
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    start, length = _as_int(start, "narrow(): start"), _as_int(length, "narrow(): length")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = wrap_dim(dim, len(shape))
    size = shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if start > size - length:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Slice.apply(input, dim, start, start + length, 1)


_export(select)
_export(narrow)


# -- multi-output views: unbind, split ----------------------------------------------------------


class _MultiView(Op):
    @classmethod
    def apply(cls, *args):
        from .._tensor import make_view
        from ..autograd.grad_mode import STATE

        x = args[0]
        record = STATE.grad_enabled and x._requires_grad
        ctx = cls._node_cls()
        ctx._saved = None
        outs = cls.forward(ctx, x._data, *args[1:])
        if record:
            ctx.needs_input_grad = (True,) + (False,) * (len(args) - 1)
            ctx._arg_slots = (0,)
            ctx.next_functions = (_edge(x),)
            ctx._input_meta = ((x._data.shape, x._data.dtype),)
            ctx._seq = next(sequence)
            ctx._num_outputs = len(outs)
            ctx._out_meta = tuple((o.shape, o.dtype) for o in outs)
        return tuple(
            make_view(
                _writable(o),
                x,
                functools.partial(_pick, cls, i, record),
                args[1:],
                ctx if record else None,
                i,
            )
            for i, o in enumerate(outs)
        )


def _pick(cls, index, recorded, tensor, *args):
    return cls.apply(tensor, *args)[index]


def _forward_name(op) -> str:
    name = op._node_cls.__name__
    stem = name.rstrip("0123456789")
    return stem[: -len("Backward")] if stem.endswith("Backward") else stem


_MULTI_VIEW_TAIL = (
    "This view is the output of a function that returns multiple views. Such functions do not "
    "allow the output views to be modified inplace. You should replace the inplace operation by "
    "an out-of-place one."
)


def _check_multi_view(view_fn) -> None:
    """PyTorch refuses in-place ops (that autograd records) on views made by unbind/split/chunk,
    and on views of those."""
    multi = None
    for op, _ in view_fn:
        if isinstance(op, functools.partial) and op.func is _pick:
            multi = op
    if multi is None:
        return
    if not multi.args[2]:  # made while autograd was not recording
        raise RuntimeError(
            "A view was created in no_grad mode and is being modified inplace with grad mode "
            "enabled. " + _MULTI_VIEW_TAIL
        )
    last = view_fn[-1][0]
    if isinstance(last, functools.partial):
        name, nr = _forward_name(last.args[0]), last.args[1]
    else:
        name, nr = _forward_name(last), 0
    raise RuntimeError(
        f"Output {nr} of {name} is a view and is being modified inplace. " + _MULTI_VIEW_TAIL
    )


class Unbind(_MultiView):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return tuple(ctx.xp.moveaxis(x, dim, 0))

    @staticmethod
    def backward(ctx, *grads):
        return stack(grads, ctx.dim)


class Split(_MultiView):
    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = list(itertools_accumulate(sizes))[:-1]
        return tuple(ctx.xp.split(x, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return cat(grads, ctx.dim)


class SplitWithSizes(Split):
    pass


def itertools_accumulate(sizes):
    total = 0
    for s in sizes:
        total += s
        yield total


@tensor_method()
def unbind(input, dim=0):
    """Views of each slice along ``dim``, as a tuple."""
    return Unbind.apply(input, wrap_dim(dim, input._data.ndim))


@tensor_method()
def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces along ``dim``: equal pieces of ``split_size`` (the last may be
    smaller) or pieces of the given sizes.

    >>> [t.tolist() for t in numtorch.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    dim = wrap_dim(dim, tensor._data.ndim)
    length = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and length:
            raise RuntimeError(
                "split_size can only be 0 if dimension size is 0, but got dimension size of "
                f"{length}"
            )
        sizes = (
            [step] * (length // step) + ([length % step] if length % step else []) if step else [0]
        )
        return Split.apply(tensor, tuple(sizes), dim)
    sizes = tuple(int(s) for s in split_size_or_sections)
    if sum(sizes) != length:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={list(sizes)}"
        )
    return SplitWithSizes.apply(tensor, sizes, dim)


@tensor_method()
def chunk(input, chunks, dim=0):
    """``chunks`` nearly equal views along ``dim`` (fewer when the size does not allow)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    length = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return split(input, max(1, math.ceil(length / chunks)), dim)


# -- copies: cat, stack, contiguous ----------------------------------------------------------


def _tensor_list(tensors, fn: str):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(
            f"{fn}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
            f"{type(tensors).__name__}"
        )
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return list(tensors)


def _int_dim(dim, fn: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int):
        if not (isinstance(dim, Tensor) or hasattr(dim, "__index__")):
            raise TypeError(f"{fn}(): argument 'dim' must be int, not {type(dim).__name__}")
        dim = int(dim)
    return dim


class Cat(Op):
    tensor_args = 0

    @staticmethod
    def forward(ctx, dim, dtype, *xs):
        ctx.dim = dim
        # legacy behaviour: 1-D empty tensors are skipped whatever the other shapes
        ctx.skipped = [x.ndim == 1 and x.shape[0] == 0 for x in xs]
        kept = [x.astype(dtype, copy=False) for x, s in zip(xs, ctx.skipped, strict=True) if not s]
        if not kept:
            return ctx.xp.zeros((0,), dtype)
        ctx.sizes = [x.shape[dim] for x in kept]
        return ctx.xp.concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        if all(ctx.skipped):
            return (None, None, *(grad for _ in ctx.skipped))
        pieces = iter(grad.split(ctx.sizes, ctx.dim))
        empty = grad.new_zeros(0)
        return (None, None, *(empty if s else next(pieces) for s in ctx.skipped))


def cat(tensors, dim=0, *, out=None):
    """Joins tensors along an existing dim (dtypes promote, as PyTorch).

    >>> numtorch.cat([numtorch.zeros(1, 2), numtorch.ones(1, 2)]).shape
    numtorch.Size([2, 2])
    """
    tensors = _tensor_list(tensors, "cat")
    dim = _int_dim(dim, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    target = result_type(*tensors)._np
    # legacy behaviour: 1-D empty tensors are skipped whatever the other shapes
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not kept:
        kept = tensors[:1]
    ref = kept[0]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = wrap_dim(dim, ref.ndim)
    for t in kept:
        data = t._data
        if data.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {data.ndim}"
            )
        for d in range(ref.ndim):
            if d != dim and data.shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {data.shape[d]} for tensor number "
                    f"{next(i for i, u in enumerate(tensors) if u is t)} in the list."
                )
    if out is not None:
        _check_out_dtype(out, target, "cat")
    result = Cat.apply(dim, target, *tensors)
    if out is not None:
        from ._common import write_out

        return write_out(out, result)
    return result


def _check_out_dtype(out, target, fn):
    from .._dtype import FROM_NP, can_cast

    if not can_cast(FROM_NP[xp.dtype(target)], out.dtype):
        raise RuntimeError(
            f"{fn}(): input types can't be cast to the desired output type "
            f"{legacy_type_name(out._data.dtype).split('.')[-1][: -len('Tensor')]}"
        )


concat = concatenate = cat


class Stack(Op):
    tensor_args = 0

    @staticmethod
    def forward(ctx, dim, dtype, *xs):
        ctx.dim = dim
        return ctx.xp.stack([x.astype(dtype, copy=False) for x in xs], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, None, *grad.unbind(ctx.dim))


def stack(tensors, dim=0, *, out=None):
    """Joins same-shaped tensors along a new dim.

    >>> numtorch.stack([numtorch.zeros(2), numtorch.ones(2)], dim=1).shape
    numtorch.Size([2, 2])
    """
    tensors = _tensor_list(tensors, "stack")
    dim = _int_dim(dim, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    dim = wrap_dim(dim, len(shape) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_str(shape)} at entry "
                f"0 and {shape_str(t._data.shape)} at entry {i}"
            )
    target = result_type(*tensors)._np
    if out is not None:
        _check_out_dtype(out, target, "stack")
    result = Stack.apply(dim, target, *tensors)
    if out is not None:
        from ._common import write_out

        return write_out(out, result)
    return result


@tensor_method()
def contiguous(input, memory_format=None):
    """``input`` itself when already contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    from .elementwise import Clone

    return Clone.apply(input)


# -- the in-place plumbing -------------------------------------------------------------------


_COMPLEX_TO_REAL = (
    "Casting complex values to real discards the imaginary part (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/Copy.cpp:307.)"
)
_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def _cast(xp_, value, dtype):
    value = xp_.asarray(value)
    if value.dtype.kind == "c" and xp_.dtype(dtype).kind != "c":
        warnings.warn(_COMPLEX_TO_REAL, UserWarning, stacklevel=4)
        value = value.real
    return value.astype(dtype, copy=False)


class Copy(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        try:
            return ctx.xp.array(ctx.xp.broadcast_to(_cast(ctx.xp, src, x.dtype), x.shape))
        except ValueError:
            raise broadcast_error(x.shape, ctx.xp.shape(src)) from None

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad


Copy._node_cls.name = lambda self: "torch::autograd::CopyBackwards"


def _copy(self, src, non_blocking=False):
    return Copy.apply(self, src)


@tensor_method()
def copy_(self, src, non_blocking=False):
    """Copies ``src`` (broadcast, cast) into ``self`` in place; gradients flow to ``src``."""
    if _overlaps(self._data):
        raise RuntimeError(_OVERLAP)
    return self._inplace(_copy, src)


class Fill(Op):
    node_name = "FillBackward2"  # fill_.Scalar

    @staticmethod
    def forward(ctx, x, value):
        return ctx.xp.full(x.shape, _cast(ctx.xp, value, x.dtype), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, None


class FillTensor(Op):
    node_name = "FillBackward3"  # fill_.Tensor

    @staticmethod
    def forward(ctx, x, value):
        return ctx.xp.full(x.shape, _cast(ctx.xp, value, x.dtype), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, (grad.sum() if ctx.needs_input_grad[1] else None)


class Zero(Op):
    @staticmethod
    def forward(ctx, x):
        return ctx.xp.zeros(x.shape, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def _overlapping_write(self, fn, *args):
    """fill_/zero_ are allowed on expanded tensors in PyTorch (every alias gets one value)."""
    data = self._data
    if data.flags.writeable or not _overlaps(data):
        return self._inplace(fn, *args)
    alias = _as_view(data, data.shape, _elem_strides(data), keep_readonly=False)
    if alias is None or not alias.flags.writeable:
        return self._inplace(fn, *args)
    self._data = alias
    try:
        return self._inplace(fn, *args)
    finally:
        self._data = data


@tensor_method()
def fill_(self, value):
    """Sets every element to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        return _overlapping_write(self, FillTensor.apply, value)
    return _overlapping_write(self, Fill.apply, value)


@tensor_method()
def zero_(self):
    """Sets every element to zero, in place (what ``grad.zero_()`` does)."""
    return _overlapping_write(self, Zero.apply)


def copy_node(tensor, result):
    """A node for ``tensor = result`` written in place (when ``result`` came from several ops)."""
    node = Copy.apply(_old_history(tensor), result)._grad_fn
    return node


def _old_history(tensor):
    from .._tensor import make

    ghost = make(tensor._data)
    ghost._grad_fn, ghost._output_nr = tensor._grad_fn, tensor._output_nr
    ghost._requires_grad = tensor._requires_grad
    if tensor._grad_fn is None and tensor._requires_grad:
        ghost._accumulator = tensor._accumulator
        ghost._grad_fn = None
    return ghost


class CopySlicesFn(Op):
    """The base's node after an in-place op on one of its views: the gradient outside the view
    passes through; inside, it goes through the in-place op's backward."""

    node_name = "CopySlices"

    @staticmethod
    def backward(ctx, grad):
        from ..autograd.engine import _call_node, _validate

        result = grad.clone()
        region = replay_view(result, ctx.view_fn)
        inner = ctx._inner
        grads = _call_node(inner, (region.clone(),))
        first = grads[0]
        if first is None:
            region.zero_()
        else:
            region.copy_(_validate(first, inner._input_meta[0], inner, 0))
        return (result, *grads[1:])


CopySlicesFn._node_cls.name = lambda self: "torch::autograd::CopySlices"


def copy_slices(base, view_fn, node):
    """Makes CopySlices the history of ``base`` after ``node`` wrote into one of its views."""
    _check_multi_view(view_fn)
    ctx = CopySlicesFn._node_cls()
    ctx._saved = None
    ctx._inner = node
    ctx.view_fn = view_fn
    ctx.next_functions = (_edge(base), *node.next_functions[1:])
    ctx._input_meta = ((base._data.shape, base._data.dtype), *node._input_meta[1:])
    ctx._arg_slots = tuple(range(len(ctx.next_functions)))
    ctx.needs_input_grad = tuple(e[0] is not None for e in ctx.next_functions)
    ctx._seq = next(sequence)
    return ctx


def replay_view(base, view_fn):
    """Rebuilds a view from its base by replaying the view ops that made it."""
    out = base
    for op, args in view_fn:
        out = op(out, *args) if not isinstance(op, type) else op.apply(out, *args)
    return out


class AsStrided(Op):
    """The history PyTorch gives a view after an in-place op on it: one view of the base."""

    is_view = True

    @staticmethod
    def forward(ctx, base, shape, view_fn):
        ctx.shape, ctx.view_fn = base.shape, view_fn
        return replay_view(make(base), view_fn)._data

    @staticmethod
    def backward(ctx, grad):
        out = make(xp.zeros(ctx.shape, grad._data.dtype))
        replay_view(out, ctx.view_fn).copy_(grad)
        return out


# -- movedim, and copies that rearrange: repeat, flip, roll, rot90, tril/triu, diag_embed ------


@tensor_method("movedim", "moveaxis")
def movedim(input, source, destination):
    """Moves dims ``source`` to positions ``destination`` (a view; the rest keep their order).

    >>> numtorch.zeros(2, 3, 4).movedim(0, -1).shape
    numtorch.Size([3, 4, 2])
    """
    ndim = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src_w = [wrap_dim(d, ndim) for d in src]
    dst_w = [wrap_dim(d, ndim) for d in dst]
    for name, dims, given in (("source", src_w, src), ("destination", dst_w, dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order = [d for d in range(ndim) if d not in src_w]
    perm = [-1] * ndim
    for s, d in zip(src_w, dst_w, strict=True):
        perm[d] = s
    rest = iter(order)
    perm = [p if p != -1 else next(rest) for p in perm]
    return Permute.apply(input, tuple(perm))


moveaxis = movedim


class Repeat(Op):
    @staticmethod
    def forward(ctx, x, reps):
        ctx.shape = x.shape
        padded = (1,) * (len(reps) - x.ndim) + x.shape
        ctx.padded = padded
        return ctx.xp.tile(x.reshape(padded), reps)

    @staticmethod
    def backward(ctx, grad):
        reps = [n // s if s else 0 for n, s in zip(grad.shape, ctx.padded, strict=True)]
        split = [v for r, s in zip(reps, ctx.padded, strict=True) for v in (r, s)]
        summed = grad.reshape(split).sum(tuple(range(0, len(split), 2)))
        return summed.reshape(ctx.shape)


@tensor_method()
def repeat(input, *sizes):
    """Tiles ``input`` ``sizes[i]`` times along each dim (leading sizes add dims); a copy.

    >>> numtorch.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    reps = _size_args(sizes)
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    padded = (1,) * (len(reps) - len(shape)) + shape
    target = [r * s for r, s in zip(reps, padded, strict=True)]
    for n in target:
        if n < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {n}: {shape_str(target)}"
            )
    return Repeat.apply(input, reps)


@tensor_method()
def tile(input, dims):
    """``repeat`` that pads ``dims`` with leading 1s when it has fewer entries than dims."""
    dims = _size_args((dims,)) if not isinstance(dims, int) else (dims,)
    dims = (1,) * (input._data.ndim - len(dims)) + dims
    return repeat(input, dims)


@tensor_method()
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeats each element ``repeats`` times (a number, or one count per element along ``dim``);
    ``repeat_interleave(counts)`` alone gives ``arange`` indices repeated by ``counts``.

    >>> numtorch.repeat_interleave(numtorch.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    """
    if repeats is None:  # repeat_interleave(repeats): indices 0..n-1, i repeated repeats[i] times
        counts = input._data
        if counts.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if counts.dtype.kind not in "iu":
            raise RuntimeError("repeats has to be Long or Int tensor")
        if counts.size and counts.min() < 0:
            raise RuntimeError("repeats can not be negative")
        out = xp.repeat(xp.arange(counts.size, dtype=counts.dtype), counts)
        if output_size is not None and output_size != out.size:
            raise RuntimeError("allocated size does not match required size")
        return make(out)
    if dim is None:
        input = flatten(input)
        dim = 0
    dim = wrap_dim(dim, input._data.ndim)
    shape = input._data.shape
    if not isinstance(repeats, Tensor):
        repeats = int(repeats)
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        size = shape[dim] if shape else 1
        if output_size is not None and output_size != size * repeats:
            raise RuntimeError(
                f"repeat_interleave: Invalid output_size, expected {size * repeats} but got "
                f"{output_size}"
            )
        # PyTorch: unsqueeze, expand, clone, view (so the result is a view of the clone)
        wide = unsqueeze(input, dim + 1)
        target = list(wide._data.shape)
        target[dim + 1] = repeats
        merged = list(shape) if shape else [1]
        merged[dim] = merged[dim] * repeats
        return view(expand(wide, target).clone(), merged)
    counts = repeats._data
    if counts.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    size = shape[dim] if shape else 1
    if counts.ndim == 1 and counts.size == 1:
        counts = counts.reshape(())
    if counts.ndim == 1 and counts.size != size:
        raise RuntimeError(
            "repeats must have the same size as input along dim, but got repeats.size(0) = "
            f"{counts.size} and input.size({dim}) = {size}"
        )
    if counts.dtype.kind not in "iu":
        raise NotImplementedError(
            f'"repeat_interleave_cpu" not implemented for \'{str(repeats.dtype).split(".")[-1]}'
            "'".replace("float32", "Float").replace("float64", "Double")
        )
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    counts = xp.broadcast_to(counts, (size,))
    index = xp.repeat(xp.arange(size, dtype=xp.int64), counts)
    if output_size is not None and output_size != index.size:
        raise RuntimeError("allocated size does not match required size")
    from .index import index_select

    return index_select(input, dim, make(index))


class Flip(Op):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return ctx.xp.ascontiguousarray(ctx.xp.flip(x, dims)) if dims else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.flip(ctx.dims)


@tensor_method()
def flip(input, *dims):
    """Reverses the order of elements along ``dims`` (a copy).

    >>> numtorch.flip(numtorch.tensor([1, 2, 3]), [0])
    tensor([3, 2, 1])
    """
    from ._common import wrap_dims

    return Flip.apply(input, wrap_dims(_size_args(dims), input._data.ndim))


@tensor_method()
def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, (1,))


@tensor_method()
def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, (0,))


class Roll(Op):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        if dims is None:
            return ctx.xp.roll(x, shifts[0])
        return ctx.xp.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.roll(tuple(-s for s in ctx.shifts), ctx.dims)


@tensor_method()
def roll(input, shifts, dims=None):
    """Rotates elements along ``dims`` by ``shifts`` (all elements, flattened, when no dims).

    >>> numtorch.roll(numtorch.tensor([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3])
    """
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is not None:
        dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if (dims is None and len(shifts) != 1) or (dims is not None and len(dims) != len(shifts)):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
            f"{0 if dims is None else len(dims)}"
        )
    if dims is not None:
        dims = tuple(wrap_dim(d, input._data.ndim) for d in dims)
    return Roll.apply(input, shifts, dims)


class Rot90(Op):
    node_name = "Rot90Backward0"

    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        d0, d1 = dims
        flip = ctx.xp.flip
        if k == 1:
            return ctx.xp.swapaxes(ctx.xp.ascontiguousarray(flip(x, d1)), d0, d1)
        if k == 2:
            return ctx.xp.ascontiguousarray(flip(x, dims))
        if k == 3:
            return ctx.xp.swapaxes(ctx.xp.ascontiguousarray(flip(x, d0)), d0, d1)
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.rot90(-ctx.k, ctx.dims)


@tensor_method()
def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees ``k`` times in the plane of ``dims``, from the first towards the
    second."""
    dims = tuple(dims)
    ndim = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {ndim}")
    wrapped = (wrap_dim(dims[0], ndim), wrap_dim(dims[1], ndim))
    if wrapped[0] == wrapped[1]:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return Rot90.apply(input, k % 4, wrapped)


class Tril(Op):
    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return ctx.xp.tril(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.tril(ctx.diagonal)


class Triu(Op):
    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return ctx.xp.triu(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return grad.triu(ctx.diagonal)


def _triangle(op, name, input, diagonal):
    if input._data.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return op.apply(input, int(diagonal))


@tensor_method()
def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (on and below ``diagonal``), zeros elsewhere.

    >>> numtorch.tril(numtorch.ones(2, 2))
    tensor([[1., 0.],
            [1., 1.]])
    """
    result = _triangle(Tril, "tril", input, diagonal)
    return _write(out, result)


@tensor_method()
def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims (on and above ``diagonal``), zeros elsewhere."""
    return _write(out, _triangle(Triu, "triu", input, diagonal))


@tensor_method()
def tril_(self, diagonal=0):
    return self._inplace(tril, diagonal)


@tensor_method()
def triu_(self, diagonal=0):
    return self._inplace(triu, diagonal)


def _write(out, result):
    if out is None:
        return result
    from ._common import check_out, write_out

    check_out(out, "tril", result)
    return write_out(out, result)


class DiagEmbed(Op):
    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.args = (offset, dim1, dim2)
        n = x.shape[-1] + abs(offset)
        shape = list(x.shape[:-1])
        lo, hi = sorted((dim1, dim2))
        shape.insert(lo, n)
        shape.insert(hi, n)
        out = ctx.xp.zeros(shape, x.dtype)
        view = ctx.xp.diagonal(out, offset, dim1, dim2)
        view.flags.writeable = True
        view[...] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.diagonal(*ctx.args)


@tensor_method()
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Matrices (in dims ``dim1``, ``dim2`` of the result) whose ``offset`` diagonal is the last
    dim of ``input``."""
    ndim = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, int(offset), d1, d2)


class DiagonalCopy(Op):
    node_name = "DiagonalBackward0_copy"  # diag(matrix) is diagonal_copy in PyTorch

    @staticmethod
    def forward(ctx, x, offset):
        ctx.shape, ctx.offset = x.shape, offset
        return ctx.xp.diagonal(x, offset).copy()

    @staticmethod
    def backward(ctx, grad):
        return _DiagonalBackward.apply(grad, ctx.shape, (ctx.offset, 0, 1))


@tensor_method()
def diag(input, diagonal=0, *, out=None):
    """A vector's diagonal matrix, or a matrix's diagonal as a vector (``diagonal`` > 0: above).

    >>> numtorch.diag(numtorch.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    ndim = input._data.ndim
    if ndim == 1:
        result = DiagEmbed.apply(input, int(diagonal), 0, 1)
    elif ndim == 2:
        result = DiagonalCopy.apply(input, int(diagonal))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {ndim}D")
    return _write(out, result)


@tensor_method()
def diagflat(input, offset=0):
    """The flattened ``input`` as the ``offset`` diagonal of a square matrix."""
    return DiagEmbed.apply(flatten(input), int(offset), 0, 1)


# -- stacking and splitting helpers ---------------------------------------------------------------


def _tensors_arg(tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0]), True
    return list(tensors), len(tensors) != 1


def atleast_1d(*tensors):
    """``input`` with at least one dim (0-d becomes shape [1]); several tensors give a tuple."""
    items, many = _tensors_arg(tensors)
    out = tuple(reshape(t, 1) if t._data.ndim == 0 else t for t in items)
    return out if many else out[0]


def atleast_2d(*tensors):
    items, many = _tensors_arg(tensors)
    out = tuple(_at_least(t, 2) for t in items)
    return out if many else out[0]


def atleast_3d(*tensors):
    items, many = _tensors_arg(tensors)
    out = tuple(_at_least(t, 3) for t in items)
    return out if many else out[0]


def _at_least(t, n):
    ndim = t._data.ndim
    if ndim == 0:
        return reshape(t, (1,) * n)
    if ndim == 1:
        t = unsqueeze(t, 0)
        return unsqueeze(t, -1) if n == 3 else t
    if ndim == 2 and n == 3:
        return unsqueeze(t, -1)
    return t


def _joined(name, tensors):
    tensors = _tensor_list(tensors, name)
    if not tensors:
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def hstack(tensors, *, out=None):
    """Joins tensors column-wise: along dim 1, or dim 0 for 1-D tensors."""
    tensors = atleast_1d(_joined("hstack", tensors))
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    """Joins tensors row-wise (1-D tensors become rows)."""
    return cat(atleast_2d(_joined("vstack", tensors)), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Joins tensors depth-wise, along dim 2 of their ``atleast_3d`` forms."""
    return cat(atleast_3d(_joined("dstack", tensors)), 2, out=out)


def column_stack(tensors, *, out=None):
    """Joins tensors as columns: 0-d and 1-D tensors become columns, others join along dim 1."""
    tensors = _joined("column_stack", tensors)
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in tensors]
    return cat(cols, 1, out=out)


@tensor_method()
def tensor_split(input, indices_or_sections, dim=0):
    """Views of ``input`` split along ``dim`` into ``sections`` nearly equal parts (the first
    ``size % sections`` one longer), or at the given indices.

    >>> [t.tolist() for t in numtorch.arange(5).tensor_split(2)]
    [[0, 1, 2], [3, 4]]
    """
    ndim = input._data.ndim
    if ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        data = spec._data
        if data.dtype != xp.int64:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                + legacy_type_name(data.dtype).split(".")[-1][: -len("Tensor")]
            )
        if data.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {data.ndim} dims"
            )
        spec = int(data) if data.ndim == 0 else [int(i) for i in data]
    elif isinstance(spec, float) or isinstance(spec, bool):
        raise TypeError(
            "tensor_split() received an invalid combination of arguments - got (Tensor, "
            f"{type(spec).__name__}), but expected one of:"
        )
    dim = wrap_dim(dim, ndim)
    size = input._data.shape[dim]
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {spec}")
        small, extra = divmod(size, spec)
        bounds, start = [], 0
        for i in range(spec):
            stop = start + small + (1 if i < extra else 0)
            bounds.append((start, stop))
            start = stop
    else:
        cuts = [0, *(int(i) for i in spec), size]
        bounds = list(zip(cuts[:-1], cuts[1:], strict=True))
    return tuple(slice_dim(input, dim, a, b, 1) for a, b in bounds)


def _split_at(name, input, spec, dim, need):
    ndim = input._data.ndim
    if ndim < need:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {need} dimension, but got a tensor "
            f"with {ndim} dimensions!"
        )
    if isinstance(spec, int):
        size = input._data.shape[dim]
        if spec == 0 or size % spec:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {spec}!"
            )
    return tensor_split(input, spec, dim)


@tensor_method()
def hsplit(input, indices_or_sections):
    ndim = input._data.ndim
    if ndim < 1:
        raise RuntimeError(
            "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 "
            "dimensions!"
        )
    return _split_at("hsplit", input, indices_or_sections, 1 if ndim > 1 else 0, 1)


@tensor_method()
def vsplit(input, indices_or_sections):
    return _split_at("vsplit", input, indices_or_sections, 0, 2)


@tensor_method()
def dsplit(input, indices_or_sections):
    return _split_at("dsplit", input, indices_or_sections, 2, 3)


def meshgrid(*tensors, indexing=None):
    """Coordinate grids (expanded views) from 1-D tensors; ``indexing="ij"`` gives the first
    tensor's values along dim 0, ``"xy"`` swaps the first two dims.

    >>> [g.tolist() for g in numtorch.meshgrid(numtorch.tensor([1, 2]), numtorch.tensor([3]),
    ...                                         indexing="ij")]
    [[[1], [2]], [[3], [3]]]
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument. (Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/native/"
            "TensorShape.cpp:4215.)",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("xy", "ij"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                + repr(t).split("\n")[0]
            )
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    items = list(tensors)
    swap = indexing == "xy" and len(items) >= 2
    if swap:
        items[0], items[1] = items[1], items[0]
    shape = tuple(t._data.size for t in items)
    grids = []
    for i, t in enumerate(items):
        view_shape = [1] * len(items)
        view_shape[i] = -1
        grids.append(expand(view(t, view_shape), shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


# -- narrow_copy, unfold, as_strided, resize_, complex views ---------------------------------------


class NarrowCopy(Op):
    @staticmethod
    def forward(ctx, x, dim, start, length):
        ctx.shape, ctx.args = x.shape, (dim, start, start + length, 1)
        return x[(slice(None),) * dim + (slice(start, start + length),)].copy()

    @staticmethod
    def backward(ctx, grad):
        return _SliceBackward.apply(grad, ctx.shape, *ctx.args)


@tensor_method()
def narrow_copy(input, dim, start, length):
    """``narrow`` as a new tensor rather than a view."""
    narrow(input.detach(), dim, start, length)  # narrow's argument checks and errors
    dim = wrap_dim(dim, input._data.ndim)
    start = _as_int(start, "narrow(): start")
    if start < 0:
        start += input._data.shape[dim]
    return NarrowCopy.apply(input, dim, start, int(length))


class Unfold(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.shape, ctx.args = x.shape, (dim, size, step)
        if x.ndim == 0:
            return x.reshape(1)
        strides = x.strides
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1 :] + (size,)
        new = strides[:dim] + (strides[dim] * step,) + strides[dim + 1 :] + (strides[dim],)
        out = ctx.xp.lib.stride_tricks.as_strided(x, shape, new, writeable=x.flags.writeable)
        if size > step and n > 1:  # overlapping windows: PyTorch refuses writes into them
            out.flags.writeable = False
        return out

    @staticmethod
    def backward(ctx, grad):
        return _UnfoldBackward.apply(grad, ctx.shape, *ctx.args)


class _UnfoldBackward(Op):
    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, shape, dim, size, step):
        ctx.args = (dim, size, step)
        if not shape:
            return grad.reshape(())
        out = ctx.xp.zeros(shape, grad.dtype)
        moved = ctx.xp.moveaxis(out, dim, -1)  # windows run along the last dim here
        g = ctx.xp.moveaxis(grad, dim, -2)  # (..., n, size)
        for j in range(g.shape[-2]):
            moved[..., j * step : j * step + size] += g[..., j, :]
        return out

    @staticmethod
    def backward(ctx, gg):
        return Unfold.apply(gg, *ctx.args)


@tensor_method("unfold")
def _unfold(self, dimension, size, step):
    """All windows of ``size`` elements, ``step`` apart, along ``dimension`` (a view; the window
    is the new last dim).

    >>> numtorch.arange(5).unfold(0, 2, 2)
    tensor([[0, 1],
            [2, 3]])
    """
    shape = self._data.shape
    dim = wrap_dim(dimension, len(shape))
    length = shape[dim] if shape else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {dim} is {length} but size is {size}"
        )
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(self, dim, int(size), int(step))


def _root(x):
    root = x
    while isinstance(root.base, ndarray):
        root = root.base
    return root


def _storage_offset(x) -> int:
    root = _root(x)
    return (x.ctypes.data - root.ctypes.data) // x.itemsize


def _flat_positions(xp_, shape, strides, offset):
    """The storage position of every element of a strided geometry, in its shape."""
    pos = xp_.full(shape, offset, dtype=xp_.int64)
    for d, (n, s) in enumerate(zip(shape, strides, strict=True)):
        pos = pos + (xp_.arange(n, dtype=xp_.int64) * s).reshape((n,) + (1,) * (len(shape) - d - 1))
    return pos


class AsStridedView(Op):
    """``as_strided``: any geometry over the input's storage (a view)."""

    is_view = True
    node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        root = _root(x)
        item = x.itemsize
        flat = root.reshape(-1) if root.flags.c_contiguous else root.ravel(order="A")
        start = offset
        if not root.flags.c_contiguous and not root.flags.f_contiguous:
            raise RuntimeError("as_strided: the input's memory is not one buffer")
        ctx.geometry = (
            x.shape,
            tuple(s // item for s in x.strides),
            _storage_offset(x),
            size,
            stride,
            offset,
            root.size,
        )
        view = ctx.xp.lib.stride_tricks.as_strided(
            flat[start:] if flat.size > start else flat[:0],
            size,
            tuple(s * item for s in stride),
            writeable=x.flags.writeable,
        )
        if any(s == 0 and n > 1 for n, s in zip(size, stride, strict=True)):
            view.flags.writeable = False
        return view

    @staticmethod
    def backward(ctx, grad):
        return _AsStridedBackward.apply(grad, ctx.geometry)


class _AsStridedBackward(Op):
    node_name = "AsStridedBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, geometry):
        in_shape, in_strides, in_off, size, stride, offset, storage = geometry
        xp_ = ctx.xp
        ctx.geometry = geometry
        buf = xp_.zeros(storage, grad.dtype)
        xp_.add.at(buf, _flat_positions(xp_, size, stride, offset), grad)
        return buf[_flat_positions(xp_, in_shape, in_strides, in_off)]

    @staticmethod
    def backward(ctx, gg):
        return _AsStridedBackwardBackward.apply(gg, ctx.geometry)


class _AsStridedBackwardBackward(Op):
    """The adjoint of _AsStridedBackward (linear, so it is its own second derivative's rule)."""

    @staticmethod
    def forward(ctx, gg, geometry):
        in_shape, in_strides, in_off, size, stride, offset, storage = geometry
        xp_ = ctx.xp
        ctx.geometry = geometry
        buf = xp_.zeros(storage, gg.dtype)
        xp_.add.at(buf, _flat_positions(xp_, in_shape, in_strides, in_off), gg)
        return buf[_flat_positions(xp_, size, stride, offset)]

    @staticmethod
    def backward(ctx, g):
        return _AsStridedBackward.apply(g, ctx.geometry)


@tensor_method()
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, strides (in elements) and storage
    offset (the input's own when None)."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{shape_str(stride)}"
        )
    data = input._data
    offset = _storage_offset(data) if storage_offset is None else int(storage_offset)
    need = (
        0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    )
    storage = _root(data).size
    if need > storage:
        raise RuntimeError(
            f"setStorage: sizes {shape_str(size)}, strides {shape_str(stride)}, storage offset "
            f"{offset}, and itemsize {data.itemsize} requiring a storage size of "
            f"{need * data.itemsize} are out of bounds for storage of size "
            f"{storage * data.itemsize}"
        )
    return AsStridedView.apply(input, size, stride, offset)


def _resize(self, shape):
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    shape = _size_args(shape)
    if any(s < 0 for s in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {shape_str(shape)}"
        )
    data = self._data
    numel = math.prod(shape)
    if data.shape == shape:
        return self
    strides = []
    acc = 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    fits = _as_view(data, shape, tuple(reversed(strides))) if data.flags.c_contiguous else None
    if fits is None:
        # the elements in memory order from this tensor's start, then new (zeroed) memory
        old = data.reshape(-1) if data.flags.c_contiguous else data.ravel(order="K")
        new = xp.zeros(numel, data.dtype)
        n = min(numel, old.size)
        new[:n] = old[:n]
        fits = new.reshape(shape)
    self._data = fits
    return self


@tensor_method()
def resize_(self, *sizes, memory_format=None):
    """Gives ``self`` a new shape in place, keeping the elements in memory order (new memory is
    zeroed here, uninitialised in PyTorch)."""
    return _resize(self, sizes)


@tensor_method()
def resize_as_(self, the_template, memory_format=None):
    return _resize(self, the_template._data.shape)


class ViewAsReal(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        real = x.real.dtype
        return x[..., None].view(real)

    @staticmethod
    def backward(ctx, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplex(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        kind = ctx.xp.complex64 if x.dtype == ctx.xp.float32 else ctx.xp.complex128
        return x.view(kind)[..., 0]

    @staticmethod
    def backward(ctx, grad):
        return view_as_real(grad)


def view_as_real(input):
    """A complex tensor's memory seen as real numbers, with a last dim of 2 (real, imaginary).

    >>> numtorch.view_as_real(numtorch.tensor([1 + 2j]))
    tensor([[1., 2.]])
    """
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """The inverse of ``view_as_real``: a last dim of 2 (stride 1) read as complex numbers."""
    data = input._data
    if data.dtype not in (xp.float32, xp.float64):
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            "tensor of scalar type: "
            + legacy_type_name(data.dtype).split(".")[-1][: -len("Tensor")]
        )
    if data.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    strides = _elem_strides(data)
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s, n in zip(strides[:-1], data.shape[:-1], strict=True) if n != 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if _storage_offset(data) % 2:
        raise RuntimeError("Tensor must have a storage_offset divisible by 2")
    return ViewAsComplex.apply(input)
