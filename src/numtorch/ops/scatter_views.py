"""The functional forms of writing into a view (``select_scatter``, ``slice_scatter``,
``diagonal_scatter``, ``as_strided_scatter``), the ``*_copy`` variants of the view ops, the
``native_*`` / ``unsafe_*`` ATen-level functions PyTorch exposes at top level, the in-place BLAS
methods, and the removed methods (``solve``, ``eig`` ...) that now only raise.

A ``*_copy`` op is the view op's own forward followed by a copy, recorded as one node named
``<View>Backward0_copy`` whose backward is the view's: that is how PyTorch shows them.
"""

from __future__ import annotations

import functools
import math
import warnings
from typing import Any

from .. import _dtype
from .._tensor import Tensor, legacy_type_name, make
from ..autograd.function import Function, Op
from ..autograd.grad_mode import STATE, no_grad
from . import shape as _shape
from ._common import shape_str, tensor_method, wrap_dim, xp

# -- the scatter ops: input with one view of it replaced by src ----------------------------------


def _src_check(src, view_shape) -> None:
    if tuple(src._data.shape) != tuple(view_shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{shape_str(src._data.shape)}, slice size = {shape_str(view_shape)}"
        )


def _tensor_arg(value, fn: str, name: str, pos: int) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(value).__name__}"
        )


def _zeros_like(t):
    from .creation import zeros_like

    # not t * 0: an inf or nan in the gradient must not leak into the zeroed region
    return zeros_like(t)


class _Scatter(Op):
    """``out = x.clone(); view(out).copy_(src)``; subclasses say which view."""

    tensor_args = 2

    @staticmethod
    def region(out, args):  # the writable view of ``out`` that src replaces
        raise NotImplementedError

    @classmethod
    def forward(cls, ctx, x, src, *args):
        ctx.args = args
        out = x.copy()
        view = cls.region(out, args)
        view[...] = src.astype(x.dtype, copy=False) if src.dtype != x.dtype else src
        return out

    @classmethod
    def backward(cls, ctx, grad):
        needs = ctx.needs_input_grad
        view = cls.view(grad, ctx.args)
        gx = cls.apply(grad, _zeros_like(view), *ctx.args) if needs[0] else None
        return gx, (view if needs[1] else None)

    @staticmethod
    def view(t, args):
        raise NotImplementedError


class SelectScatter(_Scatter):
    @staticmethod
    def region(out, args):
        dim, index = args
        return out[(slice(None),) * dim + (index, Ellipsis)]

    @staticmethod
    def view(t, args):
        return _shape.Select.apply(t, *args)


class SliceScatter(_Scatter):
    @staticmethod
    def region(out, args):
        dim, start, stop, step = args
        return out[(slice(None),) * dim + (slice(start, stop, step),)]

    @staticmethod
    def view(t, args):
        return _shape.Slice.apply(t, *args)


class DiagonalScatter(_Scatter):
    @staticmethod
    def region(out, args):
        view = xp.diagonal(out, *args)
        view.flags.writeable = True  # NumPy hands diagonals out read-only
        return view

    @staticmethod
    def view(t, args):
        return _shape.Diagonal.apply(t, *args)


class AsStridedScatter(_Scatter):
    """The geometry addresses the (contiguous) clone's storage, as in PyTorch.

    The gradient to ``input`` is ``grad`` with the scattered positions zeroed. PyTorch 2.13
    returns the complement (``grad`` on those positions only), which fails its own gradcheck;
    numtorch keeps the mathematically right one.
    """

    @classmethod
    def forward(cls, ctx, x, src, size, stride, offset):
        ctx.args = (size, stride, offset)
        out = xp.ascontiguousarray(x).copy()
        pos = _shape._flat_positions(xp, size, stride, offset)
        out.reshape(-1)[pos] = src.astype(x.dtype, copy=False)
        return out

    @staticmethod
    def view(t, args):
        size, stride, offset = args
        shape = tuple(t._data.shape)
        strides = _contiguous(shape)
        geometry = (shape, strides, 0, size, stride, offset, math.prod(shape))
        # gathers the strided positions of t laid out contiguously (its adjoint scatter-adds)
        return _shape._AsStridedBackwardBackward.apply(t, geometry)


def _contiguous(shape) -> tuple:
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


@tensor_method()
def select_scatter(input, src, dim, index):
    """``input`` with its slice at ``index`` along ``dim`` replaced by ``src`` (a new tensor).

    >>> numtorch.select_scatter(numtorch.zeros(2, 2), numtorch.ones(2), 0, 0)
    tensor([[1., 1.],
            [0., 0.]])
    """
    _tensor_arg(src, "select_scatter", "src", 2)
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, len(shape))
    index = _shape._as_int(index, "select(): index")
    size = shape[dim]
    if size <= -1 - index or size <= index:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {shape_str(shape)} at "
            f"dimension {dim}"
        )
    _src_check(src, shape[:dim] + shape[dim + 1 :])
    return SelectScatter.apply(input, src, dim, index % size)


@tensor_method()
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with ``input[..., start:end:step]`` (along ``dim``) replaced by ``src``.

    >>> numtorch.slice_scatter(numtorch.zeros(4), numtorch.ones(2), 0, 0, None, 2)
    tensor([1., 0., 1., 0.])
    """
    _tensor_arg(src, "slice_scatter", "src", 2)
    shape = input._data.shape
    dim = wrap_dim(dim, len(shape))
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    start, stop, step = slice(start, end, step).indices(shape[dim] if shape else 1)
    stop = max(stop, start)
    view_shape = list(shape)
    if shape:
        view_shape[dim] = len(range(start, stop, step))
    _src_check(src, view_shape)
    return SliceScatter.apply(input, src, dim, start, stop, step)


@tensor_method()
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with its ``offset`` diagonal (in dims ``dim1``, ``dim2``) replaced by ``src``.

    >>> numtorch.diagonal_scatter(numtorch.zeros(2, 2), numtorch.ones(2))
    tensor([[1., 0.],
            [0., 1.]])
    """
    _tensor_arg(src, "diagonal_scatter", "src", 2)
    ndim = input._data.ndim
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    _src_check(src, xp.diagonal(input._data, int(offset), d1, d2).shape)
    return DiagonalScatter.apply(input, src, int(offset), d1, d2)


@tensor_method()
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A contiguous copy of ``input`` whose ``as_strided(size, stride, storage_offset)`` view
    is replaced by ``src``.

    >>> numtorch.as_strided_scatter(numtorch.zeros(4), numtorch.ones(2), (2,), (2,), 1)
    tensor([0., 1., 0., 1.])
    """
    _tensor_arg(src, "as_strided_scatter", "src", 2)
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{shape_str(stride)}"
        )
    offset = 0 if storage_offset is None else int(storage_offset)
    data = input._data
    need = (
        0 if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    )
    if need > data.size:
        raise RuntimeError(
            f"setStorage: sizes {shape_str(size)}, strides {shape_str(stride)}, storage offset "
            f"{offset}, and itemsize {data.itemsize} requiring a storage size of "
            f"{need * data.itemsize} are out of bounds for storage of size "
            f"{data.size * data.itemsize}"
        )
    _src_check(src, size)
    return AsStridedScatter.apply(input, src, size, stride, offset)


# -- *_copy: a view op's result as a new tensor ------------------------------------------------


@functools.cache
def _copy_op(view_op: Any) -> Any:
    """The copying twin of a view Op: same forward and backward, named ``..._copy``."""

    def forward(ctx, x, *args):
        return xp.array(view_op.forward(ctx, x, *args), copy=True, order="C")

    name = view_op._node_cls.__name__ + "_copy"
    return type(
        view_op.__name__ + "Copy",
        (view_op,),
        {"is_view": False, "node_name": name, "forward": staticmethod(forward)},
    )


class _MultiCopy(Op):
    """Split/unbind's pieces as copies: one node with an output per piece."""

    view_op: Any = None

    @classmethod
    def forward(cls, ctx, x, *args):
        return tuple(xp.array(o, copy=True, order="C") for o in cls.view_op.forward(ctx, x, *args))

    @classmethod
    def backward(cls, ctx, *grads):
        return cls.view_op.backward(ctx, *grads)


class SplitCopy(_MultiCopy):
    node_name = "SplitBackward0_copy"
    view_op = _shape.Split


class SplitWithSizesCopy(_MultiCopy):
    node_name = "SplitWithSizesBackward0_copy"
    view_op = _shape.Split


class UnbindCopy(_MultiCopy):
    node_name = "UnbindBackward0_copy"
    view_op = _shape.Unbind


def _copy_of(view_fn, input, *args, **kwargs):
    """Runs ``view_fn`` for its checks and arguments on a detached alias, then replays the one
    view op it recorded as its copying twin on ``input``."""
    probe = input.detach()
    with no_grad():
        view = view_fn(probe, *args, **kwargs)
    op, op_args = view._view_fn[-1]
    return _copy_op(op).apply(input, *op_args)


def _multi_copy(copy_cls, view_fn, input, *args):
    with no_grad():
        pieces = view_fn(input.detach(), *args)
    return copy_cls.apply(input, *pieces[0]._view_fn[-1][1])


def alias_copy(input):
    """A copy of ``input`` (the copying form of ``alias``), as torch.alias_copy."""
    return _copy_op(_shape.Alias).apply(input)


def as_strided_copy(input, size, stride, storage_offset=None):
    """``as_strided`` as a new contiguous tensor.

    >>> numtorch.as_strided_copy(numtorch.arange(4.0), (2,), (2,))
    tensor([0., 2.])
    """
    return _copy_of(_shape.as_strided, input, size, stride, storage_offset)


class DetachCopy(Op):
    # PyTorch 2.x gives detach_copy an autograd node with no derivative formula
    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x):
        return x.copy()

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::detach_copy is not implemented")


def detach_copy(input):
    """A copy of ``input``'s data (as torch.detach_copy, whose result keeps requires_grad)."""
    return DetachCopy.apply(input)


def diagonal_copy(input, offset=0, dim1=0, dim2=1):
    """``diagonal`` as a new tensor.

    >>> numtorch.diagonal_copy(numtorch.eye(2))
    tensor([1., 1.])
    """
    return _copy_of(_shape.diagonal, input, offset, dim1, dim2)


def expand_copy(input, size, *, implicit=False):
    """``expand`` as a new tensor (the repeated elements are real copies)."""
    return _copy_of(_shape.expand, input, *(size if isinstance(size, (list, tuple)) else (size,)))


def permute_copy(input, dims):
    return _copy_of(_shape.permute, input, *dims)


def select_copy(input, dim, index):
    return _copy_of(_shape.select, input, dim, index)


def slice_copy(input, dim=0, start=None, end=None, step=1):
    """``input[..., start:end:step]`` along ``dim`` as a new tensor."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    dim = wrap_dim(dim, input._data.ndim)
    return _copy_of(_shape.slice_dim, input, dim, start, end, step)


def split_copy(input, split_size, dim=0):
    """``split`` with each piece a new tensor."""
    if not isinstance(split_size, int):
        return split_with_sizes_copy(input, split_size, dim)
    return _multi_copy(SplitCopy, _shape.split, input, split_size, dim)


def split_with_sizes_copy(input, split_sizes, dim=0):
    return _multi_copy(SplitWithSizesCopy, _shape.split, input, list(split_sizes), dim)


def squeeze_copy(input, dim=None):
    return _copy_of(_shape.squeeze, input, dim)


def t_copy(input):
    """``t`` as a new tensor.

    >>> numtorch.t_copy(numtorch.tensor([[1, 2]]))
    tensor([[1],
            [2]])
    """
    return _copy_of(_shape.t, input)


def transpose_copy(input, dim0, dim1):
    return _copy_of(_shape.transpose, input, dim0, dim1)


def unbind_copy(input, dim=0):
    return _multi_copy(UnbindCopy, _shape.unbind, input, dim)


def unfold_copy(input, dimension, size, step):
    return _copy_of(Tensor.unfold, input, dimension, size, step)


def unsqueeze_copy(input, dim):
    return _copy_of(_shape.unsqueeze, input, dim)


def view_copy(input, size):
    """``view`` as a new tensor; any layout works (it is ``reshape`` that always copies).

    >>> numtorch.view_copy(numtorch.arange(4), [2, 2])
    tensor([[0, 1],
            [2, 3]])
    """
    from .._dtype import dtype as dtype_cls

    if isinstance(size, dtype_cls):
        return make(input._data.view(size._np).copy())
    size = _shape._infer_shape(_shape._size_args((size,)), input._data.size)
    return _ViewCopy.apply(input, size)


class _ViewCopy(Op):
    node_name = "ViewBackward0_copy"

    @staticmethod
    def forward(ctx, x, shape):
        ctx.shape = x.shape
        return x.reshape(shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


def view_as_real_copy(input):
    return _copy_of(_shape.view_as_real, input)


def view_as_complex_copy(input):
    """``view_as_complex`` as a new tensor; like PyTorch, not differentiable (complex output)."""
    with no_grad():
        out = _shape.view_as_complex(input.detach())  # its layout checks come first
    if STATE.grad_enabled and input._requires_grad:
        raise RuntimeError(
            "view_as_complex_copy does not support automatic differentiation for outputs with "
            "complex dtype."
        )
    return make(xp.array(out._data, copy=True, order="C"))


def indices_copy(input):
    """Sparse tensors only; numtorch's tensors are strided, so this raises as PyTorch does."""
    raise RuntimeError("indices expected sparse coordinate tensor layout but got Strided")


def values_copy(input):
    raise RuntimeError("values expected sparse tensor layout but got Strided")


# -- splits, padding, convolution, native norms and dropout ---------------------------------------


def split_with_sizes(input, split_sizes, dim=0):
    """Views of consecutive pieces of the given sizes along ``dim``.

    >>> [t.tolist() for t in numtorch.split_with_sizes(numtorch.arange(3), [1, 2])]
    [[0], [1, 2]]
    """
    return _shape.split(input, list(split_sizes), dim)


class UnsafeSplit(Op):
    """``split`` whose pieces share memory with the input but are not autograd views, so
    in-place ops on them are allowed (and unchecked), as in PyTorch."""

    @staticmethod
    def forward(ctx, x, sizes, dim):
        ctx.dim = dim
        bounds = list(_shape.itertools_accumulate(sizes))[:-1]
        return tuple(xp.split(x, bounds, axis=dim))

    @staticmethod
    def backward(ctx, *grads):
        return _shape.cat(grads, ctx.dim)


class UnsafeSplitWithSizes(UnsafeSplit):
    pass


def _split_sizes(input, split_size, dim):
    with no_grad():
        pieces = _shape.split(input.detach(), split_size, dim)
    return tuple(p._data.shape[dim] for p in pieces)


@tensor_method()
def unsafe_split(input, split_size, dim=0):
    """``split`` without view tracking (the pieces share memory with ``input``)."""
    dim = wrap_dim(dim, input._data.ndim)
    return UnsafeSplit.apply(input, _split_sizes(input, int(split_size), dim), dim)


@tensor_method()
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    dim = wrap_dim(dim, input._data.ndim)
    sizes = _split_sizes(input, list(split_sizes), dim)
    return UnsafeSplitWithSizes.apply(input, sizes, dim)


@tensor_method()
def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` without view tracking (PyTorch records it as an unsafe split)."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    length = input._data.shape[d]
    return unsafe_split(input, max(1, math.ceil(length / chunks)), d)


def constant_pad_nd(input, pad, value=0):
    """Pads the trailing dims with ``value`` (negative amounts crop), ``pad`` last dim first.

    >>> numtorch.constant_pad_nd(numtorch.ones(2), (1, 0), 5.0)
    tensor([5., 1., 1.])
    """
    from .nn_support import ConstantPadNd

    pad = tuple(int(p) for p in pad)
    ndim = input._data.ndim
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    if len(pad) // 2 > ndim:
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)}while the input has {ndim}dimensions."
        )
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2))[::-1]
    # PyTorch crops first (narrow), so its narrow errors come before any size check
    probe = input.detach()
    with no_grad():
        for i, (lo, hi) in enumerate(pairs):
            d = ndim - len(pairs) + i
            if lo < 0:
                probe = _shape.narrow(probe, d, -lo, probe._data.shape[d] + lo)
            if hi < 0:
                probe = _shape.narrow(probe, d, 0, probe._data.shape[d] + hi)
    return ConstantPadNd.apply(input, pairs, value)


def _conv_param(value, name: str, pos: int, n: int) -> tuple:
    if isinstance(value, int) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"convolution(): argument '{name}' (position {pos}) must be tuple of ints, not "
            f"{type(value).__name__}"
        )
    values = tuple(int(v) for v in value)
    if len(values) == 1:
        return values * n
    if len(values) != n:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values to match the "
            f"convolution dimensions, but got {name}={list(values)}"
        )
    return values


def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """``at::convolution``: any-dimensional (transposed) convolution of batched input, with
    every argument explicit, as torch.convolution.

    >>> numtorch.convolution(numtorch.ones(1, 1, 3), numtorch.ones(1, 1, 2), None, [1], [0],
    ...                      [1], False, [0], 1)
    tensor([[[2., 2.]]])
    """
    from .conv import Convolution

    n = weight._data.ndim - 2
    stride = _conv_param(stride, "stride", 4, n)
    padding = _conv_param(padding, "padding", 5, n)
    dilation = _conv_param(dilation, "dilation", 6, n)
    output_padding = _conv_param(output_padding, "output_padding", 8, n)
    groups = int(groups)
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_name(x.dtype)} but found {_scalar_name(w.dtype)}"
        )
    if bias is not None and bias._data.dtype != x.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_name(x.dtype)} but found "
            f"{_scalar_name(bias._data.dtype)}"
        )
    wshape = shape_str(w.shape)
    if x.ndim != w.ndim:
        raise RuntimeError(
            f"Expected {w.ndim}-dimensional input for {w.ndim}-dimensional weight {wshape}, but "
            f"got {x.ndim}-dimensional input of size {shape_str(x.shape)} instead"
        )
    if w.shape[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but "
            f"got weight of size {wshape} instead"
        )
    if w.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{wshape}] instead"
        )
    channels = x.shape[1]
    b_shape = None if bias is None else bias._data.shape
    if not transposed:
        if channels != w.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {wshape}, expected input"
                f"{shape_str(x.shape)} to have {w.shape[1] * groups} channels, but got "
                f"{channels} channels instead"
            )
        if b_shape is not None and b_shape != (w.shape[0],):
            raise RuntimeError(
                f"Given weight of size {wshape}, expected bias to be 1-dimensional with "
                f"{w.shape[0]} elements, but got bias of size {shape_str(b_shape)} instead"
            )
        padded = [x.shape[2 + i] + 2 * padding[i] for i in range(n)]
        eff = [dilation[i] * (w.shape[2 + i] - 1) + 1 for i in range(n)]
        if any(p < e for p, e in zip(padded, eff, strict=True)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                "actual input size"
            )
    else:
        if channels != w.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {wshape}, expected input{shape_str(x.shape)}"
                f" to have {w.shape[0]} channels, but got {channels} channels instead"
            )
        if b_shape is not None and b_shape != (w.shape[1] * groups,):
            raise RuntimeError(
                f"Given transposed=1, weight of size {wshape}, expected bias to be 1-dimensional "
                f"with {w.shape[1] * groups} elements, but got bias of size {shape_str(b_shape)} "
                "instead"
            )
        if any(
            op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation, strict=True)
        ):
            names = ("depth", "height", "width")[-n:] if n <= 3 else tuple(map(str, range(n)))
            raise RuntimeError(
                "output padding must be smaller than either stride or dilation, but got "
                + " ".join(
                    f"output_padding_{a}: {v}" for a, v in zip(names, output_padding, strict=True)
                )
                + " "
                + " ".join(f"stride_{a}: {v}" for a, v in zip(names, stride, strict=True))
                + " "
                + " ".join(f"dilation_{a}: {v}" for a, v in zip(names, dilation, strict=True))
            )
    if not transposed:
        # at::convolution ignores output_padding unless transposed
        output_padding = (0,) * n
    return Convolution.apply(
        input, weight, bias, stride, padding, dilation, bool(transposed), output_padding, groups
    )


def _scalar_name(np_dtype) -> str:
    return _dtype.scalar_name(np_dtype)


def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """``(output, mean, rstd)``: layer norm and its statistics (shape ``input.shape[:axis]``
    followed by ones), as torch.native_layer_norm.

    >>> out, mean, rstd = numtorch.native_layer_norm(numtorch.tensor([[1.0, 3.0]]), [2], None,
    ...                                              None, 0.0)
    >>> out, mean
    (tensor([[-1.,  1.]]), tensor([[2.]]))
    """
    from ..nn import functional as F

    shape = tuple(normalized_shape)
    out = F.layer_norm(input, shape, weight, bias, eps)
    x = input._data
    axes = tuple(range(x.ndim - len(shape), x.ndim))
    mean, rstd = _mean_rstd(x, axes, eps)
    return out, make(mean), make(rstd)


def _mean_rstd(x, axes, eps):
    x64 = x.astype(xp.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    return mean.astype(x.dtype), (1.0 / xp.sqrt(var + eps)).astype(x.dtype)


def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """``(output, save_mean, save_invstd)``: batch norm, with the batch statistics when
    training (empty tensors otherwise), as torch.native_batch_norm."""
    from .norm import NativeBatchNorm

    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    x = input._data
    out = NativeBatchNorm.apply(input, weight, bias, rm, rv, bool(training), momentum, eps)
    if training and running_mean is not None:
        running_mean._vc[0] += 1
        running_var._vc[0] += 1
    if not training:
        empty = xp.zeros((0,), x.dtype)
        return out, make(empty), make(empty.copy())
    mean, rstd = _mean_rstd(x, (0,) + tuple(range(2, x.ndim)), eps)
    return out, make(mean.reshape(-1)), make(rstd.reshape(-1))


class NativeGroupNorm(Op):
    """Group norm with its statistics as outputs 1 and 2 of the same node (PyTorch lets
    gradients flow through them: ``d mean / dx = 1/M``, ``d rstd / dx = -rstd^3 (x-mean)/M``)."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        from .norm import NativeGroupNorm as Norm

        out = Norm.forward(ctx, x, w, b, groups, eps)
        n = x.shape[0]
        mean, rstd = _mean_rstd(x.reshape(n, groups, -1), (2,), eps)
        return out, mean.reshape(n, groups), rstd.reshape(n, groups)

    @staticmethod
    def backward(ctx, grad, gmean, grstd):
        from .norm import NativeGroupNorm as Norm

        gx, gw, gb = Norm.backward(ctx, grad)
        if ctx.needs_input_grad[0]:
            x, _ = ctx.saved_tensors
            groups, eps = ctx.args
            n = x.shape[0]
            xg = x.reshape(n, groups, -1)
            m = xg.shape[-1]
            mean = xg.mean(-1, keepdim=True)
            xc = xg - mean
            rstd = ((xc * xc).mean(-1, keepdim=True) + eps).rsqrt()
            extra = gmean.unsqueeze(-1) / m - grstd.unsqueeze(-1) * rstd.pow(3) * xc / m
            gx = gx + extra.reshape(tuple(x.shape))
        return gx, gw, gb


def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """``(output, mean, rstd)`` with statistics of shape ``(N, group)``, as
    torch.native_group_norm."""
    shape = tuple(input._data.shape)
    if C % group:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {shape_str(shape)} and num_groups={group}"
        )
    if input._data.size != N * C * HxW:
        raise RuntimeError(
            "Expected X.numel() == N * C * HxW to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    return NativeGroupNorm.apply(input, weight, bias, int(group), eps)


class NativeDropout(Op):
    @staticmethod
    def forward(ctx, x, mask, scale, grad_scale):
        ctx.mask, ctx.scale = mask, grad_scale
        return (x * mask * scale).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        return grad * make(ctx.mask.astype(grad._data.dtype)) * ctx.scale


def native_dropout(input, p, train):
    """``(output, mask)``: dropout with its boolean keep-mask, drawn from the global generator
    as PyTorch's CPU kernel draws it; ``train=False`` keeps everything.

    >>> out, mask = numtorch.native_dropout(numtorch.ones(3), 0.5, False)
    >>> mask
    tensor([True, True, True])
    """
    from .creation import empty_like, zeros

    if input._data.size == 0:
        return input, empty_like(input)
    if train is None or train:
        p1m = 1.0 - p
        if not 0 <= p1m <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p1m}")
        scale = 0.0 if p1m == 0 else 1.0 / p1m
        noise = zeros(tuple(input._data.shape), dtype=input.dtype)
        noise.bernoulli_(p1m)
        mask = noise._data
    else:
        scale = 1.0
        mask = xp.ones(input._data.shape, input._data.dtype)
    # PyTorch's derivative formula scales only when train is given and true (train=None
    # scales the forward but not the gradient); matched as it is
    grad_scale = scale if train else 1.0
    out = NativeDropout.apply(input, mask, scale, grad_scale)
    return out, make(mask != 0)


def empty_permuted(
    size,
    physical_layout,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """An uninitialised tensor of logical ``size`` laid out in memory in the dim order
    ``physical_layout`` (here zero-filled), as torch.empty_permuted.

    >>> numtorch.empty_permuted((2, 3, 4), (0, 2, 1)).stride()
    (12, 1, 3)
    """
    from .._dtype import get_default_dtype

    size = tuple(int(s) for s in size)
    layout_dims = tuple(int(d) for d in physical_layout)
    if len(size) != len(layout_dims):
        raise RuntimeError(
            "Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = "
            f"{len(layout_dims)}"
        )
    dims = [wrap_dim(d, len(size)) for d in layout_dims]
    if len(set(dims)) != len(dims):
        raise RuntimeError("Duplicate dim not allowed")
    np_dtype = (dtype or get_default_dtype())._np
    physical = xp.zeros(tuple(size[d] for d in dims), np_dtype)
    out = make(physical.transpose(tuple(dims.index(i) for i in range(len(dims)))))
    if requires_grad:
        out.requires_grad_()
    return out


def get_device(input) -> int:
    """The device index of ``input``: -1 for CPU tensors, as torch.get_device."""
    return input.get_device()


@tensor_method()
def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero`` padded with ``fill_value`` rows (or truncated) to exactly ``size`` rows.

    >>> numtorch.nonzero_static(numtorch.tensor([0, 3]), size=2)
    tensor([[ 1],
            [-1]])
    """
    size = int(size)
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    data = input._data
    found = xp.argwhere(data).astype(xp.int64)
    out = xp.full((size, data.ndim), fill_value, dtype=xp.int64)
    k = min(size, found.shape[0])
    out[:k] = found[:k]
    return make(out)


# -- in-place BLAS and other Tensor methods ------------------------------------------------------


def _blas_inplace(name: str, fn_name: str):
    def method(self, a, b, *, beta=1, alpha=1):
        from . import linalg

        fn = getattr(linalg, fn_name)
        with no_grad():
            wanted = fn(self.detach(), a.detach(), b.detach(), beta=beta, alpha=alpha).shape
        if tuple(wanted) != tuple(self._data.shape):
            raise RuntimeError(
                f"Bad in-place call: input tensor size {shape_str(self._data.shape)} and output "
                f"tensor size {shape_str(wanted)} should match"
            )
        return self._inplace(fn, a, b, beta=beta, alpha=alpha)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (
        f"In place ``{fn_name}``: ``self = beta * self + alpha * ({fn_name[3:]} of the two "
        f"operands)``; ``self``'s node becomes {fn_name.capitalize()}Backward0.\n\n"
        f"    >>> numtorch.zeros(2, 2).{name}(...)  # doctest: +SKIP\n"
    )
    setattr(Tensor, name, method)
    return method


addmm_ = _blas_inplace("addmm_", "addmm")
addbmm_ = _blas_inplace("addbmm_", "addbmm")
baddbmm_ = _blas_inplace("baddbmm_", "baddbmm")
addmv_ = _blas_inplace("addmv_", "addmv")


class AsStrided1(_shape.AsStridedView):
    node_name = "AsStridedBackward1"  # as_strided_ is overload 1 in PyTorch's naming


def _as_strided1(input, size, stride, storage_offset=None):
    with no_grad():
        probe = _shape.as_strided(input.detach(), size, stride, storage_offset)
    _, args = probe._view_fn[-1]
    return AsStrided1.apply(input, *args)


def _make_as_strided_():
    from .tensor_methods import _inplace_view

    return _inplace_view("as_strided_", _as_strided1)


as_strided_ = _make_as_strided_()


@tensor_method()
def adjoint(input):
    """The conjugate transpose of the last two dims (a view), as torch.adjoint.

    >>> numtorch.tensor([[1, 2]]).adjoint()
    tensor([[1],
            [2]])
    """
    ndim = input._data.ndim
    if ndim < 2:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got "
            f"{ndim}-D tensor."
        )
    out = _shape.transpose(input, -2, -1)
    return out.conj() if input._data.dtype.kind == "c" else out


class Resize(Function):
    """The legacy out-of-place resize (torch.autograd._functions.Resize): a reshape that keeps
    the element count, sharing memory when the input is contiguous."""

    @staticmethod
    def forward(ctx, tensor, sizes):
        numel = math.prod(sizes)
        if tensor.numel() != numel:
            raise RuntimeError(
                f"requested resize to {'x'.join(map(str, sizes))} ({numel} elements in total), "
                f"but the given tensor has a size of {'x'.join(map(str, tensor.shape))} "
                f"({tensor.numel()} elements). autograd's resize can only change the shape of a "
                "given tensor, while preserving the number of elements. "
            )
        ctx.input_sizes = tuple(tensor.shape)
        return make(xp.ascontiguousarray(tensor._data).reshape(sizes))

    @staticmethod
    def backward(ctx, grad):
        return grad.contiguous().view(ctx.input_sizes), None


def resize(self, *sizes):
    """Deprecated out-of-place ``resize_`` (warns, keeps the element count), as
    torch.Tensor.resize.

    >>> numtorch.arange(4.0).resize(2, 2)  # doctest: +SKIP
    """
    warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
    return Resize.apply(self, _shape._size_args(sizes))


def resize_as(self, tensor):
    """Deprecated out-of-place ``resize_as_``, as torch.Tensor.resize_as."""
    warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
    return Resize.apply(self, tuple(tensor.shape))


def map2_(self, x, y, callable):
    """``self[i] = callable(self[i], x[i], y[i])`` with ``x`` and ``y`` broadcast to ``self``;
    in place, CPU only, as torch.Tensor.map2_.

    >>> x, y = numtorch.ones(2), numtorch.tensor([2.0, 3.0])
    >>> numtorch.ones(2).map2_(x, y, lambda a, b, c: a + b * c)
    tensor([3., 4.])
    """
    from .._tensor_extras import _check_cpu, _converter, _writable

    for name, pos, value in (("x", 1, x), ("y", 2, y)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"map2_(): argument '{name}' (position {pos}) must be Tensor, not "
                f"{type(value).__name__}"
            )
    _check_cpu(self, "map2_")
    if self._requires_grad or x._requires_grad or y._requires_grad:
        raise RuntimeError(
            "Can't call map2_() on Variable that requires grad. Use var.detach().map2_() instead."
        )
    for name, value in (("x", x), ("y", y)):
        if value._data.dtype != self._data.dtype:
            raise TypeError(
                f"map2_: expected {legacy_type_name(self._data.dtype)} for argument '{name}' "
                f"(got {legacy_type_name(value._data.dtype)})"
            )
    xs = xp.broadcast_to(x._data, self._data.shape)
    ys = xp.broadcast_to(y._data, self._data.shape)
    data = _writable(self._data)
    convert = _converter(data.dtype)
    # element by element: self may share memory with x or y, which then see earlier results
    for index in xp.ndindex(data.shape):
        data[index] = convert(callable(data[index].item(), xs[index].item(), ys[index].item()))
    return self


class ConjPhysical1(Op):
    """``conj_physical_`` (ConjPhysicalBackward1): the identity on real tensors, recorded all
    the same, as PyTorch records it."""

    @staticmethod
    def forward(ctx, x):
        return xp.conj(x) if x.dtype.kind == "c" else x.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.conj() if grad._data.dtype.kind == "c" else grad


def conj_physical_(self):
    """Conjugates ``self`` in place (a no-op on real values), as torch.Tensor.conj_physical_.

    >>> numtorch.tensor([1 + 2j]).conj_physical_()
    tensor([1.-2.j])
    """
    return self._inplace(ConjPhysical1.apply)


for _fn in (resize, resize_as, map2_, conj_physical_):
    setattr(Tensor, _fn.__name__, _fn)


# -- the linear-algebra functions PyTorch removed in 1.9 (they now raise) -----------------------

_SOLVE = (
    "This function was deprecated since version 1.9 and is now removed. `torch.solve` is "
    "deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its arguments "
    "reversed and does not return the LU factorization.\n\nTo get the LU factorization see "
    "`torch.lu`, which can be used with `torch.lu_solve` or `torch.lu_unpack`.\nX = "
    "torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)"
)
_LSTSQ = (
    "This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is "
    "deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments "
    "and does not return the QR decomposition in the returned tuple (although it returns other "
    "information about the problem).\n\nTo get the QR decomposition consider using "
    "`torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored the residuals of the "
    "solution in the last m - n columns of the returned value whenever m > n. In "
    "torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named "
    "tuple.\n\nThe unpacking of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]"
    "\nshould be replaced with:\nX = torch.linalg.lstsq(A, B).solution"
)
_EIG = (
    "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` "
    "returns complex tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking "
    "complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\nL_complex = "
    "torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) should be "
    "replaced with:\nL_complex, V_complex = torch.linalg.eig(A)"
)
_SYMEIG = (
    "This function was deprecated since version 1.9 and is now removed. The default behavior "
    "has changed from using the upper triangular portion of the matrix by default to using the "
    "lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
    "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\nL, V = "
    "torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = torch.linalg.eigh(A, "
    "UPLO='U' if upper else 'L')"
)


def solve(input, A, *, out=None):
    """Removed in PyTorch 1.9: raises, pointing at ``linalg.solve``."""
    raise RuntimeError(_SOLVE)


def lstsq(input, A, *, out=None):
    """Removed in PyTorch 1.9: raises, pointing at ``linalg.lstsq``."""
    raise RuntimeError(_LSTSQ)


def eig(input, eigenvectors=False, *, e=None, v=None):
    """Removed in PyTorch 1.9: raises, pointing at ``linalg.eig``."""
    raise RuntimeError(_EIG)


def symeig(input, eigenvectors=False, upper=True, *, out=None):
    """Removed in PyTorch 1.9: raises, pointing at ``linalg.eigh``."""
    raise RuntimeError(_SYMEIG)


def _removed_method(name: str, message: str, takes_other: bool):
    if takes_other:

        def method(self, other):
            raise RuntimeError(message)

    else:

        def method(self, eigenvectors=False, *args, **kwargs):  # type: ignore[misc]
            raise RuntimeError(message)

    method.__name__ = name
    method.__qualname__ = f"Tensor.{name}"  # Python's missing-argument TypeError names it so
    method.__doc__ = f"Removed in PyTorch 1.9: raises, as torch.Tensor.{name}."
    setattr(Tensor, name, method)


for _name, _message, _other in (
    ("solve", _SOLVE, True),
    ("lstsq", _LSTSQ, True),
    ("eig", _EIG, False),
    ("symeig", _SYMEIG, False),
):
    _removed_method(_name, _message, _other)


__all__ = [
    "select_scatter",
    "slice_scatter",
    "diagonal_scatter",
    "as_strided_scatter",
    "alias_copy",
    "as_strided_copy",
    "detach_copy",
    "diagonal_copy",
    "expand_copy",
    "permute_copy",
    "select_copy",
    "slice_copy",
    "split_copy",
    "split_with_sizes_copy",
    "squeeze_copy",
    "t_copy",
    "transpose_copy",
    "unbind_copy",
    "unfold_copy",
    "unsqueeze_copy",
    "view_copy",
    "view_as_real_copy",
    "view_as_complex_copy",
    "indices_copy",
    "values_copy",
    "split_with_sizes",
    "unsafe_split",
    "unsafe_chunk",
    "unsafe_split_with_sizes",
    "constant_pad_nd",
    "convolution",
    "native_layer_norm",
    "native_batch_norm",
    "native_group_norm",
    "native_dropout",
    "empty_permuted",
    "get_device",
    "nonzero_static",
    "adjoint",
    "solve",
    "lstsq",
    "eig",
    "symeig",
]
