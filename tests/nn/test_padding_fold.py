"""Padding layers, Fold/Unfold modules and gumbel_softmax: reprs, values and gradients
against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch import nn

_PADS = [
    ("ZeroPad1d", (2,), (2, 3, 5)),
    ("ZeroPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ConstantPad1d", (2, 3.5), (3, 5)),
    ("ConstantPad2d", ((1, 2, 3, 4), 0.0), (2, 4, 5)),
    ("ConstantPad3d", (1, 1), (1, 2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 5)),
    ("ReflectionPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)),
    ("ReplicationPad1d", ((2, 1),), (2, 3, 5)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)),
    ("ReplicationPad3d", (1,), (1, 2, 3, 4, 5)),
    ("CircularPad1d", (1,), (2, 3, 5)),
    ("CircularPad2d", ((1, 2, 0, 1),), (2, 3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize(("name", "args", "shape"), _PADS)
def test_padding_layers_match_torch(name, args, shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(len(shape)).standard_normal(shape).astype(np.float32)
    results = []
    for lib in (numtorch, torch):
        layer = getattr(lib.nn, name)(*args)
        leaf = lib.tensor(x, requires_grad=True)
        out = layer(leaf)
        (out * out).sum().backward()
        results.append((repr(layer), out.detach().numpy(), leaf.grad.numpy(), layer.padding))
    assert results[0][0] == results[1][0] and results[0][3] == results[1][3]
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-6)
    np.testing.assert_allclose(results[0][2], results[1][2], rtol=1e-6)


def test_padding_layers_without_torch():
    assert repr(nn.ZeroPad2d((1, 1, 2, 0))) == "ZeroPad2d((1, 1, 2, 0))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    assert nn.ReplicationPad3d(1).padding == (1,) * 6
    x = numtorch.arange(4.0).view(1, 1, 4)
    assert nn.ReflectionPad1d(2)(x).tolist() == [[[2.0, 1.0, 0.0, 1.0, 2.0, 3.0, 2.0, 1.0]]]
    assert nn.CircularPad1d(1)(x).tolist() == [[[3.0, 0.0, 1.0, 2.0, 3.0, 0.0]]]
    assert nn.ZeroPad1d((0, 1))(x).tolist() == [[[0.0, 1.0, 2.0, 3.0, 0.0]]]
    with pytest.raises(ValueError, match=r"^expected 3D or 4D input \(got 2D input\)$"):
        nn.CircularPad2d(1)(numtorch.zeros(2, 2))
    assert type(nn.ZeroPad2d(1)).__module__ == "numtorch.nn.modules.padding"


def test_fold_unfold_modules_round_trip():
    unfold = nn.Unfold(kernel_size=(2, 3), padding=1, stride=2)
    fold = nn.Fold(output_size=(4, 5), kernel_size=(2, 3), padding=1, stride=2)
    assert repr(unfold) == "Unfold(kernel_size=(2, 3), dilation=1, padding=1, stride=2)"
    assert repr(fold) == (
        "Fold(output_size=(4, 5), kernel_size=(2, 3), dilation=1, padding=1, stride=2)"
    )
    x = numtorch.randn(2, 3, 4, 5)
    cols = unfold(x)
    assert cols.shape == numtorch.nn.functional.unfold(x, (2, 3), 1, 1, 2).shape
    ones = fold(unfold(numtorch.ones(2, 3, 4, 5)))  # how often each pixel is covered
    np.testing.assert_allclose(fold(cols).numpy(), (x * ones).numpy(), rtol=1e-6)


def test_gumbel_softmax_matches_torch_draws_and_gradients():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (numtorch, torch):
        lib.manual_seed(3)
        logits = lib.randn(4, 5, requires_grad=True)
        hard = lib.nn.functional.gumbel_softmax(logits, tau=0.5, hard=True)
        (hard * lib.arange(5.0)).sum().backward()
        soft = lib.nn.functional.gumbel_softmax(logits.detach(), dim=0)
        results.append((hard.detach().numpy(), logits.grad.numpy(), soft.numpy()))
    for ours, theirs in zip(*results, strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


def test_gumbel_softmax_hard_is_one_hot_with_soft_gradient():
    logits = numtorch.randn(6, 4, requires_grad=True)
    y = numtorch.nn.functional.gumbel_softmax(logits, hard=True)
    assert ((y == 0) | (y == 1)).all() and (y.sum(-1) == 1).all()
    y.sum().backward()
    assert logits.grad.abs().max().item() < 1e-5  # a softmax's outputs sum to 1 for any input


@pytest.mark.parametrize(
    ("nd", "shape", "kernel", "stride", "padding", "output_size"),
    [
        (1, (2, 3, 9), 2, None, 0, None),
        (2, (2, 3, 5, 6), 2, None, 0, (5, 6)),
        (2, (1, 2, 7, 7), 3, 2, 1, None),
        (2, (3, 6, 8), 2, 2, 0, [1, 3, 6, 8]),
        (3, (1, 2, 4, 4, 6), 2, None, 0, None),
    ],
)
def test_max_unpool_matches_torch(nd, shape, kernel, stride, padding, output_size):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(nd).standard_normal(shape).astype(np.float32)
    results = []
    for lib in (numtorch, torch):
        F = lib.nn.functional
        leaf = lib.tensor(x, requires_grad=True)
        pool = getattr(F, f"max_pool{nd}d")
        out, idx = pool(leaf, kernel, stride, padding, return_indices=True)
        layer = getattr(lib.nn, f"MaxUnpool{nd}d")(kernel, stride, padding)
        un = layer(out, idx, output_size)
        (un * un).sum().backward()
        results.append((repr(layer), un.grad_fn.name(), un.detach().numpy(), leaf.grad.numpy()))
    assert results[0][:2] == results[1][:2]
    np.testing.assert_array_equal(results[0][2], results[1][2])
    np.testing.assert_array_equal(results[0][3], results[1][3])


def test_max_unpool_errors():
    F = numtorch.nn.functional
    out, idx = F.max_pool2d(numtorch.randn(1, 1, 4, 6), 2, return_indices=True)
    with pytest.raises(ValueError, match=r'^invalid output_size "\(9, 9\)" \(dim 0 must be'):
        F.max_unpool2d(out, idx, 2, output_size=(9, 9))
    with pytest.raises(ValueError, match="output_size should be a sequence containing 2 or 4"):
        F.max_unpool2d(out, idx, 2, output_size=(4,))
    invalid = r"^Found an invalid max index: \d+ \(output volumes are of size 4x6\)$"
    with pytest.raises(RuntimeError, match=invalid):
        F.max_unpool2d(out, idx * 100, 2)
    unpooled = F.max_unpool2d(out, idx, 2)
    assert unpooled.shape == (1, 1, 4, 6) and (unpooled != 0).sum().item() == 6
