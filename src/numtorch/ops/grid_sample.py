"""Spatial-transformer sampling: ``affine_grid_generator`` and ``grid_sampler_{2,3}d``.

Coordinates follow ATen's CPU kernels: unnormalize with ``align_corners``, then border
clipping or reflection, whose gradient multiplier is zero on the border itself. Sampling
gathers one corner (or bicubic tap) at a time over all points and channels; the input
gradient is one weighted ``bincount`` over all taps.
"""

from __future__ import annotations

import itertools

from .._tensor import make
from ..autograd.function import Op
from ._common import xp

_CUBIC_A = -0.75  # ATen's constant, as in upsample_bicubic2d


# -- coordinates ------------------------------------------------------------------------------


def _locate(g, size, padding, align, with_grad=False):
    """Grid values -> source coordinates along one input dim, and d(coordinate)/d(grid)."""
    dt = g.dtype.type
    scale = dt(size - 1) / dt(2) if align else dt(size) / dt(2)
    c = (g + dt(1)) * scale if align else (g + dt(1)) * scale - dt(0.5)
    mult = xp.full(g.shape, scale, dtype=g.dtype) if with_grad else None
    if padding == 0:
        return c, mult
    if padding == 2:
        c, sign = _reflect(c, size, align)
        if with_grad:
            mult = mult * sign
    return _clip(c, size, mult)


def _reflect(c, size, align):
    dt = c.dtype.type
    if align and size <= 1:
        return xp.zeros_like(c), xp.zeros_like(c)
    low = dt(0) if align else dt(-0.5)
    twice_span = dt(2 * (size - 1)) if align else dt(2 * size)
    shifted = c - low
    a = xp.abs(shifted)
    extra = a - xp.trunc(a / twice_span) * twice_span
    flipped = twice_span - extra
    flip = extra > flipped
    # the gradient flips once for a negative start and once more for an odd reflection
    sign = xp.where(flip ^ (shifted < 0), dt(-1), dt(1))
    return xp.minimum(extra, flipped) + low, sign


def _clip(c, size, mult=None):
    # fmax/fmin send NaN to 0, as ATen's operand order does; the borders themselves count as
    # outside for the gradient
    hi = c.dtype.type(size - 1)
    out = xp.fmin(xp.fmax(c, 0), hi)
    if mult is not None:
        mult = mult * ((c > 0) & (c < hi))
    return out, mult


def _index(f):
    """Float indices (integral values) as int64; NaN, inf and huge values land outside."""
    ok = xp.abs(f) < 2.0**40
    return xp.where(ok, f, -(2**41)).astype(xp.int64)


# -- taps -------------------------------------------------------------------------------------


class _Taps:
    """The sampling of one call: per tap its flat source index (N, 1, P), in-bounds mask and
    weight (N, 1, P), and per grid coordinate d the weight's derivative d(weight)/d(coord_d)."""

    def __init__(self, grid, spatial, mode, padding, align, with_grad):
        nd = len(spatial)
        n = grid.shape[0]
        pts = grid.reshape(n, -1, nd)
        self.nd, self.spatial = nd, spatial
        self.dtype = grid.dtype
        # grid coordinate d indexes spatial dim nd-1-d (x is W, y is H, z is D)
        sizes = [spatial[nd - 1 - d] for d in range(nd)]
        self.taps = []  # (flat index, mask, weight, [dweight/dcoord_d])
        self.mult = []
        if mode == 2:
            self._bicubic(pts, sizes, padding, align, with_grad)
            return
        coords = []
        for d in range(nd):
            c, m = _locate(pts[:, None, :, d], sizes[d], padding, align, with_grad)
            coords.append(c)
            self.mult.append(m)
        strides = [1] * nd
        for d in range(1, nd):
            strides[d] = strides[d - 1] * sizes[d - 1]
        if mode == 1:
            idx = [_index(xp.rint(c)) for c in coords]
            self._add(idx, sizes, strides, xp.ones_like(coords[0]), None)
            return
        low = [xp.floor(c) for c in coords]
        frac = [c - f for c, f in zip(coords, low, strict=True)]
        base = [_index(f) for f in low]
        one = self.dtype.type(1)
        factors = [(one - w, w) for w in frac]
        for bits in itertools.product((0, 1), repeat=nd):
            # ATen's corner order: the last grid coordinate (slowest input dim) major
            bits = bits[::-1]
            idx = [b + k for b, k in zip(base, bits, strict=True)]
            weight = factors[nd - 1][bits[nd - 1]]
            for d in range(nd - 2, -1, -1):
                weight = weight * factors[d][bits[d]]
            grads = None
            if with_grad:
                grads = []
                for d in range(nd):
                    g = xp.full_like(weight, one if bits[d] else -one)
                    for e in range(nd):
                        if e != d:
                            g = g * factors[e][bits[e]]
                    grads.append(g)
            self._add(idx, sizes, strides, weight, grads)

    def _bicubic(self, pts, sizes, padding, align, with_grad):
        strides = [1, sizes[0]]
        coords, coeffs, dcoeffs = [], [], []
        for d in range(2):
            c, _ = _locate(pts[:, None, :, d], sizes[d], 0, align)
            scale = c.dtype.type(sizes[d] - 1 if align else sizes[d]) / c.dtype.type(2)
            self.mult.append(xp.full(c.shape, scale, dtype=c.dtype))
            f = xp.floor(c)
            coords.append(f)
            coeffs.append(_cubic(c - f))
            dcoeffs.append(_cubic_grad(c - f) if with_grad else None)
        for j in range(4):
            for i in range(4):
                idx = []
                for d, k in ((0, i), (1, j)):
                    t = coords[d] + (k - 1)
                    if padding == 2:
                        t = _reflect(t, sizes[d], align)[0]
                    if padding:
                        t = _clip(t, sizes[d])[0]
                    idx.append(_index(t))
                weight = coeffs[0][i] * coeffs[1][j]
                grads = None
                if with_grad:
                    # ATen's taps sit at floor(x) + k, so d(weight)/dx is minus the derivative
                    # of the cubic kernel at the tap offset
                    grads = [-(dcoeffs[0][i] * coeffs[1][j]), -(dcoeffs[1][j] * coeffs[0][i])]
                self._add(idx, sizes, strides, weight, grads)

    def _add(self, idx, sizes, strides, weight, grads):
        mask = None
        for i, n in zip(idx, sizes, strict=True):
            ok = (i >= 0) & (i < n)
            mask = ok if mask is None else mask & ok
        flat = sum(xp.where(mask, i, 0) * s for i, s in zip(idx, strides, strict=True))
        self.taps.append((flat, mask, weight, grads))


def _cubic(t):
    a = t.dtype.type(_CUBIC_A)
    one, two, three, five = (t.dtype.type(v) for v in (1, 2, 3, 5))
    x0, x1, x2, x3 = t + one, t, one - t, two - t
    return (
        ((a * x0 - five * a) * x0 + 8 * a) * x0 - 4 * a,
        ((a + two) * x1 - (a + three)) * x1 * x1 + one,
        ((a + two) * x2 - (a + three)) * x2 * x2 + one,
        ((a * x3 - five * a) * x3 + 8 * a) * x3 - 4 * a,
    )


def _cubic_grad(t):
    a = t.dtype.type(_CUBIC_A)
    one, two, three = (t.dtype.type(v) for v in (1, 2, 3))
    x0, x1, x2, x3 = -one - t, -t, one - t, two - t
    return (
        (-3 * a * x0 - 10 * a) * x0 - 8 * a,
        (-3 * (a + two) * x1 - 2 * (a + three)) * x1,
        (3 * (a + two) * x2 - 2 * (a + three)) * x2,
        (3 * a * x3 - 10 * a) * x3 + 8 * a,
    )


def _gather(flat_input, tap):
    flat, mask, _, _ = tap
    vals = xp.take_along_axis(flat_input, flat, axis=2)
    return xp.where(mask, vals, flat_input.dtype.type(0))


def _sample(x, taps):
    n, c = x.shape[:2]
    flat_input = x.reshape(n, c, -1)
    out = None
    for tap in taps.taps:
        term = _gather(flat_input, tap) * tap[2]
        out = term if out is None else out + term
    return out


def _grads(grad_out, x, grid, mode, padding, align, need_input, need_grid):
    """``grid_sampler_*_backward``: (grad_input or None, grad_grid or None), as arrays."""
    n, c = x.shape[:2]
    nd = x.ndim - 2
    spatial = x.shape[2:]
    taps = _Taps(grid, spatial, mode, padding, align, need_grid and mode != 1)
    go = grad_out.reshape(n, c, -1)
    gin = ggrid = None
    if need_input:
        size = int(xp.prod(spatial))
        rows = (xp.arange(n * c, dtype=xp.int64) * size).reshape(n, c, 1)
        index = xp.concatenate([xp.broadcast_to(t[0] + rows, go.shape) for t in taps.taps], 2)
        weights = xp.concatenate([go * xp.where(t[1], t[2], 0) for t in taps.taps], 2)
        total = xp.bincount(index.ravel(), weights.ravel(), minlength=n * c * size)
        gin = total.astype(x.dtype).reshape(x.shape)
    if need_grid:
        if mode == 1:
            ggrid = xp.zeros(grid.shape, grid.dtype)
        else:
            flat_input = x.reshape(n, c, -1)
            acc = [None] * nd
            for tap in taps.taps:
                val = _gather(flat_input, tap) * go
                for d in range(nd):
                    term = val * tap[3][d]
                    acc[d] = term if acc[d] is None else acc[d] + term
            parts = [acc[d].sum(1) * taps.mult[d][:, 0] for d in range(nd)]
            ggrid = xp.stack(parts, -1).astype(grid.dtype).reshape(grid.shape)
    return gin, ggrid


# -- ops --------------------------------------------------------------------------------------


class _GridSampler(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, grid, mode, padding, align):
        ctx.args = mode, padding, align
        ctx.save_for_backward(x, grid)
        n, c = x.shape[:2]
        out_spatial = grid.shape[1:-1]
        if x.size == 0 or grid.size == 0:
            return xp.zeros((n, c) + out_spatial, x.dtype)
        taps = _Taps(grid, x.shape[2:], mode, padding, align, False)
        return _sample(x, taps).astype(x.dtype, copy=False).reshape((n, c) + out_spatial)

    @staticmethod
    def backward(ctx, grad):
        x, grid = ctx.saved_tensors
        needs = ctx.needs_input_grad
        backward_op = GridSampler2DBackward if x.ndim == 4 else GridSampler3DBackward
        return backward_op.apply(grad, x, grid, *ctx.args, bool(needs[0]), bool(needs[1]))


class GridSampler2D(_GridSampler):
    pass


class GridSampler3D(_GridSampler):
    pass


class _GridSamplerBackward(Op):
    """Returns (grad_input, grad_grid); its own backward covers grad_output (the input
    gradient is linear in it: its adjoint is sampling again)."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, grad, x, grid, mode, padding, align, need_input, need_grid):
        ctx.args = mode, padding, align
        ctx.save_for_backward(grid)
        if x.size == 0 or grid.size == 0 or grad.size == 0:
            gin = xp.zeros(x.shape, x.dtype)
            ggrid = xp.zeros(grid.shape, grid.dtype)
        else:
            gin, ggrid = _grads(grad, x, grid, mode, padding, align, True, True)
        return gin, ggrid

    @staticmethod
    def backward(ctx, g_gin, g_ggrid):
        (grid,) = ctx.saved_tensors
        needs = ctx.needs_input_grad
        mode = ctx.args[0]
        if mode != 1 and (_nonzero(g_ggrid) or (needs[2] and _nonzero(g_gin))):
            raise NotImplementedError(
                "numtorch: the double backward of grid_sample is implemented with respect to "
                "grad_output through the input gradient only (not through the grid gradient, "
                "nor with respect to the grid)"
            )
        if g_gin is None or not needs[0]:
            return None
        forward_op = GridSampler2D if grid.ndim == 4 else GridSampler3D
        return forward_op.apply(g_gin, grid, *ctx.args)


def _nonzero(t):
    return t is not None and bool((t._data != 0).any())


class GridSampler2DBackward(_GridSamplerBackward):
    pass


class GridSampler3DBackward(_GridSamplerBackward):
    pass


def grid_sampler(input, grid, mode: int, padding: int, align: bool):
    """``torch.grid_sampler``: enum arguments, shapes already checked."""
    op = GridSampler2D if input.ndim == 4 else GridSampler3D
    return op.apply(input, grid, mode, padding, align)


# -- affine grid ------------------------------------------------------------------------------


def _linspace(steps, align, dtype):
    """ATen's ``linspace(-1, 1, steps)`` (both halves from their own end), scaled into the
    pixel centres unless ``align``."""
    dt = dtype.type
    if steps <= 1:
        return xp.zeros(1, dtype)
    step = (dt(1) - dt(-1)) / dt(steps - 1)
    i = xp.arange(steps)
    half = steps // 2
    r = xp.where(
        i < half, dt(-1) + step * i.astype(dtype), dt(1) - step * (steps - i - 1).astype(dtype)
    ).astype(dtype)
    if not align:
        r = (r * dt(steps - 1)) / dt(steps)
    return r.astype(dtype, copy=False)


def base_grid(spatial, align, dtype):
    """(prod(spatial), nd + 1) rows ``(x, y[, z], 1)``, x fastest."""
    nd = len(spatial)
    axes = [_linspace(s, align, dtype) for s in spatial]  # D?, H, W order
    mesh = xp.meshgrid(*axes, indexing="ij")
    cols = [xp.broadcast_to(m, tuple(spatial)).reshape(-1) for m in mesh[::-1]]
    cols.append(xp.ones(cols[0].shape, dtype))
    return xp.stack(cols, 1).reshape(-1, nd + 1)


class AffineGridGenerator(Op):
    @staticmethod
    def forward(ctx, theta, size, align):
        spatial = tuple(size[2:])
        nd = len(spatial)
        n = size[0]
        if theta.shape[0] != n:
            raise RuntimeError(
                "Expected size for first two dimensions of batch2 tensor to be: "
                f"[{n}, {nd + 1}] but got: [{theta.shape[0]}, {nd + 1}]."
            )
        base = base_grid(spatial, align, theta.dtype)
        ctx.base, ctx.spatial = base, spatial
        out = xp.matmul(base, xp.swapaxes(theta, 1, 2))
        return xp.ascontiguousarray(out.reshape((n,) + spatial + (nd,)), dtype=theta.dtype)

    @staticmethod
    def backward(ctx, grad):
        base = make(ctx.base)
        nd = len(ctx.spatial)
        g = grad.reshape(grad.shape[0], -1, nd)
        return base.t().matmul(g).transpose(1, 2)


def affine_grid_generator(theta, size, align):
    return AffineGridGenerator.apply(theta, tuple(int(s) for s in size), bool(align))
