"""Shape ops. Views (view, transpose, permute, squeeze, expand, diagonal, split ...) share
memory and version counter with their input; cat/stack copy. Also the in-place plumbing:
``copy_``, ``fill_``, ``zero_`` and CopySlices, the node an in-place op on a view gives its base.
"""

from __future__ import annotations

import functools
import math

from .._dtype import result_type
from .._tensor import Tensor, make
from ..autograd.function import Op, _edge
from ..autograd.graph import sequence
from ._common import broadcast_error, shape_str, tensor_method, wrap_dim, xp


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
    """``x`` reshaped without copying, or None where the strides do not allow it."""
    out = x.view()
    try:
        out.shape = shape
    except AttributeError:
        return None
    return out


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


def _T(self):
    ndim = self._data.ndim
    if ndim <= 1:
        return self
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


class Unsqueeze(_Reshaping):
    pass


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
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1)
    return Unsqueeze.apply(input, shape[:d] + (1,) + shape[d:])


class Expand(Op):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return ctx.xp.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.sum_to_size(ctx.shape)


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
            make_view(o, x, functools.partial(_pick, cls, i), args[1:], ctx if record else None, i)
            for i, o in enumerate(outs)
        )


def _pick(cls, index, tensor, *args):
    return cls.apply(tensor, *args)[index]


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


class Cat(Op):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] if x.ndim else 0 for x in xs]
        return ctx.xp.concatenate(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *grad.split(ctx.sizes, ctx.dim))


def cat(tensors, dim=0, *, out=None):
    """Joins tensors along an existing dim (dtypes promote, as PyTorch).

    >>> numtorch.cat([numtorch.zeros(1, 2), numtorch.ones(1, 2)]).shape
    numtorch.Size([2, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    # legacy behaviour: 1-D empty tensors are skipped whatever the other shapes
    kept = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not kept:
        return tensors[0].clone()
    ref = kept[0]._data
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        data = t._data
        if data.ndim != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {data.ndim}"
            )
        for d in range(ref.ndim):
            if d != dim and data.shape[d] != ref.shape[d]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {dim}. Expected size "
                    f"{ref.shape[d]} but got size {data.shape[d]} for tensor number {i} in the "
                    "list."
                )
    target = result_type(*kept)._np
    casted = [t if t._data.dtype == target else t._to_np_dtype(target) for t in kept]
    result = Cat.apply(dim, *casted)
    if out is not None:
        from ._common import write_out

        return write_out(out, result)
    return result


concat = concatenate = cat


class Stack(Op):
    @staticmethod
    def forward(ctx, dim, *xs):
        ctx.dim = dim
        return ctx.xp.stack(xs, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return (None, *grad.unbind(ctx.dim))


def stack(tensors, dim=0, *, out=None):
    """Joins same-shaped tensors along a new dim.

    >>> numtorch.stack([numtorch.zeros(2), numtorch.ones(2)], dim=1).shape
    numtorch.Size([2, 2])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {shape_str(shape)} at entry "
                f"0 and {shape_str(t._data.shape)} at entry {i}"
            )
    dim = wrap_dim(dim, len(shape) + 1)
    target = result_type(*tensors)._np
    casted = [t if t._data.dtype == target else t._to_np_dtype(target) for t in tensors]
    result = Stack.apply(dim, *casted)
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


class Copy(Op):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        try:
            return ctx.xp.broadcast_to(ctx.xp.asarray(src), x.shape).astype(x.dtype)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({x.shape[-1] if x.ndim else 1}) must match the size of "
                f"tensor b ({ctx.xp.shape(src)[-1] if ctx.xp.ndim(src) else 1}) at non-singleton "
                f"dimension {max(x.ndim - 1, 0)}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad


def _copy(self, src, non_blocking=False):
    return Copy.apply(self, src)


@tensor_method()
def copy_(self, src, non_blocking=False):
    """Copies ``src`` (broadcast, cast) into ``self`` in place; gradients flow to ``src``."""
    return self._inplace(_copy, src)


class Fill(Op):
    @staticmethod
    def forward(ctx, x, value):
        return ctx.xp.full(x.shape, value, dtype=x.dtype)

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


@tensor_method()
def fill_(self, value):
    """Sets every element to ``value`` (a number or a 0-d tensor)."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    return self._inplace(Fill.apply, value)


@tensor_method()
def zero_(self):
    """Sets every element to zero, in place (what ``grad.zero_()`` does)."""
    return self._inplace(Zero.apply)


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


def copy_slices(base, view_fn, node):
    """Makes CopySlices the history of ``base`` after ``node`` wrote into one of its views."""
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
