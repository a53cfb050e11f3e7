"""Convolution (1-, 2- and 3-d, plain and transposed, grouped, strided, dilated) and
im2col / col2im (``unfold`` / ``fold``).

One op, ``Convolution``, covers every case, as PyTorch's ``ConvolutionBackward0`` does. Its
forward is im2col by stride tricks plus one (group-batched) BLAS matmul; a transposed
convolution is the adjoint: one matmul, then col2im, which adds back a strided slice per kernel
offset (a loop over the kernel, never over pixels or batch items).

Backward is written in ``Convolution`` itself, so gradients of gradients come free:
    grad_input  = the transposed convolution of grad with the same weight (and vice versa),
    grad_weight = a convolution of the input with grad as the kernel, stride and dilation
                  swapped, batch and channel axes exchanged.
"""

from __future__ import annotations

import itertools
import math

from numpy.lib.stride_tricks import as_strided

from ..autograd.function import Op
from ._common import xp


def _out_size(size, k, s, p, d):
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _pad(x, padding):
    if not any(padding):
        return x
    return xp.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])


def _columns(x, kernel, stride, padding, dilation, groups, out=None):
    """im2col: ``(N, C, *S)`` -> ``(groups, C / groups * prod(kernel), N * L)`` and the output
    grid (``out`` may ask for a smaller one)."""
    nd = x.ndim - 2
    x = _pad(x, padding)
    n, c = x.shape[:2]
    spatial = x.shape[2:]
    cg = c // groups
    if out is None:
        out = tuple(
            (spatial[i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(nd)
        )
    xg = x.reshape(n, groups, cg, *spatial)
    if nd == 2 and kernel[1] > 1:
        cols = _columns_2d(xg, kernel, stride, dilation, out)
        return cols.reshape(groups, cg * math.prod(kernel), n * math.prod(out)), tuple(out)
    st = xg.strides
    # (groups, cg, *kernel, n, *out): this order copies fastest (runs along the input's rows)
    cols = as_strided(
        xg,
        (groups, cg, *kernel, n, *out),
        (
            st[1],
            st[2],
            *(st[3 + i] * dilation[i] for i in range(nd)),
            st[0],
            *(st[3 + i] * stride[i] for i in range(nd)),
        ),
        writeable=False,
    )
    return cols.reshape(groups, cg * math.prod(kernel), n * math.prod(out)), tuple(out)


def _columns_2d(xg, kernel, stride, dilation, out):
    """The im2col of ``(N, groups, C/groups, H, W)`` as ``(groups, cg, kh, kw, N, oh, ow)``,
    in two copies. Copied straight from the image, each (kernel element, output row) is a
    run of ``ow`` values: one short inner loop per run. First the kernel's column shifts (``kw``
    copies of the needed rows, each cut to ``ow`` columns); in that buffer a row shift is a
    whole block of output rows, so the second copy runs ``oh * ow`` values at a time (2x
    faster for LeNet's second convolution)."""
    n, groups, cg = xg.shape[:3]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    rows = max((oh - 1) * sh + (kh - 1) * dh + 1, 0)
    s = xg.strides
    shifted = xp.empty((groups, cg, kw, n, rows, ow), dtype=xg.dtype)
    shifted[...] = as_strided(
        xg, shifted.shape, (s[1], s[2], s[4] * dw, s[0], s[3], s[4] * sw), writeable=False
    )
    t = shifted.strides
    cols = xp.empty((groups, cg, kh, kw, n, oh, ow), dtype=xg.dtype)
    cols[...] = as_strided(
        shifted, cols.shape, (t[0], t[1], t[4] * dh, t[2], t[3], t[4] * sh, t[5]), writeable=False
    )
    return cols


def _group_matmul(a, b):
    if a.shape[0] == 1:  # a plain 2-d GEMM (NumPy's stacked matmul is slower for one matrix)
        return xp.matmul(a[0], b[0])[None]
    return xp.matmul(a, b)


def conv_forward(x, w, stride, padding, dilation, groups, columns=None, bias=None):
    """``(N, C, *S)`` conv ``(O, C/groups, *K)``: im2col as a strided view, one matmul.
    ``columns`` may bring the im2col of ``x`` (``_columns``) already made; ``bias`` is added
    in the copy that puts the product in (N, O, ...) order."""
    n = x.shape[0]
    o = w.shape[0]
    cols, out = columns or _columns(x, w.shape[2:], stride, padding, dilation, groups)
    y = _group_matmul(w.reshape(groups, o // groups, -1), cols)  # (groups, o / groups, n * L)
    y = y.reshape(groups, o // groups, n, math.prod(out)).transpose(2, 0, 1, 3)
    if bias is None:
        return xp.ascontiguousarray(y).reshape(n, o, *out)
    result = xp.empty((n, groups, o // groups, math.prod(out)), dtype=y.dtype)
    xp.add(y, bias.reshape(groups, o // groups, 1), out=result)
    return result.reshape(n, o, *out)


def conv_weight_grad(x, grad, kernel, stride, padding, dilation, groups, columns=None):
    """d(conv(x, w))/dw applied to ``grad``: ``grad`` rows times the im2col columns of x
    (``columns``, when forward kept them)."""
    n, o = grad.shape[:2]
    out = grad.shape[2:]
    if columns is None or columns[1] != tuple(out):
        columns = _columns(x, kernel, stride, padding, dilation, groups, out)
    cols = columns[0]
    gm = grad.reshape(n, groups, o // groups, math.prod(out)).transpose(1, 2, 0, 3)
    gm = gm.reshape(groups, o // groups, n * math.prod(out))
    gw = _group_matmul(gm, cols.transpose(0, 2, 1))  # (groups, o / groups, cg * K)
    return gw.reshape(o, -1, *kernel)


def _conv_transpose_rows(x, w, padding, dilation, out_spatial):
    """``conv_transpose_forward`` for 2-d, stride 1, one group, or None if the output reaches
    past the padded input. col2im in two passes of long runs instead of one pass per kernel
    element: ``x`` is laid on the (N, OH, W) grid of the padded input's rows (zero where a
    window would run off a row), so that the kernel's columns are shifts along that flat
    grid and its rows are shifts by whole image rows."""
    n, o, oh, ow = x.shape
    _, c, kh, kw = w.shape
    dh, dw = dilation
    height, width = oh + dh * (kh - 1), ow + dw * (kw - 1)
    if any(padding[i] + out_spatial[i] > (height, width)[i] for i in range(2)):
        return None
    # each buffer starts as its first shifted copy, zero only where no copy lands
    grid = xp.empty((o, n, oh, width), dtype=x.dtype)
    grid[:, :, :, :ow] = x.transpose(1, 0, 2, 3)
    grid[:, :, :, ow:] = 0
    positions = n * oh * width
    cols = xp.matmul(w.reshape(o, c * kh * kw).T, grid.reshape(o, positions))
    cols = cols.reshape(c * kh, kw, positions)
    rows = xp.empty((c * kh, positions + dw * (kw - 1)), dtype=cols.dtype)
    rows[:, :positions] = cols[:, 0]
    rows[:, positions:] = 0
    for j in range(1, kw):
        rows[:, j * dw : j * dw + positions] += cols[:, j]
    rows = rows[:, :positions].reshape(c, kh, n, oh, width)
    out = xp.empty((n, c, height, width), dtype=cols.dtype)
    out[:, :, :oh, :] = rows[:, 0].transpose(1, 0, 2, 3)
    out[:, :, oh:, :] = 0
    for i in range(1, kh):
        out[:, :, i * dh : i * dh + oh, :] += rows[:, i].transpose(1, 0, 2, 3)
    crop = tuple(slice(padding[i], padding[i] + out_spatial[i]) for i in range(2))
    return xp.ascontiguousarray(out[(slice(None), slice(None)) + crop])


def conv_transpose_forward(x, w, stride, padding, dilation, groups, out_spatial):
    """The adjoint of ``conv_forward`` in its input: ``(N, O, *L)`` with weight
    ``(O, C/groups, *K)`` gives ``(N, C, *out_spatial)``. One matmul, then col2im."""
    if x.ndim == 4 and groups == 1 and tuple(stride) == (1, 1) and x.shape[0] * x.shape[1]:
        y = _conv_transpose_rows(x, w, padding, dilation, out_spatial)
        if y is not None:
            return y
    nd = x.ndim - 2
    n, o = x.shape[:2]
    inner = x.shape[2:]
    cg = w.shape[1]
    kernel = w.shape[2:]
    og = o // groups
    xm = x.reshape(n, groups, og, math.prod(inner)).transpose(1, 2, 0, 3)
    xm = xm.reshape(groups, og, n * math.prod(inner))
    wm = w.reshape(groups, og, cg * math.prod(kernel))
    cols = xp.matmul(wm.transpose(0, 2, 1), xm).reshape(groups, cg, *kernel, n, *inner)
    padded = tuple(out_spatial[i] + 2 * padding[i] for i in range(nd))
    buf = xp.zeros((groups, cg, n, *padded), dtype=cols.dtype)
    for k in itertools.product(*map(range, kernel)):
        key = tuple(
            slice(
                k[i] * dilation[i], k[i] * dilation[i] + stride[i] * (inner[i] - 1) + 1, stride[i]
            )
            for i in range(nd)
        )
        buf[(slice(None), slice(None), slice(None)) + key] += cols[(slice(None), slice(None)) + k]
    crop = tuple(slice(p, p + s) for p, s in zip(padding, out_spatial, strict=True))
    buf = buf[(slice(None), slice(None), slice(None)) + crop]
    return xp.ascontiguousarray(buf.transpose(2, 0, 1, *range(3, 3 + nd))).reshape(
        n, groups * cg, *out_spatial
    )


def transposed_out_size(inner, kernel, stride, padding, dilation, output_padding):
    return tuple(
        (inner[i] - 1) * stride[i]
        - 2 * padding[i]
        + dilation[i] * (kernel[i] - 1)
        + output_padding[i]
        + 1
        for i in range(len(inner))
    )


class Convolution(Op):
    """``convolution(input, weight, bias, stride, padding, dilation, transposed,
    output_padding, groups)`` on batched input, as ``at::convolution``."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, w, b, stride, padding, dilation, transposed, output_padding, groups):
        if transposed:
            size = transposed_out_size(
                x.shape[2:], w.shape[2:], stride, padding, dilation, output_padding
            )
            y = conv_transpose_forward(x, w, stride, padding, dilation, groups, size)
        else:
            columns = _columns(x, w.shape[2:], stride, padding, dilation, groups)
            y = conv_forward(x, w, stride, padding, dilation, groups, columns, b)
            if ctx.needs_input_grad and ctx.needs_input_grad[1]:
                # the weight's gradient multiplies by the same im2col matrix: keep it (a
                # copy of the input per kernel element) rather than copy it out again
                ctx.columns = columns
        if b is not None and transposed:
            y += b.reshape((-1,) + (1,) * (x.ndim - 2))
        ctx.args = stride, padding, dilation, transposed, output_padding, groups
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(x if needs[1] else None, w if needs[0] or needs[1] else None)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        stride, padding, dilation, transposed, output_padding, groups = ctx.args
        needs = ctx.needs_input_grad
        nd = grad.ndim - 2
        in_shape = ctx._input_meta[0][0]
        gx = gw = gb = None
        if needs[0]:
            if transposed:
                gx = Convolution.apply(
                    grad, w, None, stride, padding, dilation, False, (0,) * nd, groups
                )
            else:
                # the output_padding that gives back the input's exact size
                size = transposed_out_size(
                    grad.shape[2:], w.shape[2:], stride, padding, dilation, (0,) * nd
                )
                extra = tuple(a - b for a, b in zip(in_shape[2:], size, strict=True))
                gx = Convolution.apply(
                    grad, w, None, stride, padding, dilation, True, extra, groups
                )
        if needs[1]:
            if transposed:
                gw = weight_grad(grad, x, w.shape, stride, padding, dilation, groups)
            else:
                # used once: a second backward (retain_graph) makes the columns again
                columns = ctx.__dict__.pop("columns", None)
                gw = weight_grad(x, grad, w.shape, stride, padding, dilation, groups, columns)
        if len(needs) > 2 and needs[2]:
            gb = grad.sum([0, *range(2, 2 + nd)])
        return gx, gw, gb


class ConvolutionBackwardWeight(Op):
    """``conv_weight_grad(x, grad)``: bilinear, so its own backward is two convolutions."""

    tensor_args = 2

    @staticmethod
    def forward(ctx, x, grad, kernel, stride, padding, dilation, groups, columns=None):
        ctx.args = kernel, stride, padding, dilation, groups
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, grad)
        return conv_weight_grad(x, grad, kernel, stride, padding, dilation, groups, columns)

    @staticmethod
    def backward(ctx, ggw):
        x, grad = ctx.saved_tensors
        kernel, stride, padding, dilation, groups = ctx.args
        needs = ctx.needs_input_grad
        nd = len(kernel)
        gx = ggrad = None
        if needs[0]:
            size = transposed_out_size(grad.shape[2:], kernel, stride, padding, dilation, (0,) * nd)
            extra = tuple(a - b for a, b in zip(x.shape[2:], size, strict=True))
            gx = Convolution.apply(grad, ggw, None, stride, padding, dilation, True, extra, groups)
        if needs[1]:
            ggrad = Convolution.apply(
                x, ggw, None, stride, padding, dilation, False, (0,) * nd, groups
            )
            if tuple(ggrad.shape[2:]) != tuple(grad.shape[2:]):
                ggrad = ggrad[
                    (slice(None), slice(None)) + tuple(slice(0, k) for k in grad.shape[2:])
                ]
        return gx, ggrad


def weight_grad(x, grad, wshape, stride, padding, dilation, groups, columns=None):
    return ConvolutionBackwardWeight.apply(
        x, grad, tuple(wshape[2:]), stride, padding, dilation, groups, columns
    )


# -- unfold / fold --------------------------------------------------------------------------


def im2col(x, kernel, dilation, padding, stride):
    """``(N, C, H, W)`` -> ``(N, C * kh * kw, L)``, as torch.nn.functional.unfold."""
    x = _pad(x, padding)
    n, c, h, w = x.shape
    out = tuple(
        (x.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(2)
    )
    st = x.strides
    view = as_strided(
        x,
        (n, c, *kernel, *out),
        (
            st[0],
            st[1],
            st[2] * dilation[0],
            st[3] * dilation[1],
            st[2] * stride[0],
            st[3] * stride[1],
        ),
        writeable=False,
    )
    return view.reshape(n, c * math.prod(kernel), math.prod(out))


def col2im(cols, output_size, kernel, dilation, padding, stride):
    """The adjoint of ``im2col``: sums each column back where it came from."""
    n = cols.shape[0]
    c = cols.shape[1] // math.prod(kernel)
    out = tuple(
        (output_size[i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1
        for i in range(2)
    )
    cols = cols.reshape(n, c, *kernel, *out)
    buf = xp.zeros((n, c, *(output_size[i] + 2 * padding[i] for i in range(2))), cols.dtype)
    for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
        buf[
            :,
            :,
            i * dilation[0] : i * dilation[0] + stride[0] * (out[0] - 1) + 1 : stride[0],
            j * dilation[1] : j * dilation[1] + stride[1] * (out[1] - 1) + 1 : stride[1],
        ] += cols[:, :, i, j]
    return xp.ascontiguousarray(
        buf[
            :, :, padding[0] : padding[0] + output_size[0], padding[1] : padding[1] + output_size[1]
        ]
    )


class Im2Col(Op):
    @staticmethod
    def forward(ctx, x, kernel, dilation, padding, stride):
        ctx.args = x.shape[2:], kernel, dilation, padding, stride
        return im2col(x, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, grad):
        return Col2Im.apply(grad, *ctx.args)


class Col2Im(Op):
    @staticmethod
    def forward(ctx, cols, output_size, kernel, dilation, padding, stride):
        ctx.args = kernel, dilation, padding, stride
        return col2im(cols, output_size, kernel, dilation, padding, stride)

    @staticmethod
    def backward(ctx, grad):
        return Im2Col.apply(grad, *ctx.args)


__all__ = ["Convolution", "Im2Col", "Col2Im", "conv_forward", "conv_transpose_forward"]
