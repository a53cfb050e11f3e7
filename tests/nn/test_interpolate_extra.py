"""Bicubic and anti-aliased interpolation (``numtorch.nn._interpolate_extra``): values,
gradients of first and second order, grad_fn names and errors, against PyTorch when installed.

float32 matches PyTorch's AVX2 CPU kernels bit for bit; the comparisons allow a few float32
roundings so other CPU builds (other fused multiply-add choices) pass too."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from numtorch.nn import _interpolate_extra as E

RNG = np.random.default_rng(0)

KINDS = [("bicubic", False), ("bicubic", True), ("bilinear", True)]

# (input H, W), size, scale_factor
CASES = [
    ((5, 7), (9, 13), None),
    ((8, 8), (3, 5), None),
    ((4, 6), None, (2.5, 1.7)),
    ((10, 9), None, (0.3, 0.45)),
    ((6, 5), (6, 5), None),
    ((3, 4), (1, 1), None),
    ((7, 7), None, (1.0001, 3.3)),
    ((1, 1), (4, 3), None),
    ((2, 1), (5, 1), None),
    ((40, 33), (7, 11), None),
    ((64, 48), None, (0.25, 0.4)),
    ((17, 19), (17, 5), None),
    ((20, 20), None, (1.0, 0.5)),
    ((9, 12), None, 2),
    ((30, 31), 8, None),
]

TOL = {np.float32: (2e-6, 2e-6), np.float64: (1e-13, 1e-13)}


def _torch():
    return pytest.importorskip("torch")


def _pair(mode, aa, x, **kw):
    """(numtorch result, torch result) as arrays."""
    torch = _torch()
    ours = E.interpolate(numtorch.from_numpy(x), mode=mode, antialias=aa, **kw).numpy()
    ref = torch.nn.functional.interpolate(torch.from_numpy(x), mode=mode, antialias=aa, **kw)
    return ours, ref.numpy()


@pytest.mark.parametrize(("mode", "aa"), KINDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(("shape", "size", "scale"), CASES)
def test_values_match_torch(mode, aa, dtype, align, shape, size, scale):
    x = RNG.standard_normal((2, 3, *shape)).astype(dtype)
    for recompute in (None, True) if scale is not None else (None,):
        ours, ref = _pair(
            mode,
            aa,
            x,
            size=size,
            scale_factor=scale,
            align_corners=align,
            recompute_scale_factor=recompute,
        )
        assert ours.shape == ref.shape and ours.dtype == ref.dtype
        if aa and ours.shape[3] == 1 and ours.shape[2] != shape[0]:
            continue  # PyTorch's aa height pass repeats output row 0 there (see below)
        rtol, atol = TOL[dtype]
        np.testing.assert_allclose(ours, ref, rtol=rtol, atol=atol)


@pytest.mark.parametrize(("mode", "aa"), KINDS)
def test_large_downscale_matches_torch(mode, aa):
    # wide anti-aliasing windows (tens of taps) and a batch of images
    x = RNG.standard_normal((3, 2, 97, 130)).astype(np.float32) * 10
    ours, ref = _pair(mode, aa, x, size=(9, 7))
    np.testing.assert_allclose(ours, ref, rtol=2e-6, atol=2e-5)


def test_half_bicubic_matches_torch():
    x = RNG.standard_normal((2, 3, 5, 7)).astype(np.float16)
    ours, ref = _pair("bicubic", False, x, size=(9, 4))
    assert ours.dtype == np.float16
    np.testing.assert_allclose(ours.astype(np.float64), ref, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(("mode", "aa"), KINDS)
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize(("size", "scale"), [((4, 13), None), (None, (0.6, 1.9))])
def test_gradients_match_torch(mode, aa, align, size, scale):
    torch = _torch()
    x = RNG.standard_normal((2, 3, 6, 9))
    kw = dict(size=size, scale_factor=scale, mode=mode, antialias=aa, align_corners=align)
    xt = torch.tensor(x, requires_grad=True)
    xm = numtorch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.interpolate(xt, **kw)
    ym = E.interpolate(xm, **kw)
    g = RNG.standard_normal(tuple(yt.shape))
    gt = torch.tensor(g, requires_grad=True)
    gm = numtorch.tensor(g, requires_grad=True)
    (dt,) = torch.autograd.grad(yt, xt, gt, create_graph=True)
    (dm,) = numtorch.autograd.grad(ym, xm, gm, create_graph=True)
    np.testing.assert_allclose(dm.detach().numpy(), dt.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert type(dm.grad_fn).__name__ == type(dt.grad_fn).__name__
    h = RNG.standard_normal(x.shape)
    (ggt,) = torch.autograd.grad(dt, gt, torch.tensor(h))
    (ggm,) = numtorch.autograd.grad(dm, gm, numtorch.tensor(h))
    np.testing.assert_allclose(ggm.numpy(), ggt.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("mode", "aa"), KINDS)
def test_float32_gradient_matches_torch(mode, aa):
    torch = _torch()
    x = RNG.standard_normal((1, 2, 7, 5)).astype(np.float32)
    xt = torch.tensor(x, requires_grad=True)
    xm = numtorch.tensor(x, requires_grad=True)
    torch.nn.functional.interpolate(xt, size=(11, 3), mode=mode, antialias=aa).pow(
        2
    ).sum().backward()
    E.interpolate(xm, size=(11, 3), mode=mode, antialias=aa).pow(2).sum().backward()
    assert xm.grad.dtype == numtorch.float32
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("mode", "aa"), KINDS)
@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(4, 11), (9, 3)])
def test_gradcheck(mode, aa, align, size):
    x = numtorch.tensor(RNG.standard_normal((1, 2, 6, 7)), requires_grad=True)

    def fn(a):
        return E.interpolate(a, size=size, mode=mode, antialias=aa, align_corners=align)

    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize(
    ("mode", "aa", "names"),
    [
        ("bicubic", False, ("UpsampleBicubic2DBackward0", "UpsampleBicubic2DBackwardBackward0")),
        ("bicubic", True, ("UpsampleBicubic2DAaBackward0", "UpsampleBicubic2DAaBackwardBackward0")),
        (
            "bilinear",
            True,
            ("UpsampleBilinear2DAaBackward0", "UpsampleBilinear2DAaBackwardBackward0"),
        ),
    ],
)
def test_grad_fn_names(mode, aa, names):
    x = numtorch.randn(1, 1, 4, 5, requires_grad=True)
    y = E.interpolate(x, size=(3, 7), mode=mode, antialias=aa)
    assert type(y.grad_fn).__name__ == names[0]
    assert y.grad_fn.next_functions[0][0] is not None
    g = numtorch.randn(1, 1, 3, 7, requires_grad=True)
    (d,) = numtorch.autograd.grad(y, x, g, create_graph=True)
    assert type(d.grad_fn).__name__ == names[1]
    h = numtorch.ones(1, 1, 4, 5, requires_grad=True)
    (dd,) = numtorch.autograd.grad(d, g, h, create_graph=True)
    assert type(dd.grad_fn).__name__ == names[0]


@pytest.mark.parametrize(("mode", "aa"), KINDS)
@pytest.mark.parametrize("align", [False, True])
def test_constant_image_stays_constant(mode, aa, align):
    # all kinds' weights sum to 1 per output pixel (clamped borders included)
    x = numtorch.full((1, 2, 7, 9), 3.25, dtype=numtorch.float64)
    for size in [(3, 4), (13, 20), (7, 2)]:
        y = E.interpolate(x, size=size, mode=mode, antialias=aa, align_corners=align)
        np.testing.assert_allclose(y.numpy(), 3.25, rtol=1e-14)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_antialias_single_column_is_the_transposed_row(mode):
    # PyTorch 2.13's CPU kernel gives every output row the value of row 0 when the output has
    # one column and the height changes; numtorch computes the real resize, which is the same
    # as resizing the transposed image along its width
    x = numtorch.randn(2, 3, 6, 1, dtype=numtorch.float64)
    col = E.interpolate(x, size=(9, 1), mode=mode, antialias=True)
    row = E.interpolate(x.transpose(2, 3), size=(1, 9), mode=mode, antialias=True)
    np.testing.assert_array_equal(col.numpy(), row.transpose(2, 3).numpy())
    assert not np.allclose(col.numpy()[:, :, 1:], col.numpy()[:, :, :1])


def test_same_size_is_identity():
    x = numtorch.randn(2, 3, 5, 6)
    for mode, aa in KINDS:
        y = E.interpolate(x, size=(5, 6), mode=mode, antialias=aa)
        np.testing.assert_array_equal(y.numpy(), x.numpy())


def test_bicubic_upsample_known_values():
    # the 1-D Keys kernel (A = -0.75) at t = 0.25: -0.10546875, 0.87890625, 0.26171875, ...
    x = numtorch.tensor([[[[0.0, 0.0, 1.0, 0.0, 0.0, 0.0]]]])
    y = E.interpolate(x, size=(1, 21), mode="bicubic", align_corners=True)
    # output 9 sits at source 2.25: taps 1..4 hold 0, 1, 0, 0
    assert y[0, 0, 0, 9].item() == pytest.approx(0.87890625, abs=0)


def test_empty_batch():
    x = numtorch.randn(0, 3, 4, 5, requires_grad=True)
    for mode, aa in KINDS:
        y = E.interpolate(x, scale_factor=2, mode=mode, antialias=aa)
        assert tuple(y.shape) == (0, 3, 8, 10)


ANTIALIAS_MSG = (
    "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
    "4-D tensor as input"
)


def _dims_msg(ndim, mode):
    return (
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {ndim}D) for the modes: "
        "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
        f"(got {mode})"
    )


ERRORS = [
    (
        dict(shape=(2, 3, 4), scale_factor=2, mode="bicubic"),
        NotImplementedError,
        _dims_msg(3, "bicubic"),
    ),
    (
        dict(shape=(2, 3, 4, 4, 4), scale_factor=2, mode="bicubic"),
        NotImplementedError,
        _dims_msg(5, "bicubic"),
    ),
    (
        dict(shape=(2, 3, 4), scale_factor=2, mode="bilinear", antialias=True),
        ValueError,
        ANTIALIAS_MSG,
    ),
    (
        dict(shape=(2, 3, 4, 5), scale_factor=2, mode="nearest", antialias=True),
        ValueError,
        ANTIALIAS_MSG,
    ),
    (
        dict(shape=(2, 3, 0, 5), scale_factor=2, mode="bicubic"),
        RuntimeError,
        "Input and output sizes should be greater than 0, but got input (H: 0, W: 5) output "
        "(H: 0, W: 10)",
    ),
    (
        dict(shape=(2, 3, 4, 5), scale_factor=0.1, mode="bicubic", antialias=True),
        RuntimeError,
        "Input and output sizes should be greater than 0, but got input (H: 4, W: 5) output "
        "(H: 0, W: 0)",
    ),
    (
        dict(shape=(2, 0, 4, 5), scale_factor=2, mode="bilinear", antialias=True),
        RuntimeError,
        "Non-empty 4D data tensor expected but got a tensor with sizes [2, 0, 4, 5]",
    ),
    (
        dict(shape=(2, 3, 4, 5), size=(6, 7), recompute_scale_factor=True, mode="bicubic"),
        ValueError,
        "recompute_scale_factor is not meaningful with an explicit size.",
    ),
    (
        dict(shape=(2, 3, 4, 5), size=(6, 7), scale_factor=2, mode="bicubic"),
        ValueError,
        "only one of size or scale_factor should be defined",
    ),
    (
        dict(shape=(2, 3, 4, 5), mode="bicubic"),
        ValueError,
        "either size or scale_factor should be defined",
    ),
    (
        dict(shape=(2, 3, 4, 5), scale_factor=2.0, mode="bicubic", dtype="int64"),
        NotImplementedError,
        "\"compute_indices_weights_cubic\" not implemented for 'Long'",
    ),
    (
        dict(shape=(2, 3, 4, 5), scale_factor=2.0, mode="bilinear", antialias=True, dtype="bool"),
        NotImplementedError,
        "\"compute_index_ranges_weights\" not implemented for 'Bool'",
    ),
    (
        dict(shape=(2, 3, 4, 5), scale_factor=2.0, mode="bicubic", antialias=True, dtype="float16"),
        NotImplementedError,
        "\"compute_index_ranges_weights\" not implemented for 'Half'",
    ),
]


def _make(shape, dtype):
    data = RNG.standard_normal(shape)
    if dtype == "bool":
        return data > 0
    return data.astype(dtype)


@pytest.mark.parametrize(("kw", "exc", "msg"), ERRORS)
def test_errors(kw, exc, msg):
    kw = dict(kw)
    x = _make(kw.pop("shape"), kw.pop("dtype", "float32"))
    with pytest.raises(exc) as info:
        E.interpolate(numtorch.from_numpy(x), **kw)
    assert str(info.value) == msg


@pytest.mark.parametrize(("kw", "exc", "msg"), ERRORS)
def test_errors_match_torch(kw, exc, msg):
    torch = _torch()
    kw = dict(kw)
    x = _make(kw.pop("shape"), kw.pop("dtype", "float32"))
    with pytest.raises(exc) as info:
        torch.nn.functional.interpolate(torch.from_numpy(x), **kw)
    assert str(info.value) == msg


def test_resample_scales_argument():
    # resample() is what F.interpolate calls once sizes are known: scale factors reach ATen's
    # index arithmetic unless recomputed
    x = numtorch.randn(1, 1, 4, 6)
    a = E.resample(x, "bicubic", (10, 10), (2.5, 1.7), False)
    b = E.interpolate(x, scale_factor=(2.5, 1.7), mode="bicubic")
    c = E.resample(x, "bicubic", (10, 10), (None, None), False)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.array_equal(a.numpy(), c.numpy())


def test_public_interpolate_and_upsample_dispatch_bicubic_and_antialias():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal((2, 3, 7, 9)).astype(np.float32)
    for kwargs in (
        dict(scale_factor=2.0, mode="bicubic"),
        dict(size=(4, 5), mode="bicubic", align_corners=True),
        dict(size=(3, 4), mode="bilinear", antialias=True),
        dict(size=(3, 4), mode="bicubic", antialias=True),
    ):
        ours = numtorch.nn.functional.interpolate(numtorch.tensor(x), **kwargs)
        theirs = torch.nn.functional.interpolate(torch.tensor(x), **kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-5, atol=2e-6)
    up = numtorch.nn.Upsample(scale_factor=2, mode="bicubic")(numtorch.tensor(x))
    ref = torch.nn.Upsample(scale_factor=2, mode="bicubic")(torch.tensor(x))
    np.testing.assert_allclose(up.numpy(), ref.numpy(), rtol=1e-5, atol=2e-6)
    for lib in (numtorch, torch):
        with pytest.raises(ValueError, match="^recompute_scale_factor is not meaningful with an"):
            lib.nn.functional.interpolate(lib.ones(1, 1, 4, 4), size=3, recompute_scale_factor=True)
