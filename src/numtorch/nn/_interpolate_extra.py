"""Bicubic interpolation and anti-aliased (bilinear / bicubic) resampling of 4-D input, as
``F.interpolate(mode='bicubic')`` and ``F.interpolate(..., antialias=True)``.

Both are separable: per spatial dim, each output pixel reads a few input pixels with fixed
weights. The forward gathers those taps and sums them in ATen's order; in float32 it also
reproduces where ATen's AVX2 build fuses a multiply and an add (emulated exactly in float64),
so float32 results match PyTorch bit for bit there, and within a rounding elsewhere. The
backward is the adjoint, two dense ``(out, in)`` weight matrices applied transposed, and the
adjoint's backward is the forward again: gradients of any order.
"""

from __future__ import annotations

import math
from typing import Any

from .._tensor import Tensor
from ..autograd.function import Op
from ..ops._common import xp
from ..ops.creation import _not_implemented

__all__ = ["resample", "interpolate"]

_CUBIC_A = -0.75  # upsample_bicubic2d's Keys constant
_AA_CUBIC_A = -0.5  # _upsample_bicubic2d_aa's (Keys' own proposal, as PIL)


def _fma(a, b, c):
    """float32 ``a * b + c`` rounded once: a float32 product is exact in float64, and the
    float64 sum rounds to float32 the same way except in vanishingly rare ties."""
    return (xp.asarray(a, xp.float64) * b + c).astype(xp.float32)


def _f32(x):
    return xp.asarray(x, xp.float32)


# -- per-dim weights ------------------------------------------------------------------------


def _scale(n: int, out: int, align_corners: bool, scale, ft):
    """ATen's area_pixel_compute_scale in the op-math type ``ft``."""
    if align_corners:
        return ft(n - 1) / ft(out - 1) if out > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)  # the reciprocal is taken in double, then rounded
    return ft(n) / ft(out)


def _cubic(x, a: float, ft, last_fused: bool):
    """Keys' cubic on ``x`` (|x| in [0, 2]), as ATen's cubic_convolution1 / 2 evaluate it.

    In float32 the first Horner steps are fused multiply-adds in ATen's AVX2 build; the last
    one is fused in the antialias filter but not in upsample_bicubic2d's coefficients."""
    if ft is not xp.float32:
        near = ((a + 2) * x - (a + 3)) * x * x + 1
        far = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
        return near, far
    f = xp.float32
    r = _fma(f(a + 2), x, f(-(a + 3))) * x
    near = _fma(r, x, f(1)) if last_fused else _f32(r * x + f(1))
    r = _fma(_fma(f(a), x, f(-5 * a)), x, f(8 * a))
    far = _fma(r, x, f(-4 * a)) if last_fused else _f32(r * x - f(4 * a))
    return near, far


def _cubic_taps(n: int, out: int, align_corners: bool, scale, ft):
    """upsample_bicubic2d's 4 taps per output index: ``(indices (out, 4), weights (out, 4))``.

    The source index is not clamped below 0 (``cubic=True``); the taps' indices are clamped
    to the input instead, so border pixels repeat."""
    s = _scale(n, out, align_corners, scale, ft)
    dst = xp.arange(out, dtype=ft)
    if align_corners:
        real = s * dst
    elif ft is xp.float32:
        real = _fma(s, dst + ft(0.5), ft(-0.5))
    else:
        real = s * (dst + ft(0.5)) - ft(0.5)
    i0 = xp.minimum(xp.floor(real).astype(xp.int64), n - 1)
    t = xp.clip(real - i0.astype(ft), ft(0), ft(1)).astype(ft)
    u = (ft(1) - t).astype(ft)
    near_t, _ = _cubic(t, _CUBIC_A, ft, False)
    near_u, _ = _cubic(u, _CUBIC_A, ft, False)
    _, far_t = _cubic((t + ft(1)).astype(ft), _CUBIC_A, ft, False)
    _, far_u = _cubic((u + ft(1)).astype(ft), _CUBIC_A, ft, False)
    weights = xp.stack([far_t, near_t, near_u, far_u], axis=1).astype(ft)
    indices = xp.clip(i0[:, None] - 1 + xp.arange(4), 0, n - 1)
    return indices, weights


def _aa_taps(n: int, out: int, align_corners: bool, scale, ft, cubic: bool):
    """The anti-aliasing taps of _upsample_{bilinear,bicubic}2d_aa (PIL's resampling):
    ``(first index (out,), count (out,), weights (out, width))``, weights normalised to sum 1
    per output and zero past each count. Downsampling widens the filter by the scale."""
    size = 4 if cubic else 2
    s = _scale(n, out, align_corners, scale, ft)
    f64 = float
    if s >= 1.0:
        support = ft(size * 0.5 * f64(s))
        invscale = ft(1.0 / f64(s))
    else:
        support, invscale = ft(size * 0.5), ft(1.0)
    width = int(math.ceil(support)) * 2 + 1
    first = xp.zeros(out, dtype=xp.int64)
    count = xp.zeros(out, dtype=xp.int64)
    weights = xp.zeros((out, width), dtype=ft)
    for i in range(out):
        # center is computed in double and stored in the op-math type, as ATen does
        center = ft(f64(s) * (i + 0.5))
        lo = max(int(f64(ft(center - support)) + 0.5), 0)
        k = min(max(min(int(f64(ft(center + support)) + 0.5), n) - lo, 0), width)
        j = xp.arange(lo, lo + k)
        x = xp.abs(((j.astype(ft) - center).astype(xp.float64) + 0.5) * f64(invscale)).astype(ft)
        if cubic:
            near, far = _cubic(x, _AA_CUBIC_A, ft, True)
            w = xp.where(x < 1, near, xp.where(x < 2, far, ft(0))).astype(ft)
        else:
            w = xp.where(x < 1, ft(1) - x, ft(0)).astype(ft)
        total = ft(0)
        for v in w:  # a sequential sum, as ATen's loop
            total = ft(total + v)
        if total != 0:
            w = (w / total).astype(ft)
        first[i], count[i] = lo, k
        weights[i, :k] = w
    return first, count, weights


def _dense(out: int, n: int, indices, weights):
    """The ``(out, n)`` matrix of a tap table (repeated border indices add up)."""
    m = xp.zeros((out, n), dtype=weights.dtype)
    rows = xp.broadcast_to(xp.arange(out)[:, None], indices.shape)
    xp.add.at(m, (rows, indices), weights)
    return m


# -- the passes ------------------------------------------------------------------------------


def _cubic_pass(x, indices, weights, axis: int):
    """One bicubic pass along ``axis``: ``((t0 w0 + t1 w1) + t2 w2) + t3 w3``; in float32 the
    compiler fuses the first product into the second and the later ones into the sum."""
    shape = [1] * x.ndim
    shape[axis] = weights.shape[0]
    taps = [xp.take(x, indices[:, k], axis=axis) for k in range(4)]
    w = [weights[:, k].reshape(shape) for k in range(4)]
    if x.dtype != xp.float32:
        return taps[0] * w[0] + taps[1] * w[1] + taps[2] * w[2] + taps[3] * w[3]
    acc = _fma(taps[0], w[0], _f32(taps[1] * w[1]))
    acc = _fma(taps[2], w[2], acc)
    return _fma(taps[3], w[3], acc)


def _aa_pass(x, first, count, weights, axis: int):
    """One anti-aliasing pass along ``axis``: a sequential sum over each output's taps. In
    float32, ATen's loop is vectorised 4 products at a time: after the first tap, whole blocks
    of 4 are multiplied then added, and the remaining taps are fused multiply-adds."""
    n = x.shape[axis]
    shape = [1] * x.ndim
    shape[axis] = weights.shape[0]
    count_b = count.reshape(shape)
    fused_from = (4 * ((count - 1) // 4)).reshape(shape)  # steps j - 1 from here are fused
    acc = xp.take(x, xp.minimum(first, n - 1), axis=axis) * weights[:, 0].reshape(shape)
    single = x.dtype == xp.float32
    for j in range(1, weights.shape[1]):
        t = xp.take(x, xp.minimum(first + j, n - 1), axis=axis)
        w = weights[:, j].reshape(shape)
        if single:
            step = xp.where(j - 1 >= fused_from, _fma(t, w, acc), _f32(acc + _f32(t * w)))
        else:
            step = acc + t * w
        acc = xp.where(j < count_b, step, acc)  # taps past the count are never read
    return acc


class _Plan:
    """Everything one resize needs, for the forward, its adjoint and their derivatives."""

    __slots__ = ("kind", "in_hw", "out_hw", "taps", "mats")

    def __init__(
        self, kind: str, in_hw, out_hw, align_corners: bool, scales, ft, half: bool = False
    ) -> None:
        self.kind, self.in_hw, self.out_hw = kind, tuple(in_hw), tuple(out_hw)
        taps: list[Any] = []
        mats: list[Any] = []
        for n, o, s in zip(in_hw, out_hw, scales, strict=True):
            if kind == "bicubic":
                idx, w = _cubic_taps(n, o, align_corners, s, ft)
                if half:
                    # ATen stores half's weights as half, though it sums in float
                    w = w.astype(xp.float16).astype(ft)
                taps.append((idx, w))
                mats.append(_dense(o, n, idx, w))
            elif n == o:
                # ATen skips a dim whose size does not change, whatever the scale factor
                taps.append(None)
                mats.append(None)
            else:
                first, count, w = _aa_taps(n, o, align_corners, s, ft, kind == "bicubic_aa")
                idx = xp.minimum(first[:, None] + xp.arange(w.shape[1]), n - 1)
                taps.append((first, count, w))
                mats.append(_dense(o, n, idx, w))
        self.taps, self.mats = tuple(taps), tuple(mats)

    def forward(self, x):
        op = x.dtype
        if op == xp.float16:
            x = x.astype(xp.float32)  # half runs in float op-math, as ATen's
        if self.kind == "bicubic":
            (iy, wy), (ix, wx) = self.taps
            out = _cubic_pass(_cubic_pass(x, ix, wx, x.ndim - 1), iy, wy, x.ndim - 2)
        else:
            out = x
            # width first, then height: the order of ATen's separable passes
            for axis in (x.ndim - 1, x.ndim - 2):
                tap = self.taps[axis - x.ndim + 2]
                if tap is not None:
                    out = _aa_pass(out, *tap, axis=axis)
            out = out.copy() if out is x else out
        return xp.ascontiguousarray(out.astype(op, copy=False))

    def adjoint(self, grad):
        op = grad.dtype
        g = grad.astype(xp.float32) if op == xp.float16 else grad
        for i, m in enumerate(self.mats):
            if m is None:
                continue
            d = g.ndim - 2 + i
            g = xp.moveaxis(xp.tensordot(g, m.astype(g.dtype, copy=False), axes=([d], [0])), -1, d)
        return xp.ascontiguousarray(g.astype(op, copy=False))


# -- the ops ---------------------------------------------------------------------------------


class _Resample(Op):
    @staticmethod
    def forward(ctx, x, plan):
        ctx.plan = plan
        return plan.forward(x)

    @staticmethod
    def backward(ctx, grad):
        return _ADJOINT[ctx.plan.kind].apply(grad, ctx.plan)


class _ResampleAdjoint(Op):
    @staticmethod
    def forward(ctx, grad, plan):
        ctx.plan = plan
        return plan.adjoint(grad)

    @staticmethod
    def backward(ctx, grad):
        return _FORWARD[ctx.plan.kind].apply(grad, ctx.plan)


class UpsampleBicubic2D(_Resample):
    pass


class UpsampleBicubic2DBackward(_ResampleAdjoint):
    pass


class UpsampleBilinear2DAa(_Resample):
    pass


class UpsampleBilinear2DAaBackward(_ResampleAdjoint):
    pass


class UpsampleBicubic2DAa(_Resample):
    pass


class UpsampleBicubic2DAaBackward(_ResampleAdjoint):
    pass


_FORWARD: dict[str, type[Op]] = {
    "bicubic": UpsampleBicubic2D,
    "bilinear_aa": UpsampleBilinear2DAa,
    "bicubic_aa": UpsampleBicubic2DAa,
}
_ADJOINT: dict[str, type[Op]] = {
    "bicubic": UpsampleBicubic2DBackward,
    "bilinear_aa": UpsampleBilinear2DAaBackward,
    "bicubic_aa": UpsampleBicubic2DAaBackward,
}


# -- entry points ----------------------------------------------------------------------------


def _unsupported_dim(input: Tensor, mode: str) -> NotImplementedError:
    return NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode})"
    )


def resample(
    input: Tensor, mode: str, out_size, scales, align_corners: bool, antialias: bool = False
) -> Tensor:
    """``interpolate`` once its sizes are known: ``mode='bicubic'`` or ``antialias=True``.

    ``out_size``: the output's spatial sizes; ``scales``: per dim the scale factor ATen gets
    (``None`` where a size was given or the factor recomputed)."""
    if antialias and not (mode in ("bilinear", "bicubic") and input.dim() == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    if mode != "bicubic" and not antialias:
        raise ValueError(f"resample handles bicubic and antialias only, not {mode}")
    if input.dim() != 4:
        raise _unsupported_dim(input, mode)
    n, c, h, w = input.shape
    oh, ow = (int(s) for s in out_size)
    if min(h, w, oh, ow) <= 0:
        raise RuntimeError(
            "Input and output sizes should be greater than 0, but got input "
            f"(H: {h}, W: {w}) output (H: {oh}, W: {ow})"
        )
    if c == 0:
        raise RuntimeError(
            f"Non-empty 4D data tensor expected but got a tensor with sizes [{n}, {c}, {h}, {w}]"
        )
    dtype = input._data.dtype
    allowed = (xp.float32, xp.float64) if antialias else (xp.float16, xp.float32, xp.float64)
    if dtype not in allowed:
        # uint8 runs in PyTorch through a fixed-point kernel this module does not reproduce
        kernel = "compute_index_ranges_weights" if antialias else "compute_indices_weights_cubic"
        raise _not_implemented(kernel, dtype)
    kind = f"{mode}_aa" if antialias else "bicubic"
    ft = xp.float64 if dtype == xp.float64 else xp.float32
    scales = tuple(None if s is None else float(s) for s in scales)
    plan = _Plan(kind, (h, w), (oh, ow), bool(align_corners), scales, ft, dtype == xp.float16)
    return _FORWARD[kind].apply(input, plan)


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "bicubic",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """``F.interpolate`` for 4-D input in the modes this module adds (size / scale_factor
    handling as PyTorch's, for 2 spatial dims only)."""
    if align_corners is None:
        align_corners = False
    if input.dim() != 4:
        if antialias:
            resample(input, mode, (1, 1), (None, None), align_corners, antialias)
        raise _unsupported_dim(input, mode)
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = tuple(input.shape[2:])
    scales: tuple = (None, None)
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out = tuple(size) if isinstance(size, (list, tuple)) else (size, size)
        if len(out) != 2:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(spatial)} and output size of {size}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                "in (o1, o2, ...,oK) format."
            )
    elif scale_factor is not None:
        factors = (
            tuple(scale_factor)
            if isinstance(scale_factor, (list, tuple))
            else (scale_factor, scale_factor)
        )
        if len(factors) != 2:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(spatial)} and scale_factor of "
                f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                "format and scale_factor in (s1, s2, ...,sK) format."
            )
        out = tuple(math.floor(n * float(s)) for n, s in zip(spatial, factors, strict=True))
        if not recompute_scale_factor:
            scales = tuple(float(s) for s in factors)
    else:
        raise ValueError("either size or scale_factor should be defined")
    return resample(input, mode, out, scales, align_corners, antialias)
