"""More pooling for ``numtorch.nn.functional``: ``lp_pool3d`` and fractional max pooling
(``fractional_max_pool2d/3d`` and their ``_with_indices`` forms), plus the op behind
``nn.CrossMapLRN2d``.

Fractional max pooling follows ATen's CPU kernel: one random sample per plane and spatial dim
(drawn as ``numtorch.rand(N, C, nd, dtype=input.dtype)``, the same draw as PyTorch's, so the
same seed gives the same windows) places the windows through ``generate_intervals``, computed
in the input's precision as ATen does. Its backward scatters to the argmax positions, and the
backward of that gathers, so gradients of any order exist.
"""

from __future__ import annotations

import math

from .._tensor import make
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..ops._common import xp
from ..ops.pool import _MaxPoolBackward
from ._functional_layers import _pair, _triple, avg_pool3d, max_pool3d

__all__ = [
    "lp_pool3d",
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]


# -- lp_pool3d ----------------------------------------------------------------------------------


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over 3-d windows of x^p)^(1/p)``, as torch.nn.functional.lp_pool3d.

    >>> x = numtorch.ones(1, 1, 2, 2, 2)
    >>> numtorch.nn.functional.lp_pool3d(x, 2, 2).view(-1)
    tensor([2.8284])
    """
    kd, kw, kh = _triple(kernel_size)
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return max_pool3d(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -max_pool3d(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = avg_pool3d(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (out.sign() * out.abs().relu()).mul(kd * kw * kh).pow(1.0 / norm_type)


# -- fractional max pooling ---------------------------------------------------------------------


def _intervals(u, size, out, k):
    """ATen's ``generate_intervals`` for every plane at once: window starts ``(planes, out)``
    from the samples ``u`` ``(planes,)``. The arithmetic stays in ``u``'s dtype (scalar_t
    there) and ``static_cast<int>`` truncates, so the windows are ATen's to the bit."""
    seq = xp.empty((u.shape[0], out), dtype=xp.int64)
    if out > 1:
        dt = u.dtype.type
        alpha = dt(size - k) / dt(out - 1)
        i = xp.arange(out - 1).astype(u.dtype)
        first = ((i + u[:, None]) * alpha).astype(xp.int64)
        seq[:, :-1] = first - (u * alpha).astype(xp.int64)[:, None]
    if out > 0:
        seq[:, -1] = size - k
    return seq


# which column of a plane's samples drives each spatial dim: ATen's 2-d kernel reads
# [0] for the width and [1] for the height, its 3-d kernel [0] T, [1] H, [2] W
_SAMPLE_COLUMN = {2: (1, 0), 3: (0, 1, 2)}


class _FractionalMaxPool(Op):
    """``(out, indices)``: the max of each window and its flat position in the plane."""

    @staticmethod
    def forward(ctx, x, kernel, out, samples):
        nd = len(kernel)
        lead, spatial = x.shape[: x.ndim - nd], x.shape[x.ndim - nd :]
        planes = math.prod(lead)
        batch = lead[0] if len(lead) == 2 else 1
        u = samples[:batch].reshape(planes, nd)
        n_out, n_k = math.prod(out), math.prod(kernel)
        corner = xp.zeros((), dtype=xp.int64)
        idx = corner
        for d in range(nd):
            start = _intervals(u[:, _SAMPLE_COLUMN[nd][d]], spatial[d], out[d], kernel[d])
            start = start.reshape((planes,) + tuple(out[d] if j == d else 1 for j in range(nd)))
            corner = corner * spatial[d] + start
            shift = xp.arange(max(kernel[d], 0)).reshape(
                tuple(max(kernel[d], 0) if j == d else 1 for j in range(nd))
            )
            idx = idx * spatial[d] + (start.reshape(start.shape + (1,) * nd) + shift)
        if any(k <= 0 for k in kernel):
            # ATen does not reject an empty window: its loop never runs, leaving -inf at the
            # window's corner
            values = xp.full((planes, n_out), -xp.inf, dtype=x.dtype)
            indices = xp.broadcast_to(corner, (planes,) + tuple(out)).reshape(planes, n_out).copy()
        else:
            idx = xp.broadcast_to(idx, (planes,) + tuple(out) + tuple(kernel))
            idx = idx.reshape(planes, n_out, n_k)
            windows = xp.take_along_axis(x.reshape(planes, -1), idx.reshape(planes, -1), axis=1)
            windows = windows.reshape(planes, n_out, n_k)
            # ATen keeps the first strict maximum in window order, but any NaN takes over, so
            # the last NaN wins
            arg = xp.argmax(windows, axis=-1)
            if windows.dtype.kind == "f" and windows.size:
                nan = xp.isnan(windows)
                if nan.any():
                    last = n_k - 1 - xp.argmax(nan[..., ::-1], axis=-1)
                    arg = xp.where(nan.any(axis=-1), last, arg)
            values = xp.take_along_axis(windows, arg[..., None], axis=-1)[..., 0]
            indices = xp.take_along_axis(idx, arg[..., None], axis=-1)[..., 0]
        shape = lead + tuple(out)
        ctx.indices, ctx.in_shape, ctx.nd = indices.reshape(shape), x.shape, nd
        return values.reshape(shape), ctx.indices

    @staticmethod
    def backward(ctx, grad, _grad_indices=None):
        return _BACKWARD[ctx.nd].apply(grad, ctx.indices, ctx.in_shape, ctx.nd)


class FractionalMaxPool2D(_FractionalMaxPool):
    pass


class FractionalMaxPool3D(_FractionalMaxPool):
    pass


class FractionalMaxPool2DBackward(_MaxPoolBackward):
    """Scatter to the argmax positions (in output order, as ATen); its backward gathers."""


class FractionalMaxPool3DBackward(_MaxPoolBackward):
    pass


_FORWARD = {2: FractionalMaxPool2D, 3: FractionalMaxPool3D}
_BACKWARD = {2: FractionalMaxPool2DBackward, 3: FractionalMaxPool3DBackward}
_DIM_NAMES = {2: ("height", "width"), 3: ("time", "height", "width")}


def _sizes(t) -> str:
    return "[" + ", ".join(map(str, t.shape)) + "]"


def _check_fractional(nd, input, kernel, out, samples):
    """ATen's checks, in its order: the meta function's, then the samples'."""
    # (no kernel > 0 check: PyTorch's CPU op has none, and gives -inf for empty windows)
    name = f"fractional_max_pool{nd}d"
    ndims = input.dim()
    where = f"{name}()" if nd == 2 else f"{name}_out()"
    if ndims not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {_sizes(input)}"
        )
    for i in range(1, ndims):
        if input.shape[i] == 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{_sizes(input)} with dimension {i} being empty."
            )
    spatial = input.shape[ndims - nd :]
    # ATen checks T, W, H for 3-d and H, W for 2-d; the 3-d bound is strict there
    order = (0, 2, 1) if nd == 3 else (0, 1)
    for d in order:
        too_large = (
            out[d] + kernel[d] - 1 > spatial[d]
            if nd == 2
            else not (kernel[d] <= spatial[d] and out[d] + kernel[d] - 1 < spatial[d])
        )
        if too_large:
            dim = _DIM_NAMES[nd][d]
            raise RuntimeError(
                f"{where}: pool {dim} {kernel[d]} too large relative to input {dim} {spatial[d]}"
            )
    if samples.dtype is not input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch, channels = (1, input.shape[0]) if ndims == nd + 1 else input.shape[:2]
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != channels:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )


def _fractional(nd, input, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{nd}d"
    tup = _pair if nd == 2 else _triple
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # PyTorch's 2-d form takes len() of the ratio first (a bare float is a TypeError there)
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = tup(output_ratio)
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    if _random_samples is None:
        from ..ops.creation import rand

        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype)
    kernel, out = tuple(tup(kernel_size)), tuple(int(o) for o in tup(output_size))
    if len(kernel) != nd:
        raise RuntimeError(
            f"{name}: kernel_size must either be a single Int or tuple of "
            + ("Ints" if nd == 2 else "three Ints")
        )
    if len(out) != nd:
        raise RuntimeError(
            f"{name}: output_size must either be a single Int or tuple of "
            + ("Ints" if nd == 2 else "three Ints")
        )
    _check_fractional(nd, input, kernel, out, _random_samples)
    # the samples go in as an array: PyTorch's node has no edge for them
    return _FORWARD[nd].apply(input, kernel, out, _random_samples._data)


def fractional_max_pool2d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """``(output, indices)`` of 2-d fractional max pooling, as PyTorch's."""
    return _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """Max over pseudo-random windows that shrink ``(H, W)`` to ``output_size`` (or
    ``output_ratio`` of it), as torch.nn.functional.fractional_max_pool2d.

    >>> x = numtorch.arange(16.).view(1, 1, 4, 4)
    >>> numtorch.nn.functional.fractional_max_pool2d(x, 2, output_size=1)
    tensor([[[[15.]]]])
    """
    result = _fractional(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return result if return_indices else result[0]


def fractional_max_pool3d_with_indices(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """``(output, indices)`` of 3-d fractional max pooling, as PyTorch's."""
    return _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(
    input,
    kernel_size,
    output_size=None,
    output_ratio=None,
    return_indices=False,
    _random_samples=None,
):
    """3-d fractional max pooling over ``(T, H, W)``, as torch.nn.functional.fractional_max_pool3d.

    >>> x = numtorch.arange(27.).view(1, 1, 3, 3, 3)
    >>> numtorch.nn.functional.fractional_max_pool3d(x, 2, output_size=1)
    tensor([[[[[26.]]]]])
    """
    result = _fractional(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return result if return_indices else result[0]


# -- CrossMapLRN2d ------------------------------------------------------------------------------

_OUT_GRAD = (
    "mul(): functions with out=... arguments don't support automatic differentiation, but one "
    "of the arguments requires grad."
)


class CrossMapLRN2dOp(Op):
    """PyTorch's legacy ``CrossMapLRN2d`` autograd function, step for step: a running sum of
    squares over channels (its window bookkeeping included, which is not quite centred), then
    ``x * (k + alpha / size * sum) ** -beta``; the backward is its hand-written formula, and
    like PyTorch's it cannot be differentiated again."""

    node_name = "CrossMapLRN2dBackward"

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        dt = x.dtype.type
        channels = x.shape[1]
        square = x * x
        pre_pad = int((size - 1) / 2 + 1)
        scale = xp.empty_like(x)
        first = xp.zeros_like(x[:, 0])
        for c in range(min(pre_pad, channels)):
            first += square[:, c]
        scale[:, 0] = first
        for c in range(1, channels):
            current = scale[:, c - 1].copy()
            if c < channels - pre_pad + 1:
                current += square[:, c + pre_pad - 1]
            if c > pre_pad:
                current -= square[:, c - pre_pad]
            scale[:, c] = current
        scale *= dt(alpha / size)
        scale += dt(k)
        out = xp.power(scale, dt(-beta)) * x
        ctx.arrays, ctx.args = (x, out, scale), (size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, grad):
        if STATE.grad_enabled:  # create_graph: PyTorch's backward writes through out=
            raise RuntimeError(_OUT_GRAD)
        x, out, scale = ctx.arrays
        size, alpha, beta = ctx.args
        g = grad._data
        dt = x.dtype.type
        channels = x.shape[1]
        grad_input = xp.power(scale, dt(-beta)) * g
        inverse_pre_pad = int(size - (size - 1) / 2)
        padded = xp.zeros((x.shape[0], channels + size - 1) + x.shape[2:], dtype=x.dtype)
        padded[:, inverse_pre_pad : inverse_pre_pad + channels] = g * out / scale
        accum = padded[:, : size - 1].sum(axis=1)
        cache = dt(2 * alpha * beta / size)
        for c in range(channels):
            accum += padded[:, c + size - 1]
            grad_input[:, c] += -cache * x[:, c] * accum
            accum -= padded[:, c]
        return make(grad_input)
