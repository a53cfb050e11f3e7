"""Convolution, pooling, normalisation, dropout, embedding, recurrent, attention and resampling
layers: against PyTorch (weights copied across; outputs, grad_fn names and gradients), against
finite differences (float64 gradcheck, and gradgradcheck where the op has a double backward),
default initialisation bit for bit under the same seed, and running statistics."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn as nn
import numtorch.nn.functional as F
from numtorch.autograd import gradcheck, gradgradcheck


def _np(t):
    return np.asarray(t.detach().numpy())


def _torch():
    return pytest.importorskip("torch")


def _copy_params(ours, theirs):
    torch = _torch()
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    with torch.no_grad():
        for name, p in ours_sd.items():
            theirs_sd[name].copy_(torch.from_numpy(np.array(p.numpy())))


# (constructor as text, input shapes, eval mode): evaluated with nn = numtorch.nn / torch.nn
MODULES = [
    ("nn.Conv1d(3, 4, 3)", [(2, 3, 9)], False),
    ("nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2, bias=False)", [(2, 4, 11)], 0),
    ("nn.Conv1d(3, 2, 4, padding='same')", [(2, 3, 8)], False),
    ("nn.Conv2d(1, 6, 5)", [(2, 1, 12, 12)], False),
    (
        "nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2)",
        [(2, 4, 9, 8)],
        False,
    ),
    ("nn.Conv2d(3, 4, 3, padding='same', padding_mode='reflect')", [(2, 3, 6, 7)], False),
    ("nn.Conv2d(3, 4, 3, padding=1, padding_mode='circular')", [(2, 3, 5, 5)], False),
    ("nn.Conv2d(3, 4, 3, padding=2, padding_mode='replicate', bias=False)", [(1, 3, 5, 4)], 0),
    ("nn.Conv2d(2, 3, 3, padding='valid')", [(2, 5, 5)], False),  # unbatched
    ("nn.Conv2d(3, 3, 3, groups=3, padding=1)", [(2, 3, 6, 6)], False),  # depthwise
    ("nn.Conv3d(2, 3, 2, stride=(1, 2, 1), padding=1)", [(2, 2, 4, 5, 4)], False),
    ("nn.ConvTranspose1d(3, 4, 3, stride=2, output_padding=1)", [(2, 3, 5)], False),
    ("nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1)", [(2, 4, 5, 4)], 0),
    (
        "nn.ConvTranspose2d(4, 6, (3, 2), stride=(1, 3), groups=2, dilation=(2, 1), bias=False)",
        [(2, 4, 4, 3)],
        False,
    ),
    ("nn.ConvTranspose3d(2, 3, 2, stride=2)", [(1, 2, 3, 2, 3)], False),
    ("nn.MaxPool1d(3, stride=2, padding=1)", [(2, 3, 10)], False),
    ("nn.MaxPool2d(2)", [(2, 3, 8, 8)], False),
    (
        "nn.MaxPool2d((3, 2), stride=(2, 1), padding=1, dilation=(1, 2), ceil_mode=True)",
        [(2, 3, 9, 8)],
        False,
    ),
    ("nn.MaxPool2d(3, 2, ceil_mode=True)", [(3, 8, 9)], False),  # unbatched
    ("nn.MaxPool3d(2, padding=1)", [(1, 2, 4, 5, 3)], False),
    ("nn.AvgPool1d(3, stride=2, padding=1, count_include_pad=False)", [(2, 3, 10)], False),
    ("nn.AvgPool2d(2)", [(2, 3, 8, 8)], False),
    (
        "nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)",
        [(2, 3, 8, 9)],
        False,
    ),
    ("nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)", [(2, 3, 8, 9)], False),
    ("nn.AvgPool2d((2, 3), divisor_override=4)", [(2, 2, 6, 7)], False),
    ("nn.AvgPool3d(2, stride=1)", [(1, 2, 3, 4, 3)], False),
    ("nn.AdaptiveAvgPool1d(4)", [(2, 3, 10)], False),
    ("nn.AdaptiveAvgPool2d((3, 4))", [(2, 3, 7, 10)], False),
    ("nn.AdaptiveAvgPool2d(1)", [(2, 3, 5, 5)], False),
    ("nn.AdaptiveAvgPool2d((None, 2))", [(2, 3, 5, 5)], False),
    ("nn.AdaptiveAvgPool3d(2)", [(1, 2, 3, 5, 4)], False),
    ("nn.AdaptiveMaxPool1d(3)", [(2, 3, 8)], False),
    ("nn.AdaptiveMaxPool2d((3, 2))", [(2, 3, 7, 5)], False),
    ("nn.AdaptiveMaxPool3d(2)", [(1, 2, 3, 5, 4)], False),
    ("nn.LPPool2d(2, 2)", [(2, 3, 6, 6)], False),
    ("nn.BatchNorm1d(3)", [(4, 3)], False),
    ("nn.BatchNorm1d(3, affine=False)", [(4, 3, 5)], False),
    ("nn.BatchNorm2d(3)", [(4, 3, 5, 5)], False),
    ("nn.BatchNorm2d(3)", [(4, 3, 5, 5)], True),
    ("nn.BatchNorm2d(3, momentum=None, track_running_stats=False)", [(4, 3, 2, 2)], True),
    ("nn.BatchNorm3d(2)", [(2, 2, 3, 2, 2)], False),
    ("nn.LayerNorm(5)", [(2, 3, 5)], False),
    ("nn.LayerNorm((3, 5), elementwise_affine=False)", [(2, 3, 5)], False),
    ("nn.LayerNorm([5], bias=False)", [(4, 5)], False),
    ("nn.GroupNorm(2, 4)", [(2, 4, 3, 3)], False),
    ("nn.GroupNorm(3, 3, affine=False)", [(2, 3, 5)], False),
    ("nn.InstanceNorm2d(3)", [(2, 3, 4, 4)], False),
    ("nn.InstanceNorm1d(3, affine=True, track_running_stats=True)", [(2, 3, 6)], False),
    ("nn.LocalResponseNorm(3)", [(2, 5, 4, 4)], False),
    ("nn.RMSNorm(5)", [(2, 3, 5)], False),
    ("nn.Dropout(0.3)", [(3, 4)], True),
    ("nn.Dropout2d(0.3)", [(2, 3, 4, 4)], True),
    ("nn.Upsample(scale_factor=2)", [(2, 3, 4, 5)], False),
    ("nn.Upsample(size=(7, 3))", [(2, 3, 4, 5)], False),
    ("nn.Upsample(scale_factor=1.7, mode='nearest-exact')", [(2, 3, 4, 5)], False),
    ("nn.Upsample(scale_factor=2, mode='bilinear')", [(2, 3, 4, 5)], False),
    ("nn.Upsample(size=(7, 9), mode='bilinear', align_corners=True)", [(2, 3, 4, 5)], False),
    ("nn.Upsample(scale_factor=(1.5, 0.7), mode='bilinear')", [(1, 2, 4, 6)], False),
    ("nn.Upsample(scale_factor=3, mode='linear')", [(2, 3, 4)], False),
    ("nn.Upsample(scale_factor=2, mode='nearest')", [(2, 3, 4)], False),
    ("nn.Upsample(size=(3, 4, 2), mode='trilinear')", [(1, 2, 2, 3, 3)], False),
    ("nn.UpsamplingBilinear2d(scale_factor=2)", [(1, 2, 3, 3)], False),
    ("nn.UpsamplingNearest2d(size=5)", [(1, 2, 3, 3)], False),
    ("nn.PixelShuffle(2)", [(2, 8, 3, 4)], False),
    ("nn.PixelUnshuffle(2)", [(2, 2, 4, 6)], False),
    (
        "nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2), "
        "nn.Flatten(), nn.Linear(36, 3))",
        [(3, 1, 8, 8)],
        False,
    ),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
@pytest.mark.parametrize("spec,shapes,eval_mode", MODULES, ids=[m[0] for m in MODULES])
def test_module_against_torch(spec, shapes, eval_mode):
    torch = _torch()
    rng = np.random.default_rng(1)
    ours = eval(spec, {"nn": nn}).double()
    theirs = eval(spec, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    if "BatchNorm" in spec and eval_mode:  # non-trivial running statistics
        for m in ours.modules():
            if getattr(m, "running_mean", None) is not None:
                m.running_mean.copy_(numtorch.tensor(rng.uniform(-1, 1, m.num_features)))
                m.running_var.copy_(numtorch.tensor(rng.uniform(0.5, 2, m.num_features)))
        _copy_params(ours, theirs)
    if eval_mode:
        ours.eval()
        theirs.eval()
    arrays = [rng.uniform(-3, 3, s) for s in shapes]
    xs = [numtorch.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    if "Dropout" in spec:  # same generator, same mask
        ours.train(), theirs.train()
        numtorch.manual_seed(3)
        torch.manual_seed(3)
    out, ref = ours(*xs), theirs(*ts)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-7, atol=1e-10)
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    w = rng.standard_normal(tuple(ref.shape))
    (out * numtorch.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    for x, t in zip(xs, ts, strict=True):
        np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-7, atol=1e-9)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-7, atol=1e-9, err_msg=n)
    for (n, b), (_, c) in zip(ours.named_buffers(), theirs.named_buffers(), strict=True):
        np.testing.assert_allclose(_np(b), c.numpy(), rtol=1e-7, atol=1e-10, err_msg=n)


# -- float32 against PyTorch (rtol 1e-4) ----------------------------------------------------


@pytest.mark.parametrize(
    "spec,shape",
    [
        ("nn.Conv2d(3, 8, 3, stride=2, padding=1)", (4, 3, 16, 16)),
        ("nn.ConvTranspose2d(8, 3, 4, stride=2, padding=1)", (2, 8, 7, 7)),
        ("nn.BatchNorm2d(8)", (4, 8, 6, 6)),
        ("nn.LayerNorm(16)", (4, 5, 16)),
        ("nn.GroupNorm(4, 8)", (4, 8, 5, 5)),
        ("nn.Upsample(scale_factor=2.5, mode='bilinear')", (2, 3, 5, 4)),
    ],
)
def test_float32_against_torch(spec, shape):
    torch = _torch()
    rng = np.random.default_rng(2)
    ours, theirs = eval(spec, {"nn": nn}), eval(spec, {"nn": torch.nn})
    _copy_params(ours, theirs)
    a = rng.standard_normal(shape).astype(np.float32)
    x, t = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, ref = ours(x), theirs(t)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-4, atol=1e-5)
    w = rng.standard_normal(tuple(ref.shape)).astype(np.float32)
    (out * numtorch.tensor(w)).sum().backward()
    (ref * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-4, atol=1e-4)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-4, atol=1e-4)


# -- finite differences -----------------------------------------------------------------------


def _d(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return numtorch.tensor(rng.standard_normal(shape), requires_grad=True)


GRADCHECKS = [
    (
        "conv1d",
        lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1),
        [(2, 4, 7), (6, 4, 3), (6,)],
    ),
    ("conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1), [(2, 3, 5, 4), (2, 3, 3, 3), (2,)]),
    (
        "conv2d strided dilated grouped",
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=(0, 1), dilation=2, groups=2),
        [(1, 4, 7, 6), (4, 2, 2, 3), (4,)],
    ),
    (
        "conv3d",
        lambda x, w: F.conv3d(x, w, stride=2, padding=1),
        [(1, 2, 3, 4, 3), (2, 2, 2, 2, 2)],
    ),
    (
        "conv_transpose2d",
        lambda x, w, b: F.conv_transpose2d(
            x, w, b, stride=2, padding=1, output_padding=1, groups=2, dilation=(1, 2)
        ),
        [(1, 4, 3, 3), (4, 1, 3, 2), (2,)],
    ),
    ("max_pool2d", lambda x: F.max_pool2d(x, 3, 2, padding=1, ceil_mode=True), [(2, 2, 6, 7)]),
    ("max_pool1d", lambda x: F.max_pool1d(x, 2, dilation=2), [(2, 2, 7)]),
    ("avg_pool2d", lambda x: F.avg_pool2d(x, 3, 2, 1, True, False), [(2, 2, 6, 7)]),
    ("avg_pool1d", lambda x: F.avg_pool1d(x, 3, 1, 1), [(2, 2, 5)]),
    ("adaptive_avg_pool2d", lambda x: F.adaptive_avg_pool2d(x, (3, 2)), [(2, 2, 7, 5)]),
    ("adaptive_max_pool2d", lambda x: F.adaptive_max_pool2d(x, (3, 2)), [(2, 2, 7, 5)]),
    (
        "batch_norm",
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [(4, 3, 2), (3,), (3,)],
    ),
    ("layer_norm", lambda x, w, b: F.layer_norm(x, (4,), w, b), [(3, 4), (4,), (4,)]),
    ("group_norm", lambda x, w, b: F.group_norm(x, 2, w, b), [(2, 4, 3), (4,), (4,)]),
    ("instance_norm", lambda x: F.instance_norm(x), [(2, 3, 4)]),
    (
        "interpolate bilinear",
        lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear"),
        [(1, 2, 3, 4)],
    ),
    ("interpolate nearest", lambda x: F.interpolate(x, size=(5, 3)), [(1, 2, 3, 4)]),
    ("pixel_shuffle", lambda x: F.pixel_shuffle(x, 2), [(1, 8, 2, 3)]),
    ("unfold", lambda x: F.unfold(x, (2, 3), dilation=1, padding=1, stride=2), [(2, 2, 4, 5)]),
    ("fold", lambda x: F.fold(x, (4, 5), (2, 3), padding=1, stride=2), [(2, 12, 9)]),
]


@pytest.mark.parametrize("name,fn,shapes", GRADCHECKS, ids=[g[0] for g in GRADCHECKS])
def test_gradcheck(name, fn, shapes):
    inputs = [_d(*s, seed=i) for i, s in enumerate(shapes)]
    assert gradcheck(fn, inputs, atol=1e-6)


DOUBLE = [
    "conv1d",
    "conv2d",
    "conv2d strided dilated grouped",
    "conv_transpose2d",
    "max_pool2d",
    "avg_pool2d",
    "adaptive_avg_pool2d",
    "batch_norm",
    "layer_norm",
    "group_norm",
    "interpolate bilinear",
    "interpolate nearest",
    "pixel_shuffle",
    "unfold",
]


@pytest.mark.parametrize("name", DOUBLE)
def test_gradgradcheck(name):
    _, fn, shapes = next(g for g in GRADCHECKS if g[0] == name)
    inputs = [_d(*s, seed=i) for i, s in enumerate(shapes)]
    assert gradgradcheck(fn, inputs, atol=1e-5)


# -- functional details against PyTorch -------------------------------------------------------


def test_max_pool_indices_against_torch():
    torch = _torch()
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, (2, 3, 7, 6)).astype(np.float64)  # ties: the first maximum wins
    for kw in (
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": (2, 3), "dilation": 2},
    ):
        out, idx = F.max_pool2d(numtorch.tensor(a), return_indices=True, **kw)
        ref, ridx = torch.nn.functional.max_pool2d(torch.tensor(a), return_indices=True, **kw)
        np.testing.assert_array_equal(_np(out), ref.numpy())
        np.testing.assert_array_equal(idx.numpy(), ridx.numpy())
        assert idx.dtype == numtorch.int64
    out, idx = F.adaptive_max_pool2d(numtorch.tensor(a), (3, 4), return_indices=True)
    ref, ridx = torch.nn.functional.adaptive_max_pool2d(torch.tensor(a), (3, 4), True)
    np.testing.assert_array_equal(idx.numpy(), ridx.numpy())
    out, idx = F.max_pool1d(numtorch.tensor(a[0]), 3, return_indices=True)
    ref, ridx = torch.nn.functional.max_pool1d(torch.tensor(a[0]), 3, return_indices=True)
    np.testing.assert_array_equal(idx.numpy(), ridx.numpy())


def test_unfold_fold_against_torch():
    torch = _torch()
    a = np.random.default_rng(0).standard_normal((2, 3, 6, 5))
    kw = {"kernel_size": (2, 3), "dilation": (2, 1), "padding": 1, "stride": (1, 2)}
    cols = F.unfold(numtorch.tensor(a), **kw)
    ref = torch.nn.functional.unfold(torch.tensor(a), **kw)
    np.testing.assert_allclose(_np(cols), ref.numpy())
    back = F.fold(cols, (6, 5), **kw)
    np.testing.assert_allclose(_np(back), torch.nn.functional.fold(ref, (6, 5), **kw).numpy())
    assert type(cols.grad_fn).__name__ == "Im2ColBackward0" or cols.grad_fn is None


def test_conv_errors_match_torch():
    torch = _torch()
    cases = [
        lambda F, T: F.conv2d(T.randn(2, 3), T.randn(4, 3, 3, 3)),
        lambda F, T: F.conv2d(T.randn(2, 5, 8, 8), T.randn(4, 3, 3, 3)),
        lambda F, T: F.conv2d(T.randn(2, 3, 8, 8), T.randn(4, 3, 3, 3), stride=2, padding="same"),
        lambda F, T: F.conv2d(T.randn(2, 3, 8, 8), T.randn(4, 3, 3, 3), padding="foo"),
        lambda F, T: F.conv2d(T.randn(2, 3, 2, 2), T.randn(4, 3, 3, 3)),
        lambda F, T: F.conv2d(T.randn(2, 3, 8, 8), T.randn(4, 3, 3, 3).double()),
        lambda F, T: F.conv2d(T.randn(2, 3, 8, 8), T.randn(4, 3, 3, 3), stride=0),
        lambda F, T: F.conv_transpose2d(
            T.randn(2, 3, 4, 4), T.randn(3, 4, 3, 3), stride=2, output_padding=2
        ),
        lambda F, T: F.max_pool2d(T.randn(2, 3, 8, 8), 3, padding=2),
        lambda F, T: F.batch_norm(T.randn(1, 3), None, None, training=True),
        lambda F, T: F.layer_norm(T.randn(2, 3), (4,)),
        lambda F, T: F.group_norm(T.randn(2, 3, 4), 2),
        lambda F, T: F.interpolate(T.randn(1, 1, 2, 2), scale_factor=2, align_corners=True),
        lambda F, T: F.interpolate(T.randn(1, 1, 2, 2), size=3, scale_factor=2),
        lambda F, T: F.pixel_shuffle(T.randn(1, 3, 2, 2), 2),
    ]
    for case in cases:
        with pytest.raises(Exception) as ref:
            case(torch.nn.functional, torch)
        with pytest.raises(type(ref.value)) as ours:
            case(F, numtorch)
        # type names carry the package name: numtorch.FloatTensor where PyTorch has torch.
        assert str(ours.value).replace("numtorch.", "torch.") == str(ref.value)


@pytest.mark.parametrize(
    "spec",
    [
        "nn.Conv2d(3, 4, 3, groups=2)",
        "nn.Conv2d(3, 4, 3, stride=2, padding='same')",
        "nn.Conv2d(3, 4, 3, padding='full')",
        "nn.MultiheadAttention(5, 2)",
        "nn.RNN(3, 4, nonlinearity='foo')",
        "nn.GroupNorm(2, 3)",
        "nn.Dropout(1.5)",
        "nn.Embedding(3, 2, padding_idx=3)",
    ],
)
def test_constructor_errors_match_torch(spec):
    torch = _torch()
    with pytest.raises(Exception) as ref:
        eval(spec, {"nn": torch.nn})
    with pytest.raises(type(ref.value)) as ours:
        eval(spec, {"nn": nn})
    assert str(ours.value) == str(ref.value)


def test_padding_mode_error():
    # the set in PyTorch's message prints in hash order, which differs between processes
    with pytest.raises(ValueError, match="padding_mode must be one of {.*'circular'.*}, but got "
                       "padding_mode='foo'"):  # fmt: skip
        nn.Conv2d(3, 4, 3, padding_mode="foo")


# -- initialisation ---------------------------------------------------------------------------


INIT_SPECS = [
    "nn.Conv1d(3, 4, 5)",
    "nn.Conv2d(1, 6, 5)",
    "nn.Conv2d(4, 6, 3, groups=2, bias=False)",
    "nn.Conv3d(2, 3, 2)",
    "nn.ConvTranspose2d(4, 6, 3, groups=2)",
    "nn.BatchNorm2d(3)",
    "nn.LayerNorm(4)",
    "nn.GroupNorm(2, 4)",
    "nn.Embedding(10, 3, padding_idx=2)",
    "nn.RNN(3, 5, num_layers=2)",
    "nn.LSTM(3, 5, bidirectional=True)",
    "nn.LSTM(3, 5, proj_size=2)",
    "nn.GRU(3, 4, num_layers=2, bias=False)",
    "nn.RNNCell(3, 4)",
    "nn.LSTMCell(3, 4)",
    "nn.GRUCell(3, 4)",
    "nn.MultiheadAttention(8, 2)",
    "nn.MultiheadAttention(8, 2, kdim=3, vdim=5, add_bias_kv=True)",
    "nn.TransformerEncoderLayer(8, 2, 16)",
    "nn.TransformerDecoderLayer(8, 2, 16)",
]


@pytest.mark.parametrize("spec", INIT_SPECS)
def test_default_init_matches_torch_bit_for_bit(spec):
    torch = _torch()
    numtorch.manual_seed(0)
    ours = eval(spec, {"nn": nn})
    torch.manual_seed(0)
    theirs = eval(spec, {"nn": torch.nn})
    assert repr(ours) == repr(theirs)
    ours_sd, theirs_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(theirs_sd)
    for name, p in ours_sd.items():
        np.testing.assert_array_equal(_np(p), theirs_sd[name].numpy(), err_msg=name)


# -- batch norm running statistics --------------------------------------------------------------


@pytest.mark.parametrize("momentum", [0.1, None, 0.5])
def test_batchnorm_running_stats_against_torch(momentum):
    torch = _torch()
    rng = np.random.default_rng(0)
    ours = nn.BatchNorm2d(3, momentum=momentum)
    theirs = torch.nn.BatchNorm2d(3, momentum=momentum)
    for _ in range(4):
        a = rng.standard_normal((5, 3, 4, 4)).astype(np.float32) * 3 + 1
        ours(numtorch.tensor(a))
        theirs(torch.tensor(a))
    for name, b in ours.state_dict().items():
        np.testing.assert_allclose(_np(b), theirs.state_dict()[name].numpy(), rtol=1e-5)
    assert int(ours.num_batches_tracked) == 4
    ours.eval(), theirs.eval()
    a = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    np.testing.assert_allclose(
        _np(ours(numtorch.tensor(a))),
        theirs(torch.tensor(a)).detach().numpy(),
        rtol=1e-5,
        atol=1e-6,
    )


def test_batchnorm_load_old_state_dict_without_num_batches_tracked():
    bn = nn.BatchNorm1d(2)
    sd = bn.state_dict()
    del sd["num_batches_tracked"]
    sd._metadata = {"": {"version": 1}}  # type: ignore[attr-defined]
    bn.load_state_dict(sd)


# -- recurrent layers ---------------------------------------------------------------------------


RNNS = [
    ("nn.RNN(3, 4)", False),
    ("nn.RNN(3, 4, num_layers=2, nonlinearity='relu', batch_first=True)", True),
    ("nn.RNN(3, 4, 2, 'relu', False, bidirectional=True)", False),
    ("nn.LSTM(3, 4)", False),
    ("nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)", True),
    ("nn.LSTM(3, 5, proj_size=2, num_layers=2)", False),
    ("nn.GRU(3, 4)", False),
    ("nn.GRU(3, 4, num_layers=2, bidirectional=True, bias=False)", False),
]


@pytest.mark.parametrize("spec,batch_first", RNNS)
@pytest.mark.parametrize("with_hx", [False, True])
def test_rnn_against_torch(spec, batch_first, with_hx):
    torch = _torch()
    rng = np.random.default_rng(0)
    ours, theirs = eval(spec, {"nn": nn}).double(), eval(spec, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    shape = (2, 5, 3) if batch_first else (5, 2, 3)
    a = rng.standard_normal(shape)
    x, t = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    args, targs = (), ()
    if with_hx:
        dirs = 2 if ours.bidirectional else 1
        real = ours.proj_size or ours.hidden_size
        h0 = rng.standard_normal((ours.num_layers * dirs, 2, real))
        if ours.mode == "LSTM":
            c0 = rng.standard_normal((ours.num_layers * dirs, 2, ours.hidden_size))
            args = ((numtorch.tensor(h0), numtorch.tensor(c0)),)
            targs = ((torch.tensor(h0), torch.tensor(c0)),)
        else:
            args, targs = (numtorch.tensor(h0),), (torch.tensor(h0),)
    out, h = ours(x, *args)
    ref, rh = theirs(t, *targs)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-9, atol=1e-12)
    hs = h if isinstance(h, tuple) else (h,)
    rhs = rh if isinstance(rh, tuple) else (rh,)
    for a_, b_ in zip(hs, rhs, strict=True):
        np.testing.assert_allclose(_np(a_), _np(b_), rtol=1e-9, atol=1e-12)
    w = rng.standard_normal(tuple(ref.shape))
    loss = (out * numtorch.tensor(w)).sum() + sum(s.sum() for s in hs)
    rloss = (ref * torch.tensor(w)).sum() + sum(s.sum() for s in rhs)
    loss.backward()
    rloss.backward()
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-8, atol=1e-10)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(_np(p.grad), _np(q.grad), rtol=1e-8, atol=1e-10, err_msg=n)


def test_rnn_unbatched_and_packed_against_torch():
    torch = _torch()
    from numtorch.nn.utils.rnn import pack_padded_sequence

    rng = np.random.default_rng(0)
    ours, theirs = nn.GRU(3, 4, bidirectional=True).double(), torch.nn.GRU(3, 4, bidirectional=True)
    theirs = theirs.double()
    _copy_params(ours, theirs)
    a = rng.standard_normal((5, 3))
    out, h = ours(numtorch.tensor(a))
    ref, rh = theirs(torch.tensor(a))
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-9)
    np.testing.assert_allclose(_np(h), _np(rh), rtol=1e-9)
    a = rng.standard_normal((5, 3, 3))
    lengths = [3, 5, 2]
    x = numtorch.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    tpacked = torch.nn.utils.rnn.pack_padded_sequence(t, lengths, enforce_sorted=False)
    out, h = ours(packed)
    ref, rh = theirs(tpacked)
    np.testing.assert_allclose(_np(out.data), _np(ref.data), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(_np(h), _np(rh), rtol=1e-9, atol=1e-12)
    (out.data.sum() + h.sum()).backward()
    (ref.data.sum() + rh.sum()).backward()
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize(
    "spec",
    ["nn.RNNCell(3, 4, nonlinearity='relu')", "nn.LSTMCell(3, 4)", "nn.GRUCell(3, 4, bias=False)"],
)
def test_cells_against_torch(spec):
    torch = _torch()
    rng = np.random.default_rng(0)
    ours, theirs = eval(spec, {"nn": nn}).double(), eval(spec, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    for shape in ((2, 3), (3,)):
        a = rng.standard_normal(shape)
        out, ref = ours(numtorch.tensor(a)), theirs(torch.tensor(a))
        outs = out if isinstance(out, tuple) else (out,)
        refs = ref if isinstance(ref, tuple) else (ref,)
        for o, r in zip(outs, refs, strict=True):
            np.testing.assert_allclose(_np(o), _np(r), rtol=1e-9, atol=1e-12)
        out2, ref2 = ours(numtorch.tensor(a), out), theirs(torch.tensor(a), ref)
        for o, r in zip(
            out2 if isinstance(out2, tuple) else (out2,),
            ref2 if isinstance(ref2, tuple) else (ref2,),
            strict=True,
        ):
            np.testing.assert_allclose(_np(o), _np(r), rtol=1e-9, atol=1e-12)


def test_lstm_gradcheck():
    m = nn.LSTM(2, 3, bidirectional=True).double()
    params = list(m.parameters())
    x = _d(4, 2, 2)
    assert gradcheck(lambda x, *p: m(x)[0], (x, *params), atol=1e-6)


# -- attention and transformer ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec,kwargs",
    [
        ("nn.MultiheadAttention(8, 2)", {}),
        ("nn.MultiheadAttention(8, 4, batch_first=True)", {"average_attn_weights": False}),
        ("nn.MultiheadAttention(8, 2, kdim=3, vdim=5)", {"need_weights": False}),
        ("nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, add_zero_attn=True)", {}),
        ("nn.MultiheadAttention(8, 2)", {"masks": True}),
        ("nn.MultiheadAttention(8, 2)", {"masks": True, "need_weights": False}),
    ],
)
def test_multihead_attention_against_torch(spec, kwargs):
    torch = _torch()
    rng = np.random.default_rng(0)
    ours, theirs = eval(spec, {"nn": nn}).double(), eval(spec, {"nn": torch.nn}).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    kwargs = dict(kwargs)
    masks = kwargs.pop("masks", False)
    L, S, N = 4, 5, 3
    bf = ours.batch_first
    q = rng.standard_normal((N, L, 8) if bf else (L, N, 8))
    k = rng.standard_normal((N, S, ours.kdim) if bf else (S, N, ours.kdim))
    v = rng.standard_normal((N, S, ours.vdim) if bf else (S, N, ours.vdim))
    ins = [numtorch.tensor(a, requires_grad=True) for a in (q, k, v)]
    tins = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    extra, textra = {}, {}
    if masks:
        kpm = np.zeros((N, S), bool)
        kpm[0, -2:] = True
        am = np.triu(np.ones((L, S), bool), 2)
        extra = {"key_padding_mask": numtorch.tensor(kpm), "attn_mask": numtorch.tensor(am)}
        textra = {"key_padding_mask": torch.tensor(kpm), "attn_mask": torch.tensor(am)}
    out, w = ours(*ins, **extra, **kwargs)
    ref, rw = theirs(*tins, **textra, **kwargs)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-9, atol=1e-12)
    assert (w is None) == (rw is None)
    if w is not None:
        np.testing.assert_allclose(_np(w), _np(rw), rtol=1e-9, atol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    for a, b in zip(ins, tins, strict=True):
        np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-8, atol=1e-10)
    for (n, p), (_, q_) in zip(ours.named_parameters(), theirs.named_parameters(), strict=True):
        np.testing.assert_allclose(_np(p.grad), _np(q_.grad), rtol=1e-8, atol=1e-10, err_msg=n)


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"norm_first": True, "activation": "gelu", "batch_first": True}],
)
def test_transformer_encoder_against_torch(kwargs):
    torch = _torch()
    rng = np.random.default_rng(0)
    ours = nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kwargs), 2, nn.LayerNorm(8)
    ).double()
    theirs = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kwargs),
        2,
        torch.nn.LayerNorm(8),
    ).double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    a = rng.standard_normal((3, 4, 8))
    mask = np.triu(np.full((4, 4) if kwargs else (3, 3), -np.inf), 1)
    x, t = numtorch.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out = ours(x, mask=numtorch.tensor(mask))
    ref = theirs(t, mask=torch.tensor(mask))
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-9, atol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(_np(x.grad), _np(t.grad), rtol=1e-8, atol=1e-10)


def test_transformer_encoder_warns_as_torch():
    with pytest.warns(UserWarning, match="enable_nested_tensor is True"):
        nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2)


# -- embedding ----------------------------------------------------------------------------------


def test_embedding_against_torch():
    torch = _torch()
    ours, theirs = nn.Embedding(6, 3, padding_idx=1).double(), torch.nn.Embedding(6, 3, 1)
    theirs = theirs.double()
    assert repr(ours) == repr(theirs)
    _copy_params(ours, theirs)
    idx = np.array([[0, 1, 3], [3, 5, 1]])
    out, ref = ours(numtorch.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(_np(out), _np(ref))
    assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    out.pow(2).sum().backward()
    ref.pow(2).sum().backward()
    np.testing.assert_allclose(_np(ours.weight.grad), _np(theirs.weight.grad))


def test_embedding_from_pretrained():
    w = numtorch.tensor([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]])
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    assert emb(numtorch.tensor([1])).tolist() == [[4.0, 5.099999904632568, 6.300000190734863]]
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    emb = nn.Embedding(4, 2, max_norm=1.0)
    emb(numtorch.tensor([0, 2]))
    norms = emb.weight.detach().norm(dim=1)
    assert float(norms[0]) <= 1.0 + 1e-6 and float(norms[2]) <= 1.0 + 1e-6


# -- misc ---------------------------------------------------------------------------------------


def test_conv_transpose_output_size_against_torch():
    torch = _torch()
    ours, theirs = (
        nn.ConvTranspose2d(2, 3, 3, stride=2),
        torch.nn.ConvTranspose2d(2, 3, 3, stride=2),
    )
    _copy_params(ours, theirs)
    a = np.random.default_rng(0).standard_normal((1, 2, 4, 4)).astype(np.float32)
    out = ours(numtorch.tensor(a), output_size=[10, 10])
    ref = theirs(torch.tensor(a), output_size=[10, 10])
    assert tuple(out.shape) == tuple(ref.shape) == (1, 3, 10, 10)
    np.testing.assert_allclose(_np(out), _np(ref), rtol=1e-5, atol=1e-6)


def test_lenet_trains():
    numtorch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 2)
    )
    x = numtorch.randn(16, 1, 8, 8)
    y = (x.mean((1, 2, 3)) > 0).long()
    opt = numtorch.optim.SGD(net.parameters(), lr=0.5)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < first / 2


def test_module_docstrings():
    import doctest
    import importlib

    names = ["conv", "pooling", "batchnorm", "normalization", "dropout", "sparse", "rnn",
             "upsampling", "pixelshuffle"]  # fmt: skip
    modules = [importlib.import_module(f"numtorch.nn.modules.{n}") for n in names]
    modules.append(importlib.import_module("numtorch.nn._functional_layers"))
    for module in modules:
        result = doctest.testmod(
            module, globs={"numtorch": numtorch}, optionflags=doctest.NORMALIZE_WHITESPACE
        )
        assert result.failed == 0, module.__name__


def _pool_cases():
    rng = np.random.default_rng(0)
    for trial in range(60):
        k, s = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        p, d = int(rng.integers(0, k // 2 + 1)), int(rng.integers(1, 3))
        x = rng.standard_normal((2, 3, 9, 8)).astype(np.float32)
        if trial % 3 == 0:
            x[rng.random(x.shape) < 0.2] = np.nan
        if trial % 5 == 0:
            x = np.round(x)  # ties
        yield trial, (k, s, p, d, bool(trial % 2)), x, rng


def test_max_pool_nan_ties_and_gradients_against_torch():
    # ATen's rule (a later NaN wins), gradients summed in output order where windows overlap,
    # and an inf gradient that must not leak NaN into other positions
    torch = _torch()
    for trial, args, x, rng in _pool_cases():
        k, s, p, d, ceil = args
        if p > (d * (k - 1)) // 2:
            continue  # PyTorch refuses this padding
        results = []
        for lib in (numtorch, torch):
            leaf = lib.tensor(x, requires_grad=True)
            out, idx = lib.nn.functional.max_pool2d(leaf, k, s, p, d, ceil, return_indices=True)
            if not results:
                g = rng.standard_normal(tuple(out.shape)).astype(np.float32)
                g.flat[0] = np.inf if trial % 4 == 0 else g.flat[0]
            out.backward(lib.tensor(g))
            results.append((out.detach().numpy(), idx.numpy(), leaf.grad.numpy()))
        for mine, ref in zip(*results, strict=True):
            np.testing.assert_array_equal(mine, ref, err_msg=f"case {trial}: {args}")


def test_max_pool_slice_scatter_equals_flat_scatter():
    from numtorch.ops import pool

    for _, (k, s, p, d, ceil), x, rng in _pool_cases():
        if p > (d * (k - 1)) // 2 or s <= d * (k - 1):
            continue
        out, idx = F.max_pool2d(numtorch.tensor(x), k, s, p, d, ceil, return_indices=True)
        g = rng.standard_normal(tuple(out.shape)).astype(np.float32)
        nd = 2
        flat = pool._scatter_flat(g, idx.numpy(), x.shape, nd)
        assert out.grad_fn is None
        leaf = numtorch.tensor(x, requires_grad=True)
        F.max_pool2d(leaf, k, s, p, d, ceil).backward(numtorch.tensor(g))
        np.testing.assert_array_equal(leaf.grad.numpy(), flat)


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 3, 9, 8), (3, 8, 6)])
@pytest.mark.parametrize(("kernel", "stride"), [(2, 2), (3, 3), (3, 2)])
def test_max_pool_without_indices_has_the_same_gradients(shape, kernel, stride):
    # without return_indices the flat indices are never made where windows do not overlap
    # (tiled windows write the whole gradient buffer, gaps stay zero), and made on demand
    # where they do; gradients and second derivatives are those of the indices path
    rng = np.random.default_rng(sum(shape) + kernel)
    x = rng.standard_normal(shape)
    grads = []
    for with_indices in (False, True):
        leaf = numtorch.tensor(x, requires_grad=True)
        out = F.max_pool2d(leaf, kernel, stride, return_indices=with_indices)
        out = out[0] if with_indices else out
        (first,) = numtorch.autograd.grad(out.pow(2).sum(), leaf, create_graph=True)
        (second,) = numtorch.autograd.grad(first.sum(), leaf)
        grads.append((out.detach().numpy(), first.detach().numpy(), second.numpy()))
    for a, b in zip(*grads, strict=True):
        np.testing.assert_array_equal(a, b)
    first = grads[0][1]
    covered = (np.asarray(shape[-2:]) // stride - 1) * stride + kernel
    assert (first[..., covered[0] :, :] == 0).all() and (first[..., :, covered[1] :] == 0).all()
