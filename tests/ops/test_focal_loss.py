"""numtorch.ops.sigmoid_focal_loss, with torchvision's formula and signature."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import numtorch
import numtorch.ops


def _reference(x, t, alpha=0.25, gamma=2.0):
    p = 1 / (1 + np.exp(-x))
    ce = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    p_t = p * t + (1 - p) * (1 - t)
    a = alpha * t + (1 - alpha) * (1 - t)
    return a * ce * (1 - p_t) ** gamma


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_values_and_gradients(reduction):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    t = (rng.random((4, 3)) > 0.5).astype(np.float64)
    xt = numtorch.tensor(x, requires_grad=True)
    out = numtorch.ops.sigmoid_focal_loss(xt, numtorch.tensor(t), reduction=reduction)
    want = {"none": lambda v: v, "mean": np.mean, "sum": np.sum}[reduction](_reference(x, t))
    np.testing.assert_allclose(out.detach().numpy(), want, rtol=1e-10)
    assert numtorch.autograd.gradcheck(
        lambda v: numtorch.ops.sigmoid_focal_loss(v, numtorch.tensor(t), reduction="sum"), (xt,)
    )


def test_alpha_off_and_bad_reduction():
    x, t = numtorch.tensor([0.3, -2.0]), numtorch.tensor([1.0, 0.0])
    out = numtorch.ops.sigmoid_focal_loss(x, t, alpha=-1)
    np.testing.assert_allclose(
        out.numpy(), _reference(x.numpy(), t.numpy()) / [0.25, 0.75], rtol=1e-6
    )
    with pytest.raises(ValueError, match="Invalid Value for arg 'reduction'"):
        numtorch.ops.sigmoid_focal_loss(x, t, reduction="max")


def test_docstring_examples():
    result = doctest.testmod(numtorch.ops, globs={"numtorch": numtorch})
    assert result.attempted >= 5 and result.failed == 0
