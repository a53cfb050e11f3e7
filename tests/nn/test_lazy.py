"""Lazy modules: shapes from the first input, PyTorch's initialisation draws at that moment,
the class swap, state_dict round trips; against PyTorch when installed."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch import nn


def _script(lib):
    lib.manual_seed(0)
    linear = lib.nn.LazyLinear(10)
    before = (repr(linear), repr(linear.weight), linear.has_uninitialized_params())
    optimizer = lib.optim.SGD(linear.parameters(), lr=0.1)  # holds the placeholders
    out = linear(lib.ones(2, 5))
    out.sum().backward()
    optimizer.step()
    conv = lib.nn.LazyConv2d(4, 3, padding=1)
    conv_repr = repr(conv)
    conv_out = conv(lib.ones(2, 3, 5, 5))
    up = lib.nn.LazyConvTranspose2d(4, 3, stride=2, bias=False)
    up_out = up(lib.ones(3, 5, 5))
    short = lib.nn.LazyConv1d(2, 3, 1, 0, 1, 1, False)
    short(lib.ones(1, 4, 7))
    return (
        before,
        (repr(linear), type(linear).__name__, type(linear.weight).__name__),
        linear.weight.detach().numpy().copy(),
        out.detach().numpy(),
        (conv_repr, repr(conv), repr(up), repr(short), tuple(up_out.shape)),
        conv_out.detach().numpy(),
    )


def test_lazy_modules_without_torch():
    before, after, weight, out, reprs, _ = _script(numtorch)
    assert before == (
        "LazyLinear(in_features=0, out_features=10, bias=True)",
        "<UninitializedParameter>",
        True,
    )
    assert after == ("Linear(in_features=5, out_features=10, bias=True)", "Linear", "Parameter")
    assert weight.shape == (10, 5) and out.shape == (2, 10)
    assert reprs[0] == "LazyConv2d(0, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert reprs[1] == "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert reprs[3] == "Conv1d(4, 2, kernel_size=(3,), stride=(1,), bias=False)"
    assert reprs[4] == (4, 11, 11)


def test_lazy_modules_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _script(numtorch), _script(torch)
    assert ours[0] == theirs[0] and ours[1] == theirs[1] and ours[4] == theirs[4]
    for a, b in zip(ours[2:4] + ours[5:], theirs[2:4] + theirs[5:], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


def test_lazy_state_dict_round_trip_and_errors():
    lazy = nn.LazyLinear(3)
    assert list(lazy.state_dict()) == ["weight", "bias"]
    assert repr(lazy.state_dict()["weight"]) == "<UninitializedParameter>"
    source = nn.Linear(4, 3)
    lazy.load_state_dict(source.state_dict())  # materialises to the loaded shapes
    assert lazy.weight.shape == (3, 4) and (lazy.weight == source.weight).all()
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        _ = nn.LazyLinear(2).weight.shape
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input"):
        nn.LazyConv2d(2, 3)(numtorch.ones(3, 3))
    assert nn.parameter.is_lazy(nn.UninitializedParameter())
    assert not nn.parameter.is_lazy(nn.Parameter(numtorch.ones(1)))
