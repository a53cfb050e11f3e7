"""The layer half of ``numtorch.nn.functional``: convolution, pooling, normalisation,
interpolation, pixel shuffle, unfold/fold and multi-head attention, as torch.nn.functional.

Each function checks its arguments with PyTorch's messages, then calls one op from
``numtorch.ops.conv``, ``ops.pool`` or ``ops.norm``. 1-d pooling runs the 2-d op on an
unsqueezed input, as PyTorch does (hence its ``SqueezeBackward1`` grad_fn).
"""

from __future__ import annotations

import math
import warnings
from itertools import repeat

from .. import _dtype
from .._tensor import make
from ..ops import conv as _conv
from ..ops import nn_support as _sup
from ..ops import norm as _norm
from ..ops import pool as _pool
from ..ops._common import xp
from . import _interpolate_extra

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "local_response_norm",
    "interpolate",
    "upsample",
    "upsample_nearest",
    "upsample_bilinear",
    "pixel_shuffle",
    "pixel_unshuffle",
    "multi_head_attention_forward",
]


def _ntuple(n, name="parse"):
    def parse(x):
        if isinstance(x, (list, tuple)):
            return tuple(x)
        return tuple(repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_NTUPLE = {1: _single, 2: _pair, 3: _triple}


def _shape(t):
    return "[" + ", ".join(map(str, t.shape)) + "]"


# -- convolution --------------------------------------------------------------------------------


def _conv_arg(value, nd, name):
    t = _NTUPLE[nd](value)
    if len(t) != nd:
        if len(t) == 1:
            return t * nd
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {nd} values to match "
            f"the convolution dimensions, but got {name}={list(t)}"
        )
    return tuple(int(v) for v in t)


def _check_types(input, weight, bias):
    from .._tensor import legacy_type_name

    if input.dtype is not weight.dtype:
        raise RuntimeError(
            f"Input type ({legacy_type_name(input._data.dtype)}) and weight type "
            f"({legacy_type_name(weight._data.dtype)}) should be the same or input should be a "
            "MKLDNN tensor and weight is a dense tensor"
        )
    if bias is not None and bias.dtype is not input.dtype:
        raise RuntimeError(
            f"Input type ({_c_name(input.dtype)}) and bias type ({_c_name(bias.dtype)}) should "
            "be the same"
        )


def _c_name(dtype):
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(
        str(dtype).split(".")[-1], str(dtype).split(".")[-1]
    )


def _convolution(
    name, nd, input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
            f"input of size: {_shape(input)}"
        )
    if weight.dim() != nd + 2:
        raise RuntimeError(
            f"weight should have at least three dimensions; got {weight.dim()}"
            if weight.dim() < 3
            else f"Expected {nd + 2}-dimensional input for {nd + 2}-dimensional weight "
            f"{_shape(weight)}, but got {input.dim()}-dimensional input of size "
            f"{_shape(input)} instead"
        )
    _check_types(input, weight, bias)
    unbatched = input.dim() == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    stride = _conv_arg(stride, nd, "stride")
    dilation = _conv_arg(dilation, nd, "dilation")
    output_padding = _conv_arg(output_padding, nd, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
            padding = tuple(t // 2 for t in total)
            extra = [t - 2 * p for t, p in zip(total, padding, strict=True)]
            if any(extra):
                warnings.warn(
                    "Using padding='same' with even kernel lengths and odd dilation may require "
                    "a zero-padded copy of the input be created (Triggered internally at "
                    "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)",
                    UserWarning,
                    stacklevel=3,
                )
                pairs = tuple((0, e) for e in extra)
                input = _sup.ConstantPadNd.apply(input, pairs, 0.0)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        padding = _conv_arg(padding, nd, "padding")
        if any(p < 0 for p in padding):
            raise RuntimeError("negative padding is not supported")
    channels = input.shape[1]
    if transposed:
        if channels != weight.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_shape(weight)}, expected input"
                f"{_shape(input)} to have {weight.shape[0]} channels, but got {channels} "
                "channels instead"
            )
        for op, s, d in zip(output_padding, stride, dilation, strict=True):
            if op >= s and op >= d:
                dims = ("height", "width") if nd == 2 else ("depth", "height", "width")[-nd:]
                if nd == 1:
                    dims = ("width",)
                raise RuntimeError(
                    "output padding must be smaller than either stride or dilation, but got "
                    + " ".join(
                        f"output_padding_{n}: {v}"
                        for n, v in zip(dims, output_padding, strict=True)
                    )
                    + " "
                    + " ".join(f"stride_{n}: {v}" for n, v in zip(dims, stride, strict=True))
                    + " "
                    + " ".join(f"dilation_{n}: {v}" for n, v in zip(dims, dilation, strict=True))
                )
    else:
        if channels != weight.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {_shape(weight)}, expected input"
                f"{_shape(input)} to have {weight.shape[1] * groups} channels, but got "
                f"{channels} channels instead"
            )
        if weight.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                f"0, but got weight of size {_shape(weight)} instead"
            )
        padded = [input.shape[2 + i] + 2 * padding[i] for i in range(nd)]
        eff = [dilation[i] * (kernel[i] - 1) + 1 for i in range(nd)]
        if any(p < e for p, e in zip(padded, eff, strict=True)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than "
                "actual input size"
            )
    out = _conv.Convolution.apply(
        input, weight, bias, stride, padding, dilation, transposed, output_padding, groups
    )
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d convolution over ``(N, C, L)`` (or unbatched ``(C, L)``), as torch.conv1d."""
    return _convolution(
        "conv1d", 1, input, weight, bias, stride, padding, dilation, False, 0, groups
    )


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d convolution (cross-correlation) over ``(N, C, H, W)``, as torch.conv2d.

    >>> x = numtorch.ones(1, 1, 3, 3)
    >>> numtorch.nn.functional.conv2d(x, numtorch.ones(1, 1, 2, 2))
    tensor([[[[4., 4.],
              [4., 4.]]]])
    """
    return _convolution(
        "conv2d", 2, input, weight, bias, stride, padding, dilation, False, 0, groups
    )


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _convolution(
        "conv3d", 3, input, weight, bias, stride, padding, dilation, False, 0, groups
    )


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    return _convolution(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        dilation,
        True,
        output_padding,
        groups,
    )


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """The adjoint of conv2d in its input ("deconvolution"), as torch.conv_transpose2d."""
    return _convolution(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        dilation,
        True,
        output_padding,
        groups,
    )


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    return _convolution(
        "conv_transpose3d",
        3,
        input,
        weight,
        bias,
        stride,
        padding,
        dilation,
        True,
        output_padding,
        groups,
    )


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks as columns: ``(N, C, H, W)`` -> ``(N, C * kh * kw, L)`` (im2col)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(
            "Expected 3D (unbatched) or 4D (batched) input to unfold, but got input of size: "
            f"{_shape(input)}"
        )
    unbatched = input.dim() == 3
    x = input.unsqueeze(0) if unbatched else input
    out = _conv.Im2Col.apply(x, _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride))
    return out.squeeze(0) if unbatched else out


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums columns back into an image: the adjoint of ``unfold`` (col2im)."""
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    size, k, d, p, s = map(_pair, (output_size, kernel_size, dilation, padding, stride))
    blocks = [(size[i] + 2 * p[i] - d[i] * (k[i] - 1) - 1) // s[i] + 1 for i in range(2)]
    if x.shape[-1] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({k[0]}, {k[1]}), "
            f"dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), "
            f"expected size of input's dimension {x.dim() - 1 - (1 if unbatched else 0)} to "
            f"match the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{blocks[0] * blocks[1]}, but got input.size({x.dim() - 1 - unbatched})="
            f"{x.shape[-1]}."
        )
    out = _conv.Col2Im.apply(x, size, k, d, p, s)
    return out.squeeze(0) if unbatched else out


# -- pooling --------------------------------------------------------------------------------------


def _pool_args(nd, kernel_size, stride, padding, dilation=1):
    tup = _NTUPLE[nd]
    kernel = _conv_arg(kernel_size, nd, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else tup(stride)
    stride = _conv_arg(stride, nd, "stride")
    return kernel, stride, _conv_arg(padding, nd, "padding"), _conv_arg(dilation, nd, "dilation")


def _check_pool_input(name, input, nd):
    if input.dim() not in (nd + 1, nd + 2) or any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(
            f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input"
        )


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, with_indices=True):
    _check_pool_input("max_pool", input, nd)
    kernel, stride, padding, dilation = _pool_args(nd, kernel_size, stride, padding, dilation)
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"max_pool{nd}d(): stride should be greater than zero, but got stride=")
    for p, k, d in zip(padding, kernel, dilation, strict=True):
        if p > k // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={p}, "
                f"kernel_size={k} and dilation={d}"
            )
    return _pool.MAX_POOL[nd].apply(
        input, kernel, stride, padding, dilation, ceil_mode, with_indices
    )


def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, with_indices):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d() Expected 2D or 3D input tensor, but got {_shape(input)}")
    kernel, stride, padding, dilation = _pool_args(1, kernel_size, stride, padding, dilation)
    out = _max_pool(
        2,
        input.unsqueeze(-2),
        (1,) + kernel,
        (1,) + stride,
        (0,) + padding,
        (1,) + dilation,
        ceil_mode,
        with_indices,
    )
    if with_indices:
        return out[0].squeeze(-2), out[1].squeeze(-2)
    return out.squeeze(-2)


def max_pool1d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, L)``, as torch.nn.functional.max_pool1d."""
    return _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    """Max over sliding windows of ``(N, C, H, W)``; with ``return_indices`` also the flat
    position of each maximum in its plane, as torch.nn.functional.max_pool2d.

    >>> x = numtorch.arange(16.).view(1, 1, 4, 4)
    >>> numtorch.nn.functional.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _unpool_output_size(input, kernel, stride, padding, output_size):
    nd = len(kernel)
    default = [
        (input.shape[input.dim() - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
        for d in range(nd)
    ]
    if output_size is None:
        size = default
    else:
        size = output_size
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
                f"has a length of '{len(size)}'"
            )
        for d in range(nd):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < size[d] < high:
                raise ValueError(
                    f'invalid output_size "{size}" (dim {d} must be between {low} and {high})'
                )
    for d in range(nd):
        if size[d] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{d}]={size[d]}"
            )
    return tuple(int(s) for s in size)


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    tup = _NTUPLE[nd]
    kernel = tup(kernel_size)
    stride = kernel if stride is None else tup(stride)
    padding = tup(padding)
    size = _unpool_output_size(input, kernel, stride, padding, output_size)
    if input.shape != indices.shape:
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({_shape(input)}) "
            f"but got indices tensor with shape: {_shape(indices)}"
        )
    if nd == 1:  # PyTorch unpools 1-d as 2-d with a unit last dim
        out = _pool.MAX_UNPOOL[2].apply(input.unsqueeze(-1), indices._data[..., None], size + (1,))
        return out.squeeze(-1)
    return _pool.MAX_UNPOOL[nd].apply(input, indices._data, size)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of ``max_pool1d(..., return_indices=True)``: values back at their indices,
    zeros elsewhere."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The inverse of ``max_pool2d(..., return_indices=True)``: values back at their indices,
    zeros elsewhere.

    >>> x = numtorch.arange(16.0).view(1, 1, 4, 4)
    >>> out, idx = numtorch.nn.functional.max_pool2d(x, 2, return_indices=True)
    >>> numtorch.nn.functional.max_unpool2d(out, idx, 2)
    tensor([[[[ 0.,  0.,  0.,  0.],
              [ 0.,  5.,  0.,  7.],
              [ 0.,  0.,  0.,  0.],
              [ 0., 13.,  0., 15.]]]])
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


def _avg_pool(nd, input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    for p, k in zip(padding, kernel, strict=True):
        if p > k // 2:
            raise RuntimeError(
                f"pad should be smaller than or equal to half of kernel size, but got padW = {p}, "
                f"padH = {p}, kW = {k}, kH = {k}"
            )
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    return _pool.AVG_POOL[nd].apply(
        input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over sliding windows of ``(N, C, L)``, as torch.nn.functional.avg_pool1d."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"avg_pool1d() Expected 2D or 3D input tensor, but got {_shape(input)}")
    kernel, stride, padding, _ = _pool_args(1, kernel_size, stride, padding)
    out = _avg_pool(
        2,
        input.unsqueeze(-2),
        (1,) + kernel,
        (1,) + stride,
        (0,) + padding,
        ceil_mode,
        count_include_pad,
        None,
    )
    return out.squeeze(-2)


def avg_pool2d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Mean over sliding windows of ``(N, C, H, W)``, as torch.nn.functional.avg_pool2d."""
    _check_pool_input("avg_pool2d", input, 2)
    kernel, stride, padding, _ = _pool_args(2, kernel_size, stride, padding)
    return _avg_pool(
        2, input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool3d(
    input,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    _check_pool_input("avg_pool3d", input, 3)
    kernel, stride, padding, _ = _pool_args(3, kernel_size, stride, padding)
    return _avg_pool(
        3, input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over windows of x^p)^(1/p)``, as torch.nn.functional.lp_pool1d."""
    if stride is not None:
        out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool1d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    k = _single(kernel_size)[0]
    return (out.sign() * out.abs().relu()).mul(k).pow(1.0 / norm_type)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    kw, kh = _pair(kernel_size)
    if stride is not None:
        out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool2d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kw * kh).pow(1.0 / norm_type)


def _adaptive_size(name, input, output_size, nd):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {_shape(input)}"
        )
    size = _NTUPLE[nd](output_size)
    spatial = input.shape[input.dim() - nd :]
    return tuple(int(s) if s is not None else n for s, n in zip(size, spatial, strict=True))


def _adaptive_avg(nd, input, out):
    if all(o == 1 for o in out):  # PyTorch takes the mean here (MeanBackward1)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    spatial = input.shape[input.dim() - nd :]
    mats = tuple(
        None if n == o else _pool.adaptive_avg_matrix(n, o)
        for n, o in zip(spatial, out, strict=True)
    )
    return _pool.ADAPTIVE_AVG[nd].apply(input, mats)


def adaptive_avg_pool1d(input, output_size):
    """Averages over ``output_size`` windows that tile the last dim, as PyTorch."""
    out = _adaptive_size("adaptive_avg_pool1d", input, output_size, 1)
    return _adaptive_avg(2, input.unsqueeze(-2), (1,) + out).squeeze(-2)


def adaptive_avg_pool2d(input, output_size):
    """Averages over windows that tile H and W into ``output_size``, as PyTorch."""
    return _adaptive_avg(2, input, _adaptive_size("adaptive_avg_pool2d", input, output_size, 2))


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(3, input, _adaptive_size("adaptive_avg_pool3d", input, output_size, 3))


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    out = _adaptive_size("adaptive_max_pool1d", input, output_size, 1)
    values, idx = _pool.ADAPTIVE_MAX[2].apply(input.unsqueeze(-2), (1,) + out)
    return values.squeeze(-2), idx.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    out = adaptive_max_pool1d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    out = _adaptive_size("adaptive_max_pool2d", input, output_size, 2)
    return _pool.ADAPTIVE_MAX[2].apply(input, out)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    out = adaptive_max_pool2d_with_indices(input, output_size)
    return out if return_indices else out[0]


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    out = _adaptive_size("adaptive_max_pool3d", input, output_size, 3)
    return _pool.ADAPTIVE_MAX[3].apply(input, out)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    out = adaptive_max_pool3d_with_indices(input, output_size)
    return out if return_indices else out[0]


# -- normalisation ----------------------------------------------------------------------------


def batch_norm(
    input,
    running_mean,
    running_var,
    weight=None,
    bias=None,
    training=False,
    momentum=0.1,
    eps=1e-5,
):
    """Normalises each channel (dim 1) by batch statistics when training, updating the running
    ones in place (unbiased variance, as PyTorch), or by the running ones when not."""
    if training:
        size = input.size()
        if size[0] * math.prod(size[2:]) == 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {size}"
            )
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = _norm.NativeBatchNorm.apply(
        input, weight, bias, rm, rv, training, 0.0 if momentum is None else momentum, eps
    )
    if training and running_mean is not None:
        running_mean._vc[0] += 1
        running_var._vc[0] += 1
    return out


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Per-sample, per-channel normalisation: batch norm of the ``(1, N * C, ...)`` view."""
    n, c = input.shape[:2]
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {input.size()}"
        )
    x = input.reshape(1, n * c, *input.shape[2:])
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    rm = None if running_mean is None else make(xp.tile(running_mean._data, n))
    rv = None if running_var is None else make(xp.tile(running_var._data, n))
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats and running_mean is not None:
        running_mean._data[...] = rm._data.reshape(n, c).mean(0)
        running_var._data[...] = rv._data.reshape(n, c).mean(0)
        running_mean._vc[0] += 1
        running_var._vc[0] += 1
    return out.view(tuple(input.shape))


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the last ``len(normalized_shape)`` dims, as torch.nn.functional."""
    shape = (
        tuple(normalized_shape) if not isinstance(normalized_shape, int) else (normalized_shape,)
    )
    k = len(shape)
    if tuple(input.shape[input.dim() - k :]) != shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{_shape(input)}"
        )
    return _norm.NativeLayerNorm.apply(input, weight, bias, k, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalises each of ``num_groups`` channel groups per sample, as PyTorch."""
    if input.dim() < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.dim()}"
        )
    if input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {_shape(input)} and num_groups={num_groups}"
        )
    return _norm.NativeGroupNorm.apply(input, weight, bias, num_groups, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the trailing dims (eps: the dtype's)."""
    shape = (
        tuple(normalized_shape) if not isinstance(normalized_shape, int) else (normalized_shape,)
    )
    dims = tuple(range(-len(shape), 0))
    if eps is None:
        eps = float(xp.finfo(input._data.dtype).eps)
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return out * weight if weight is not None else out


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Normalises over ``size`` neighbouring channels, as torch.nn.functional."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    div = input.mul(input).unsqueeze(1)
    if dim == 3:
        from .functional import pad

        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        from .functional import pad

        sizes = input.size()
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(tuple(sizes))
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


# -- interpolation, pixel shuffle -------------------------------------------------------------


_LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}


def interpolate(
    input,
    size=None,
    scale_factor=None,
    mode="nearest",
    align_corners=None,
    recompute_scale_factor=None,
    antialias=False,
):
    """Resamples the spatial dims to ``size`` or by ``scale_factor``: modes nearest,
    nearest-exact, (bi/tri)linear, bicubic and area, and ``antialias`` for bilinear and
    bicubic, with PyTorch's index arithmetic."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    nd = input.dim() - 2
    if nd < 1 or nd > 3:
        raise NotImplementedError(
            "Input Error: Only 3D, 4D and 5D input Tensors supported (got "
            f"{input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear "
            f"| lanczos | area | nearest-exact (got {mode})"
        )
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out = tuple(int(s) for s in _NTUPLE[nd](size))
        if len(out) != nd:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(spatial)} and output size of "
                f"{list(out)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        scales = (None,) * nd
    elif scale_factor is not None:
        scales = tuple(float(s) for s in _NTUPLE[nd](scale_factor))
        if len(scales) != nd:
            raise ValueError(
                f"Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(spatial)} and scale_factor of shape "
                f"{list(scales)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                "and scale_factor in (s1, s2, ...,sK) format."
            )
        out = tuple(int(math.floor(n * s)) for n, s in zip(spatial, scales, strict=True))
        if recompute_scale_factor:
            scales = (None,) * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias or mode == "bicubic":
        return _interpolate_extra.resample(input, mode, out, scales, align_corners, antialias)
    if mode in ("nearest", "nearest-exact"):
        table = _pool.NEAREST if mode == "nearest" else _pool.NEAREST_EXACT
        indices = tuple(
            _pool.nearest_index(n, o, s, mode == "nearest-exact")
            for n, o, s in zip(spatial, out, scales, strict=True)
        )
        return table[nd].apply(input, indices)
    if mode == "area":
        if nd == 1:
            return adaptive_avg_pool1d(input, out)
        return _adaptive_avg(nd, input, out)
    if mode in _LINEAR_MODES:
        if _LINEAR_MODES[mode] != nd:
            raise NotImplementedError(
                f"Got {input.dim()}D input, but {mode} mode needs {_LINEAR_MODES[mode] + 2}D input"
            )
        mats = tuple(
            _pool.linear_matrix(n, o, align_corners, s, input._data.dtype)
            for n, o, s in zip(spatial, out, scales, strict=True)
        )
        return _pool.LINEAR[nd].apply(input, mats)
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode})"
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def pixel_shuffle(input, upscale_factor):
    """``(*, C r^2, H, W)`` -> ``(*, C, H r, W r)``, as torch.nn.functional.pixel_shuffle."""
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return _pool.PixelShuffle.apply(input, r)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H r, W r)`` -> ``(*, C r^2, H, W)``: the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but input."
            f"size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but input."
            f"size(-1)={w} is not divisible by {r}"
        )
    return _pool.PixelUnshuffle.apply(input, r)


# -- multi-head attention ---------------------------------------------------------------------


def _float_mask(mask, dtype, name):
    """A bool mask (True = not allowed) as an additive float mask, as PyTorch's
    ``_canonical_mask``."""
    if mask is None:
        return None
    if mask.dtype is _dtype.bool:
        return make(xp.where(mask._data, -xp.inf, 0.0).astype(dtype._np))
    if not mask.is_floating_point():
        raise AssertionError(f"only bool and floating types of {name} are supported")
    return mask


def multi_head_attention_forward(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training=True,
    key_padding_mask=None,
    need_weights=True,
    attn_mask=None,
    use_separate_proj_weight=False,
    q_proj_weight=None,
    k_proj_weight=None,
    v_proj_weight=None,
    static_k=None,
    static_v=None,
    average_attn_weights=True,
    is_causal=False,
):
    """Multi-head attention on ``(L, N, E)`` query and ``(S, N, E)`` key/value (or unbatched
    ``(L, E)``), as torch.nn.functional.multi_head_attention_forward."""
    from .functional import dropout, linear, pad, scaled_dot_product_attention, softmax

    unbatched = query.dim() == 2
    if unbatched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    dtype = query.dtype
    if (
        key_padding_mask is not None
        and attn_mask is not None
        and (key_padding_mask.dtype is _dtype.bool) != (attn_mask.dtype is _dtype.bool)
    ):
        warnings.warn(
            "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type "
            "for both instead.",
            stacklevel=3,
        )
    key_padding_mask = _float_mask(key_padding_mask, dtype, "key_padding_mask")
    attn_mask = _float_mask(attn_mask, dtype, "attn_mask")

    # input projections
    if not use_separate_proj_weight:
        w_q, w_k, w_v = in_proj_weight.chunk(3)
    else:
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    q = linear(query, w_q, b_q)
    k = linear(key, w_k, b_k)
    v = linear(value, w_v, b_v)

    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {attn_mask.size()}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {attn_mask.size()}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        from ..ops.shape import cat

        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    q = q.view(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (
        static_k
        if static_k is not None
        else k.view(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    )
    v = (
        static_v
        if static_v is not None
        else v.view(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    )

    if add_zero_attn:
        from ..ops.creation import zeros
        from ..ops.shape import cat

        zero_shape = (bsz * num_heads, 1, head_dim)
        k = cat([k, zeros(zero_shape, dtype=k.dtype)], dim=1)
        v = cat([v, zeros(zero_shape, dtype=v.dtype)], dim=1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(
                f"expecting key_padding_mask shape of {(bsz, src_len)}, but got "
                f"{tuple(key_padding_mask.shape)}"
            )
        kpm = (
            key_padding_mask.view(bsz, 1, 1, src_len)
            .expand(-1, num_heads, -1, -1)
            .reshape(bsz * num_heads, 1, src_len)
        )
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        attn = q_scaled.bmm(k.transpose(-2, -1))
        if attn_mask is not None:
            attn = attn + attn_mask
        attn = softmax(attn, dim=-1)
        if dropout_p > 0.0:
            attn = dropout(attn, p=dropout_p)
        out = attn.bmm(v)
        out = out.transpose(0, 1).contiguous().view(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        attn = attn.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            attn = attn.mean(dim=1)
        if unbatched:
            out, attn = out.squeeze(1), attn.squeeze(0)
        return out, attn

    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.view(bsz, num_heads, tgt_len, head_dim)
    k = k.view(bsz, num_heads, src_len, head_dim)
    v = v.view(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal=False)
    out = out.permute(2, 0, 1, 3).contiguous().view(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if unbatched:
        out = out.squeeze(1)
    return out, None
