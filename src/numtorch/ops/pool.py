"""Pooling and resampling: max / average pooling (N-d windows by stride tricks), adaptive
pooling, nearest and (bi/tri)linear interpolation, pixel shuffle.

Window ops loop over kernel offsets, never over pixels. Average pooling, adaptive average
pooling and linear interpolation are linear maps, so each backward is the adjoint op and the
adjoint's backward is the op again: gradients of any order. Adaptive average pooling and
linear interpolation are separable: one small matrix per spatial dim.
"""

from __future__ import annotations

import itertools
import math

from numpy.lib.stride_tricks import as_strided

from .._tensor import make
from ..autograd.function import Op
from ._common import xp


def pool_out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling_output_shape: with ceil_mode the last window must start inside the
    input or its left padding."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pad_for_windows(x, kernel, stride, padding, dilation, out, value):
    """Pads the spatial dims so every window of the ``out`` grid lies inside."""
    pads = [(0, 0), (0, 0)]
    for i, n in enumerate(x.shape[2:]):
        need = (out[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1
        pads.append((padding[i], max(need - n - padding[i], 0)))
    if not any(lo or hi for lo, hi in pads):
        return x
    return xp.pad(x, pads, constant_values=value)


def _windows(x, kernel, stride, dilation, out):
    """``(N, C, *S)`` -> a read-only view ``(N, C, *out, *kernel)``."""
    nd = len(kernel)
    st = x.strides
    return as_strided(
        x,
        x.shape[:2] + tuple(out) + tuple(kernel),
        st[:2]
        + tuple(st[2 + i] * stride[i] for i in range(nd))
        + tuple(st[2 + i] * dilation[i] for i in range(nd)),
        writeable=False,
    )


def _offset_slices(k, stride, dilation, out):
    return tuple(
        slice(k[i] * dilation[i], k[i] * dilation[i] + stride[i] * (out[i] - 1) + 1, stride[i])
        for i in range(len(k))
    )


# -- max pooling ------------------------------------------------------------------------------


def _scatter_flat(grad, indices, in_shape, nd):
    """Sums ``grad`` into a zero ``in_shape`` array at flat ``indices`` into the last ``nd``
    dims (one plane per leading index)."""
    planes = math.prod(in_shape[:-nd])
    size = math.prod(in_shape[-nd:])
    rows = (xp.arange(planes) * size)[:, None]
    flat = (indices.reshape(planes, -1) + rows).reshape(-1)
    out = xp.zeros(planes * size, dtype=grad.dtype)
    xp.add.at(out, flat, grad.reshape(-1))  # in output order and in grad's dtype, as ATen
    return out.reshape(in_shape)


def _planes(x, nd):
    """Any leading dims folded into a ``(P, 1, *spatial)`` batch (unbatched input works)."""
    return x.reshape((-1, 1) + x.shape[x.ndim - nd :])


class _Winners:
    """Which kernel offset won each window, and the window geometry: enough to scatter a
    gradient back, and to make the flat indices only when something asks for them."""

    __slots__ = (
        "which",
        "lead",
        "spatial",
        "out",
        "kernel",
        "stride",
        "padding",
        "dilation",
        "_flat",
    )

    def __init__(self, which, lead, spatial, out, kernel, stride, padding, dilation):
        self.which, self.lead, self.spatial, self.out = which, lead, spatial, out
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self._flat = None

    def flat(self):
        """Flat index in the unpadded plane: the window's corner plus the winning offset
        (made once)."""
        if self._flat is None:
            self._flat = self._make_flat()
        return self._flat

    def _make_flat(self):
        nd = len(self.kernel)
        out, spatial = self.out, self.spatial
        offsets = list(itertools.product(*map(range, self.kernel)))
        corner = xp.zeros(out, dtype=xp.int64)
        shift = xp.zeros(len(offsets), dtype=xp.int64)
        table = xp.array(offsets, dtype=xp.int64).reshape(len(offsets), nd)
        for i in range(nd):
            axis = (xp.arange(out[i]) * self.stride[i] - self.padding[i]).reshape(
                (out[i],) + (1,) * (nd - i - 1)
            )
            corner = corner * spatial[i] + axis
            shift = shift * spatial[i] + table[:, i] * self.dilation[i]
        return (corner + shift[self.which]).reshape(self.lead + out)


class _MaxPoolWithIndices(Op):
    """Returns ``(out, indices)`` (indices: flat positions in each (N, C) plane), or ``out``
    alone when ``with_indices`` is false: backward then needs no indices where windows do not
    overlap, and makes them itself where they do."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, dilation, ceil_mode, with_indices=True):
        nd = len(kernel)
        lead, spatial = x.shape[:-nd], x.shape[x.ndim - nd :]
        in_shape, x = x.shape, _planes(x, nd)
        out = tuple(
            pool_out_size(spatial[i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode)
            for i in range(nd)
        )
        low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        padded = _pad_for_windows(x, kernel, stride, padding, dilation, out, low)
        # one pass per kernel offset over the output grid, keeping the running maximum and
        # which offset gave it (offsets come in increasing order, so the later winner is the
        # larger number); NaN wins and stays, as in ATen
        offsets = list(itertools.product(*map(range, kernel)))
        lanes = (slice(None), slice(None))
        values = padded[lanes + _offset_slices(offsets[0], stride, dilation, out)].copy()
        which = xp.zeros(values.shape, dtype=xp.min_scalar_type(len(offsets) - 1))
        for j, k in enumerate(offsets[1:], 1):
            candidate = padded[lanes + _offset_slices(k, stride, dilation, out)]
            take = xp.greater(candidate, values).view(xp.uint8)
            xp.maximum(which, xp.multiply(take, which.dtype.type(j), dtype=which.dtype), out=which)
            xp.maximum(values, candidate, out=values)
        if x.dtype.kind == "f" and xp.isnan(values).any():
            which = _nan_winners(padded, offsets, stride, dilation, out, which)
        winners = _Winners(which, lead, spatial, out, kernel, stride, padding, dilation)
        ctx.winners, ctx.in_shape = winners, in_shape
        values = values.reshape(lead + out)
        return (values, winners.flat()) if with_indices else values

    @staticmethod
    def backward(ctx, grad, _grad_indices=None):
        return _MaxPoolBackward.apply(grad, ctx.winners, ctx.in_shape, len(ctx.winners.kernel))


def _nan_winners(padded, offsets, stride, dilation, out, which):
    """ATen's winner where a window holds NaN: the last NaN in the window."""
    lanes = (slice(None), slice(None))
    for j, k in enumerate(offsets):
        candidate = padded[lanes + _offset_slices(k, stride, dilation, out)]
        which = xp.where(candidate != candidate, which.dtype.type(j), which)
    return which


def _scatter_windows(grad, which, in_shape, kernel, stride, padding, dilation):
    """``_scatter_flat`` for windows that do not overlap: one strided slice of the input per
    kernel offset receives the gradients of the outputs that offset won."""
    nd = len(kernel)
    out = grad.shape[grad.ndim - nd :]
    grad = _planes(grad, nd)
    which = which.reshape(grad.shape)
    size = tuple(
        max(
            in_shape[-nd + i] + 2 * padding[i],
            (out[i] - 1) * stride[i] + dilation[i] * (kernel[i] - 1) + 1,
        )
        for i in range(nd)
    )
    # windows that tile the buffer (adjacent, no gaps, nothing past them) write all of it
    tiled = all(
        dilation[i] == 1 and stride[i] == kernel[i] and size[i] == out[i] * stride[i]
        for i in range(nd)
    )
    buf = (xp.empty if tiled else xp.zeros)(grad.shape[:2] + size, dtype=grad.dtype)
    lanes = (slice(None), slice(None))
    finite = xp.isfinite(grad).all()  # else inf * 0 would put NaN where 0 belongs
    zero = grad.dtype.type(0)
    for j, k in enumerate(itertools.product(*map(range, kernel))):
        target = buf[lanes + _offset_slices(k, stride, dilation, out)]
        if finite:
            xp.multiply(grad, which == j, out=target)
        else:
            target[...] = xp.where(which == j, grad, zero)
    crop = tuple(slice(padding[i], padding[i] + in_shape[-nd + i]) for i in range(nd))
    return xp.ascontiguousarray(buf[lanes + crop]).reshape(in_shape)


class _MaxPoolBackward(Op):
    """Scatters grad to where each max came from; the backward of max and adaptive max.
    ``indices``: the flat indices, or a max pool's ``_Winners``, whose windows, when they do
    not overlap, take one strided slice per kernel offset instead."""

    @staticmethod
    def forward(ctx, grad, indices, in_shape, nd):
        ctx.indices, ctx.nd = indices, nd
        if indices.__class__ is _Winners:
            w = indices
            if all(w.stride[i] > w.dilation[i] * (w.kernel[i] - 1) for i in range(nd)):
                return _scatter_windows(
                    grad, w.which, in_shape, w.kernel, w.stride, w.padding, w.dilation
                )
            ctx.indices = indices = w.flat()
        # overlapping windows: sum in output order, as ATen does (the rounding depends on it)
        return _scatter_flat(grad, indices, in_shape, nd)

    @staticmethod
    def backward(ctx, grad):
        indices = ctx.indices
        if indices.__class__ is _Winners:
            ctx.indices = indices = indices.flat()
        idx = make(indices)
        planes = math.prod(idx.shape[: idx.ndim - ctx.nd])
        return grad.reshape(planes, -1).gather(1, idx.reshape(planes, -1)).view(tuple(idx.shape))


class _MaxUnpool(Op):
    """Puts each value at its flat index in a zero ``out_spatial`` plane (the inverse of max
    pooling with indices); where two indices coincide the later value stays, as in ATen's
    loop. Backward gathers the gradient at the indices."""

    @staticmethod
    def forward(ctx, x, indices, out_spatial):
        nd = len(out_spatial)
        lead = x.shape[: x.ndim - nd]
        planes, size = math.prod(lead), math.prod(out_spatial)
        flat = indices.reshape(planes, -1)
        if flat.size and (flat.min() < 0 or flat.max() >= size):
            bad = flat[(flat < 0) | (flat >= size)][0]
            raise RuntimeError(
                f"Found an invalid max index: {bad} (output volumes are of size "
                + "x".join(map(str, out_spatial))
                + ")"
            )
        out = xp.zeros((planes, size), dtype=x.dtype)
        rows = xp.arange(planes)[:, None]
        out[rows, flat] = x.reshape(planes, -1)
        ctx.indices, ctx.nd = indices, nd
        return out.reshape(lead + tuple(out_spatial))

    @staticmethod
    def backward(ctx, grad):
        idx = make(ctx.indices)
        planes = math.prod(idx.shape[: idx.ndim - ctx.nd])
        return grad.reshape(planes, -1).gather(1, idx.reshape(planes, -1)).view(tuple(idx.shape))


class MaxUnpool2D(_MaxUnpool):
    pass


class MaxUnpool3D(_MaxUnpool):
    pass


class MaxPool2DWithIndices(_MaxPoolWithIndices):
    pass


class MaxPool3DWithIndices(_MaxPoolWithIndices):
    pass


# -- average pooling --------------------------------------------------------------------------


def _avg_divisor(spatial, out, kernel, stride, padding, count_include_pad, divisor_override):
    if divisor_override:
        return divisor_override
    div = 1
    for i, n in enumerate(spatial):
        start = xp.arange(out[i]) * stride[i] - padding[i]
        end = xp.minimum(start + kernel[i], n + padding[i])
        count = end - start
        if not count_include_pad:
            count = xp.minimum(end, n) - xp.maximum(start, 0)
        div = xp.multiply.outer(div, count) if i else count
    return div


class _AvgPool(Op):
    @staticmethod
    def forward(ctx, x, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
        nd = len(kernel)
        lead, spatial = x.shape[:-nd], x.shape[x.ndim - nd :]
        in_shape, x = x.shape, _planes(x, nd)
        ones = (1,) * nd
        out = tuple(
            pool_out_size(spatial[i], kernel[i], stride[i], padding[i], 1, ceil_mode)
            for i in range(nd)
        )
        padded = _pad_for_windows(x, kernel, stride, padding, ones, out, 0)
        total = xp.zeros(x.shape[:2] + out, dtype=x.dtype)
        for k in itertools.product(*map(range, kernel)):
            total += padded[(slice(None), slice(None)) + _offset_slices(k, stride, ones, out)]
        div = _avg_divisor(
            spatial, out, kernel, stride, padding, count_include_pad, divisor_override
        )
        ctx.args = (in_shape, kernel, stride, padding, div)
        out = (total / xp.asarray(div, dtype=x.dtype)).astype(x.dtype, copy=False)
        return out.reshape(lead + out.shape[2:])

    @staticmethod
    def backward(ctx, grad):
        return _AvgPoolBackward.apply(grad, *ctx.args)


class _AvgPoolBackward(Op):
    @staticmethod
    def forward(ctx, grad, in_shape, kernel, stride, padding, div):
        nd = len(kernel)
        ones = (1,) * nd
        out = grad.shape[grad.ndim - nd :]
        grad = _planes(grad, nd)
        g = (grad / xp.asarray(div, dtype=grad.dtype)).astype(grad.dtype, copy=False)
        size = tuple(
            max(in_shape[-nd + i] + 2 * padding[i], (out[i] - 1) * stride[i] + kernel[i])
            for i in range(nd)
        )
        buf = xp.zeros(grad.shape[:2] + size, dtype=grad.dtype)
        for k in itertools.product(*map(range, kernel)):
            buf[(slice(None), slice(None)) + _offset_slices(k, stride, ones, out)] += g
        crop = tuple(slice(padding[i], padding[i] + in_shape[-nd + i]) for i in range(nd))
        ctx.args = kernel, stride, padding, div, out
        return xp.ascontiguousarray(buf[(slice(None), slice(None)) + crop]).reshape(in_shape)

    @staticmethod
    def backward(ctx, grad):
        return _AvgPoolAgain.apply(grad, *ctx.args)


class _AvgPoolAgain(Op):
    """Average pooling with a known divisor: the adjoint of ``_AvgPoolBackward``."""

    @staticmethod
    def forward(ctx, x, kernel, stride, padding, div, out):
        nd = len(kernel)
        ones = (1,) * nd
        in_shape, x = x.shape, _planes(x, nd)
        padded = _pad_for_windows(x, kernel, stride, padding, ones, out, 0)
        total = xp.zeros(x.shape[:2] + tuple(out), dtype=x.dtype)
        for k in itertools.product(*map(range, kernel)):
            total += padded[(slice(None), slice(None)) + _offset_slices(k, stride, ones, out)]
        ctx.args = (in_shape, kernel, stride, padding, div)
        total = (total / xp.asarray(div, dtype=x.dtype)).astype(x.dtype, copy=False)
        return total.reshape(in_shape[:-nd] + tuple(out))

    @staticmethod
    def backward(ctx, grad):
        return _AvgPoolBackward.apply(grad, *ctx.args)


class AvgPool2D(_AvgPool):
    pass


class AvgPool3D(_AvgPool):
    pass


# -- separable linear maps: adaptive average pooling, linear interpolation -------------------


def _apply_mats(x, mats):
    """Applies one ``(out, in)`` matrix along each trailing dim of ``x``."""
    lead = x.ndim - len(mats)
    for i, m in enumerate(mats):
        if m is None:
            continue
        d = lead + i
        x = xp.moveaxis(xp.tensordot(x, m.astype(x.dtype, copy=False), axes=([d], [1])), -1, d)
    return xp.ascontiguousarray(x)


class _Separable(Op):
    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        return _apply_mats(x, mats)

    @staticmethod
    def backward(ctx, grad):
        return _SeparableAdjoint.apply(grad, tuple(None if m is None else m.T for m in ctx.mats))


class _SeparableAdjoint(_Separable):
    pass


class AdaptiveAvgPool2D(_Separable):
    pass


class AdaptiveAvgPool3D(_Separable):
    pass


class UpsampleLinear1D(_Separable):
    pass


class UpsampleBilinear2D(_Separable):
    pass


class UpsampleTrilinear3D(_Separable):
    pass


def adaptive_bounds(n, out):
    i = xp.arange(out)
    return (i * n) // out, -((-(i + 1) * n) // out)  # floor(i n / out), ceil((i + 1) n / out)


def adaptive_avg_matrix(n, out):
    start, end = adaptive_bounds(n, out)
    j = xp.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    return inside / (end - start)[:, None]


def linear_matrix(n, out, align_corners, scale, dtype):
    """Linear interpolation from ``n`` to ``out`` points, as PyTorch's upsample kernels (its
    source index arithmetic in the input's precision)."""
    ft = xp.float64 if dtype == xp.float64 else xp.float32
    dst = xp.arange(out, dtype=ft)
    if align_corners:
        ratio = ft((n - 1) / (out - 1)) if out > 1 else ft(0)
        src = dst * ratio
    else:
        ratio = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n / out)
        src = xp.maximum(ratio * (dst + ft(0.5)) - ft(0.5), ft(0))
    i0 = src.astype(xp.int64)
    lam = src - i0
    i1 = xp.minimum(i0 + 1, n - 1)
    m = xp.zeros((out, n), dtype=ft)
    rows = xp.arange(out)
    xp.add.at(m, (rows, i0), ft(1) - lam)
    xp.add.at(m, (rows, i1), lam)
    return m


def nearest_index(n, out, scale, exact):
    """Source index per output index, as PyTorch's nearest / nearest-exact kernels."""
    ratio = xp.float32(1.0 / scale) if scale is not None and scale > 0 else xp.float32(n / out)
    dst = xp.arange(out, dtype=xp.float32)
    if exact:
        src = xp.floor((dst + xp.float32(0.5)) * ratio)
    else:
        src = xp.floor(dst * ratio)
    return xp.minimum(src.astype(xp.int64), n - 1)


# -- adaptive max pooling ---------------------------------------------------------------------


class _AdaptiveMaxPool(Op):
    @staticmethod
    def forward(ctx, x, out):
        nd = len(out)
        lead, spatial = x.shape[:-nd], x.shape[x.ndim - nd :]
        in_shape, x = x.shape, _planes(x, nd)
        gathered = x
        for i in range(nd):
            start, end = adaptive_bounds(spatial[i], out[i])
            width = int((end - start).max())
            # each window padded to the widest by repeating its last element: the max is kept
            idx = xp.minimum(start[:, None] + xp.arange(width), end[:, None] - 1)
            gathered = xp.take(gathered, idx.reshape(-1), axis=2 + 2 * i)
            gathered = gathered.reshape(
                gathered.shape[: 2 + 2 * i] + (out[i], width) + gathered.shape[3 + 2 * i :]
            )
        # (N, C, o0, w0, o1, w1, ...) -> (N, C, o0, o1, ..., w0 * w1 ...)
        perm = (0, 1) + tuple(2 + 2 * i for i in range(nd)) + tuple(3 + 2 * i for i in range(nd))
        win = gathered.transpose(perm)
        widths = win.shape[2 + nd :]
        win = win.reshape(win.shape[: 2 + nd] + (-1,))
        arg = xp.argmax(win, axis=-1)
        values = xp.take_along_axis(win, arg[..., None], axis=-1)[..., 0]
        local = xp.unravel_index(arg, widths)
        flat = xp.zeros(arg.shape, dtype=xp.int64)
        for i in range(nd):
            start, end = adaptive_bounds(spatial[i], out[i])
            shape = (1,) * (2 + i) + (out[i],) + (1,) * (nd - i - 1)
            pos = xp.minimum(start.reshape(shape) + local[i], end.reshape(shape) - 1)
            flat = flat * spatial[i] + pos
        flat = flat.reshape(lead + tuple(out))
        ctx.indices, ctx.in_shape, ctx.nd = flat, in_shape, nd
        return values.reshape(lead + tuple(out)), flat

    @staticmethod
    def backward(ctx, grad, _grad_indices=None):
        return _MaxPoolBackward.apply(grad, ctx.indices, ctx.in_shape, ctx.nd)


class AdaptiveMaxPool2D(_AdaptiveMaxPool):
    pass


class AdaptiveMaxPool3D(_AdaptiveMaxPool):
    pass


# -- nearest upsampling, pixel shuffle ----------------------------------------------------------


class _UpsampleNearest(Op):
    @staticmethod
    def forward(ctx, x, indices):
        lead = x.ndim - len(indices)
        out = x
        for i, idx in enumerate(indices):
            out = xp.take(out, idx, axis=lead + i)
        ctx.indices, ctx.in_shape = indices, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return _UpsampleNearestBackward.apply(grad, ctx.indices, ctx.in_shape)


class _UpsampleNearestBackward(Op):
    @staticmethod
    def forward(ctx, grad, indices, in_shape):
        lead = grad.ndim - len(indices)
        out = grad
        for i, idx in enumerate(indices):
            d = lead + i
            one_hot = (idx[:, None] == xp.arange(in_shape[d])).astype(grad.dtype)
            out = xp.moveaxis(xp.tensordot(out, one_hot, axes=([d], [0])), -1, d)
        ctx.indices = indices
        return xp.ascontiguousarray(out)

    @staticmethod
    def backward(ctx, grad):
        return _UpsampleNearest.apply(grad, ctx.indices)


class UpsampleNearest1D(_UpsampleNearest):
    pass


class UpsampleNearest2D(_UpsampleNearest):
    pass


class UpsampleNearest3D(_UpsampleNearest):
    pass


class _UpsampleNearestExact1D(_UpsampleNearest):
    node_name = "UpsampleNearestExact1DBackward0"


class _UpsampleNearestExact2D(_UpsampleNearest):
    node_name = "UpsampleNearestExact2DBackward0"


class _UpsampleNearestExact3D(_UpsampleNearest):
    node_name = "UpsampleNearestExact3DBackward0"


def _shuffle(x, r):
    *lead, c, h, w = x.shape
    oc = c // (r * r)
    y = x.reshape(*lead, oc, r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return xp.ascontiguousarray(y).reshape(*lead, oc, h * r, w * r)


def _unshuffle(x, r):
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return xp.ascontiguousarray(y).reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Op):
    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _shuffle(x, r)

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, ctx.r)


class PixelUnshuffle(Op):
    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        return _unshuffle(x, r)

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, ctx.r)


NEAREST = {1: UpsampleNearest1D, 2: UpsampleNearest2D, 3: UpsampleNearest3D}
NEAREST_EXACT = {1: _UpsampleNearestExact1D, 2: _UpsampleNearestExact2D, 3: _UpsampleNearestExact3D}
LINEAR = {1: UpsampleLinear1D, 2: UpsampleBilinear2D, 3: UpsampleTrilinear3D}
MAX_POOL = {2: MaxPool2DWithIndices, 3: MaxPool3DWithIndices}
MAX_UNPOOL = {2: MaxUnpool2D, 3: MaxUnpool3D}
AVG_POOL = {2: AvgPool2D, 3: AvgPool3D}
ADAPTIVE_AVG = {2: AdaptiveAvgPool2D, 3: AdaptiveAvgPool3D}
ADAPTIVE_MAX = {2: AdaptiveMaxPool2D, 3: AdaptiveMaxPool3D}

__all__ = [
    "pool_out_size",
    "adaptive_avg_matrix",
    "linear_matrix",
    "nearest_index",
    "PixelShuffle",
    "PixelUnshuffle",
    "NEAREST",
    "NEAREST_EXACT",
    "LINEAR",
    "MAX_POOL",
    "MAX_UNPOOL",
    "AVG_POOL",
    "ADAPTIVE_AVG",
    "ADAPTIVE_MAX",
]
