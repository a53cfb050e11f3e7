"""Convolution paths against a plain NumPy reference: the general im2col path and the
row-shift paths for stride 1 (transposed convolution / input gradient), the im2col matrix
kept from forward for the weight gradient, and a second backward that must make it again."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as F
from numtorch.ops import conv


def _reference_conv(x, w, padding, dilation, stride=(1, 1)):
    x = np.pad(x, [(0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2])
    n, _, h, wd = x.shape
    o, _, kh, kw = w.shape
    oh = (h - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    ow = (wd - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    out = np.zeros((n, o, oh, ow))
    for i, j in itertools.product(range(kh), range(kw)):
        patch = x[
            :,
            :,
            i * dilation[0] : i * dilation[0] + stride[0] * (oh - 1) + 1 : stride[0],
            j * dilation[1] : j * dilation[1] + stride[1] * (ow - 1) + 1 : stride[1],
        ]
        out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out


def _configs():
    rng = np.random.default_rng(0)
    for _ in range(25):
        kh, kw = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        dilation = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
        padding = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
        stride = (1, 1) if rng.random() < 0.7 else (int(rng.integers(1, 3)), 2)
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(5, 9)), 7)
        yield rng, shape, (int(rng.integers(1, 4)), shape[1], kh, kw), padding, dilation, stride


def test_conv2d_values_and_gradients_against_reference():
    for rng, xs, ws, padding, dilation, stride in _configs():
        x = rng.standard_normal(xs)
        w = rng.standard_normal(ws)
        expected = _reference_conv(x, w, padding, dilation, stride)
        tx = numtorch.tensor(x, requires_grad=True)
        tw = numtorch.tensor(w, requires_grad=True)
        out = F.conv2d(tx, tw, None, stride, padding, dilation)
        np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-10)
        g = rng.standard_normal(expected.shape)
        out.backward(numtorch.tensor(g), retain_graph=True)
        # the adjoint identities: <conv(x), g> is linear in x and in w
        eps = 1e-6
        dx = rng.standard_normal(xs)
        dw = rng.standard_normal(ws)
        numeric_x = _reference_conv(x + eps * dx, w, padding, dilation, stride) - expected
        numeric_w = _reference_conv(x, w + eps * dw, padding, dilation, stride) - expected
        np.testing.assert_allclose(
            (tx.grad.numpy() * dx).sum(), (numeric_x * g).sum() / eps, rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            (tw.grad.numpy() * dw).sum(), (numeric_w * g).sum() / eps, rtol=1e-5, atol=1e-6
        )
        first = (tx.grad.clone(), tw.grad.clone())
        out.backward(numtorch.tensor(g))  # the kept im2col matrix was used once: made again
        np.testing.assert_allclose(tx.grad.numpy(), 2 * first[0].numpy(), rtol=1e-12)
        np.testing.assert_allclose(tw.grad.numpy(), 2 * first[1].numpy(), rtol=1e-12)


@pytest.mark.parametrize("output_padding", [0, 1])
def test_stride_one_transposed_convolution_against_reference_col2im(output_padding):
    rng = np.random.default_rng(1)
    for kh, kw, dh, dw, ph, pw in itertools.product((1, 3), (2, 3), (1, 2), (2,), (0, 2), (1,)):
        if output_padding >= max(dh, dw):
            continue
        x = rng.standard_normal((2, 3, 5, 6))
        w = rng.standard_normal((3, 4, kh, kw))
        size = conv.transposed_out_size(
            x.shape[2:], w.shape[2:], (1, 1), (ph, pw), (dh, dw), (output_padding,) * 2
        )
        fast = conv._conv_transpose_rows(x, w, (ph, pw), (dh, dw), size)
        if fast is None:  # the output reaches past the padded input: the general path runs
            assert output_padding > ph or output_padding > pw
            continue
        cols = np.einsum(
            "ock,nol->nckl", w.reshape(3, 4, -1), x.reshape(2, 3, -1)
        )  # (n, c, k, L): the adjoint of im2col, summed back by a reference col2im
        ref = np.zeros((2, 4, size[0] + 2 * ph, size[1] + 2 * pw))
        for k, (i, j) in enumerate(itertools.product(range(kh), range(kw))):
            block = cols[:, :, k].reshape(2, 4, 5, 6)
            ref[:, :, i * dh : i * dh + 5, j * dw : j * dw + 6] += block
        ref = ref[:, :, ph : ph + size[0], pw : pw + size[1]]
        np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_stride_one_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 2)).astype(np.float32)
    for kwargs in ({}, {"padding": 1}, {"dilation": 2, "padding": (2, 1), "output_padding": 1}):
        ours = F.conv_transpose2d(numtorch.tensor(x), numtorch.tensor(w), **kwargs)
        ref = torch.nn.functional.conv_transpose2d(torch.tensor(x), torch.tensor(w), **kwargs)
        np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "kernel, stride, dilation, padding, groups",
    [
        ((5, 5), (1, 1), (1, 1), (2, 2), 1),
        ((3, 2), (2, 1), (1, 2), (1, 0), 2),
        ((2, 3), (1, 3), (2, 1), (0, 1), 3),
        ((1, 4), (2, 2), (1, 1), (0, 0), 1),
    ],
)
def test_two_copy_im2col_equals_the_patches(kernel, stride, dilation, padding, groups):
    # _columns builds a 2-d im2col in two copies (column shifts, then row shifts): every
    # entry must be the patch value it stands for, also for a smaller output grid (``out``)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 6, 9, 8)).astype(np.float32)
    padded = np.pad(x, [(0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2])
    cols, out = conv._columns(x, kernel, stride, padding, dilation, groups)
    for grid in (out, (max(out[0] - 1, 1), max(out[1] - 2, 1))):
        if grid != out:
            cols, _ = conv._columns(x, kernel, stride, padding, dilation, groups, grid)
        cg = 6 // groups
        expected = np.empty((groups, cg, *kernel, 2, *grid), np.float32)
        for g, c, i, j in itertools.product(range(groups), range(cg), *map(range, kernel)):
            rows = slice(
                i * dilation[0], i * dilation[0] + stride[0] * (grid[0] - 1) + 1, stride[0]
            )
            columns = slice(
                j * dilation[1], j * dilation[1] + stride[1] * (grid[1] - 1) + 1, stride[1]
            )
            expected[g, c, i, j] = padded[:, g * cg + c, rows, columns]
        assert np.array_equal(cols, expected.reshape(groups, -1, 2 * grid[0] * grid[1]))
