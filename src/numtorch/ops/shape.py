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
    offset = x.__array_interface__["data"][0] - root.__array_interface__["data"][0]
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
    shape = input._data.shape
    if dim is None:
        return Squeeze.apply(input, tuple(s for s in shape if s != 1))
    if isinstance(dim, int):
        d = wrap_dim(dim, len(shape))
        new = shape if not shape or shape[d] != 1 else shape[:d] + shape[d + 1 :]
        return Squeeze1.apply(input, new)
    dims = {wrap_dim(d, len(shape)) for d in dim}
    return Squeeze2.apply(
        input, tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    )


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
