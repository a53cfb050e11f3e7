"""numtorch.nn.functional: one table of cases, each checked by finite differences (gradcheck,
float64) and against PyTorch (values, gradients, grad_fn names) when it is installed.

A case's ``fn(T, F, *inputs)`` is written once and run with ``T, F = numtorch, numtorch.nn.
functional`` and with ``T, F = torch, torch.nn.functional``.
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
import numtorch.nn.functional as NF
from numtorch.autograd import gradcheck

RNG = np.random.default_rng(0)


def to_torch(x):
    torch = pytest.importorskip("torch")
    t = torch.from_numpy(np.array(x.detach().numpy()))
    return t.requires_grad_(x.requires_grad) if t.is_floating_point() else t


def to_np(x):
    return np.asarray(x.detach().numpy())


def rand(*shape, low=-2.0, high=2.0, grad=True):
    return ("f", RNG.uniform(low, high, shape), grad)


def prob(*shape):
    return ("f", RNG.uniform(0.05, 0.95, shape), True)


def simplex(*shape, dim=1):
    p = RNG.uniform(0.1, 1.0, shape)
    return ("f", p / p.sum(axis=dim, keepdims=True), False)


def ints(high, *shape):
    return ("i", RNG.integers(0, high, shape), False)


def sign(*shape):
    return ("i", RNG.choice([-1, 1], shape), False)


def const(*shape):
    return ("f", RNG.uniform(0.5, 1.5, shape), False)


# name: (fn, inputs)  --  away from kinks, so finite differences are meaningful
CASES = {
    "relu": (lambda T, F, x: F.relu(x), [rand(3, 4)]),
    "relu6": (lambda T, F, x: F.relu6(x * 4), [rand(3, 4)]),
    "leaky_relu": (lambda T, F, x: F.leaky_relu(x, 0.2), [rand(3, 4)]),
    "elu": (lambda T, F, x: F.elu(x, 1.5), [rand(3, 4)]),
    "selu": (lambda T, F, x: F.selu(x), [rand(3, 4)]),
    "celu": (lambda T, F, x: F.celu(x, 0.7), [rand(3, 4)]),
    "gelu": (lambda T, F, x: F.gelu(x), [rand(3, 4)]),
    "gelu_tanh": (lambda T, F, x: F.gelu(x, approximate="tanh"), [rand(3, 4)]),
    "silu": (lambda T, F, x: F.silu(x), [rand(3, 4)]),
    "mish": (lambda T, F, x: F.mish(x), [rand(3, 4)]),
    "hardtanh": (lambda T, F, x: F.hardtanh(x, -1.5, 1.2), [rand(3, 4)]),
    "hardsigmoid": (lambda T, F, x: F.hardsigmoid(x * 3), [rand(3, 4)]),
    "hardswish": (lambda T, F, x: F.hardswish(x * 3), [rand(3, 4)]),
    "softplus": (lambda T, F, x: F.softplus(x, 2.0, 3.0), [rand(3, 4)]),
    "softsign": (lambda T, F, x: F.softsign(x), [rand(3, 4)]),
    "softmax": (lambda T, F, x: F.softmax(x, 1), [rand(3, 4)]),
    "softmax0": (lambda T, F, x: F.softmax(x, dim=0), [rand(3, 4, 2)]),
    "log_softmax": (lambda T, F, x: F.log_softmax(x, -1), [rand(3, 4)]),
    # many short rows: the transposed-reduction path
    "log_softmax_rows": (lambda T, F, x: F.log_softmax(x, 1), [rand(64, 4)]),
    "log_softmax_rows_3d": (lambda T, F, x: F.log_softmax(x, -1), [rand(4, 8, 5)]),
    "softmin": (lambda T, F, x: F.softmin(x, 1), [rand(3, 4)]),
    "threshold": (lambda T, F, x: F.threshold(x, 0.1, 20.0), [rand(3, 4)]),
    "prelu": (lambda T, F, x, w: F.prelu(x, w), [rand(2, 3, 4), rand(3)]),
    "prelu1": (lambda T, F, x, w: F.prelu(x, w), [rand(2, 3), rand(1)]),
    "logsigmoid": (lambda T, F, x: F.logsigmoid(x), [rand(3, 4)]),
    "tanhshrink": (lambda T, F, x: F.tanhshrink(x), [rand(3, 4)]),
    "softshrink": (lambda T, F, x: F.softshrink(x, 0.5), [rand(3, 4)]),
    "hardshrink": (lambda T, F, x: F.hardshrink(x, 0.5), [rand(3, 4)]),
    "glu": (lambda T, F, x: F.glu(x, 1), [rand(3, 4)]),
    "sigmoid": (lambda T, F, x: F.sigmoid(x), [rand(3, 4)]),
    "tanh": (lambda T, F, x: F.tanh(x), [rand(3, 4)]),
    "linear": (lambda T, F, x, w, b: F.linear(x, w, b), [rand(3, 4), rand(2, 4), rand(2)]),
    "linear_nobias": (lambda T, F, x, w: F.linear(x, w), [rand(3, 4), rand(2, 4)]),
    "linear_3d": (lambda T, F, x, w, b: F.linear(x, w, b), [rand(2, 3, 4), rand(2, 4), rand(2)]),
    "linear_1d": (lambda T, F, x, w, b: F.linear(x, w, b), [rand(4), rand(2, 4), rand(2)]),
    "bilinear": (
        lambda T, F, x, y, w, b: F.bilinear(x, y, w, b),
        [rand(3, 2), rand(3, 4), rand(5, 2, 4), rand(5)],
    ),
    "mse": (lambda T, F, x, y: F.mse_loss(x, y), [rand(3, 4), rand(3, 4)]),
    "mse_sum": (lambda T, F, x, y: F.mse_loss(x, y, reduction="sum"), [rand(3, 4), rand(3, 4)]),
    "mse_none": (lambda T, F, x, y: F.mse_loss(x, y, reduction="none"), [rand(3, 4), rand(3, 4)]),
    "l1": (lambda T, F, x, y: F.l1_loss(x, y), [rand(3, 4), rand(3, 4)]),
    "l1_none": (lambda T, F, x, y: F.l1_loss(x, y, reduction="none"), [rand(3, 4), rand(3, 4)]),
    "smooth_l1": (lambda T, F, x, y: F.smooth_l1_loss(x, y, beta=0.7), [rand(3, 4), rand(3, 4)]),
    "smooth_l1_none": (
        lambda T, F, x, y: F.smooth_l1_loss(x, y, reduction="none"),
        [rand(3, 4), rand(3, 4)],
    ),
    "huber": (lambda T, F, x, y: F.huber_loss(x, y, delta=0.8), [rand(3, 4), rand(3, 4)]),
    "huber_sum": (
        lambda T, F, x, y: F.huber_loss(x, y, reduction="sum"),
        [rand(3, 4), rand(3, 4)],
    ),
    "cross_entropy": (lambda T, F, x, t: F.cross_entropy(x, t), [rand(5, 4), ints(4, 5)]),
    "cross_entropy_batch": (lambda T, F, x, t: F.cross_entropy(x, t), [rand(48, 3), ints(3, 48)]),
    "cross_entropy_none": (
        lambda T, F, x, t: F.cross_entropy(x, t, reduction="none"),
        [rand(5, 4), ints(4, 5)],
    ),
    "cross_entropy_sum": (
        lambda T, F, x, t: F.cross_entropy(x, t, reduction="sum"),
        [rand(5, 4), ints(4, 5)],
    ),
    "cross_entropy_weight_ignore": (
        lambda T, F, x, t, w: F.cross_entropy(x, t * (t != 2) - 100 * (t == 2), weight=w),
        [rand(6, 4), ints(4, 6), const(4)],
    ),
    "cross_entropy_smoothing": (
        lambda T, F, x, t: F.cross_entropy(x, t, label_smoothing=0.2),
        [rand(5, 4), ints(4, 5)],
    ),
    "cross_entropy_smoothing_weight": (
        lambda T, F, x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.1),
        [rand(5, 4), ints(4, 5), const(4)],
    ),
    "cross_entropy_smoothing_none": (
        lambda T, F, x, t: F.cross_entropy(x, t, reduction="none", label_smoothing=0.3),
        [rand(5, 4), ints(4, 5)],
    ),
    "cross_entropy_2d": (
        lambda T, F, x, t: F.cross_entropy(x, t),
        [rand(2, 3, 2, 3), ints(3, 2, 2, 3)],
    ),
    "cross_entropy_1d_spatial_none": (
        lambda T, F, x, t: F.cross_entropy(x, t, reduction="none"),
        [rand(2, 3, 4), ints(3, 2, 4)],
    ),
    "cross_entropy_3d_spatial": (
        lambda T, F, x, t: F.cross_entropy(x, t),
        [rand(2, 3, 2, 2, 2), ints(3, 2, 2, 2, 2)],
    ),
    "cross_entropy_unbatched": (lambda T, F, x, t: F.cross_entropy(x, t[0]), [rand(4), ints(4, 1)]),
    "cross_entropy_probs": (lambda T, F, x, p: F.cross_entropy(x, p), [rand(5, 4), simplex(5, 4)]),
    "cross_entropy_probs_none_smooth": (
        lambda T, F, x, p: F.cross_entropy(x, p, reduction="none", label_smoothing=0.1),
        [rand(5, 4), simplex(5, 4)],
    ),
    "cross_entropy_probs_weight_2d": (
        lambda T, F, x, p, w: F.cross_entropy(x, p, weight=w),
        [rand(2, 3, 2, 2), simplex(2, 3, 2, 2), const(3)],
    ),
    "nll": (lambda T, F, x, t: F.nll_loss(x, t), [rand(5, 4), ints(4, 5)]),
    "nll_none_weight": (
        lambda T, F, x, t, w: F.nll_loss(x, t, weight=w, reduction="none"),
        [rand(5, 4), ints(4, 5), const(4)],
    ),
    "nll_2d": (lambda T, F, x, t: F.nll_loss(x, t), [rand(2, 3, 2, 3), ints(3, 2, 2, 3)]),
    "bce": (lambda T, F, x, y: F.binary_cross_entropy(x, y), [prob(3, 4), prob(3, 4)]),
    "bce_weight_none": (
        lambda T, F, x, y, w: F.binary_cross_entropy(x, y, weight=w, reduction="none"),
        [prob(3, 4), prob(3, 4), const(4)],
    ),
    "bce_logits": (
        lambda T, F, x, y: F.binary_cross_entropy_with_logits(x, y),
        [rand(3, 4), prob(3, 4)],
    ),
    "bce_logits_pos_weight": (
        lambda T, F, x, y, w, pw: F.binary_cross_entropy_with_logits(
            x, y, weight=w, pos_weight=pw, reduction="sum"
        ),
        [rand(3, 4), prob(3, 4), const(4), const(4)],
    ),
    "kl_div_batchmean": (
        lambda T, F, x, p: F.kl_div(x, p, reduction="batchmean"),
        [rand(3, 4), simplex(3, 4)],
    ),
    "kl_div_log_target": (
        lambda T, F, x, p: F.kl_div(x, p, reduction="sum", log_target=True),
        [rand(3, 4), rand(3, 4)],
    ),
    "kl_div_none": (
        lambda T, F, x, p: F.kl_div(x, p, reduction="none"),
        [rand(3, 4), simplex(3, 4)],
    ),
    "cosine_embedding": (
        lambda T, F, x, y, t: F.cosine_embedding_loss(x, y, t, margin=-0.5),
        [rand(4, 5), rand(4, 5), sign(4)],
    ),
    "margin_ranking": (
        lambda T, F, x, y, t: F.margin_ranking_loss(x, y, t.to(x.dtype), margin=0.1),
        [rand(6), rand(6), sign(6)],
    ),
    "triplet": (
        lambda T, F, a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0),
        [rand(4, 5), rand(4, 5), rand(4, 5)],
    ),
    "triplet_p1_swap": (
        lambda T, F, a, p, n: F.triplet_margin_loss(a, p, n, margin=3.0, p=1, swap=True),
        [rand(4, 5), rand(4, 5), rand(4, 5)],
    ),
    "hinge_embedding": (
        lambda T, F, x, t: F.hinge_embedding_loss(x, t.to(x.dtype)),
        [rand(3, 4), sign(3, 4)],
    ),
    "soft_margin": (
        lambda T, F, x, t: F.soft_margin_loss(x, t.to(x.dtype)),
        [rand(3, 4), sign(3, 4)],
    ),
    "poisson_nll": (lambda T, F, x, t: F.poisson_nll_loss(x, t), [rand(3, 4), const(3, 4)]),
    "gaussian_nll": (
        lambda T, F, x, t, v: F.gaussian_nll_loss(x, t, v),
        [rand(3, 4), rand(3, 4), const(3, 4)],
    ),
    "pad_constant": (lambda T, F, x: F.pad(x, (1, 2, 0, 1), value=1.5), [rand(2, 3, 4)]),
    "pad_crop": (lambda T, F, x: F.pad(x, (-1, 2)), [rand(2, 3, 4)]),
    "pad_reflect": (lambda T, F, x: F.pad(x, (2, 1), mode="reflect"), [rand(2, 3, 4)]),
    "pad_reflect_2d": (lambda T, F, x: F.pad(x, (1, 2, 2, 1), mode="reflect"), [rand(1, 1, 3, 4)]),
    "pad_replicate": (lambda T, F, x: F.pad(x, (3, 1, 1, 0), mode="replicate"), [rand(2, 3, 4)]),
    "pad_replicate_3d": (
        lambda T, F, x: F.pad(x, (1, 1, 1, 0, 0, 2), mode="replicate"),
        [rand(1, 1, 2, 3, 2)],
    ),
    "pad_circular": (lambda T, F, x: F.pad(x, (2, 1), mode="circular"), [rand(2, 3, 4)]),
    "pad_circular_2d": (
        lambda T, F, x: F.pad(x, (1, 1, 2, 0), mode="circular"),
        [rand(1, 2, 3, 4)],
    ),
    "normalize": (lambda T, F, x: F.normalize(x, dim=1), [rand(3, 4)]),
    "normalize_p1": (lambda T, F, x: F.normalize(x, p=1.0, dim=0), [rand(3, 4)]),
    "normalize_p3": (lambda T, F, x: F.normalize(x, p=3.0, dim=-1), [rand(3, 4)]),
    "embedding": (lambda T, F, i, w: F.embedding(i, w), [ints(5, 2, 3), rand(5, 4)]),
    "embedding_padding": (
        lambda T, F, i, w: F.embedding(i, w, padding_idx=1, scale_grad_by_freq=True),
        [ints(5, 7), rand(5, 4)],
    ),
    "cosine_similarity": (lambda T, F, x, y: F.cosine_similarity(x, y), [rand(3, 4), rand(3, 4)]),
    "cosine_similarity_bcast": (
        lambda T, F, x, y: F.cosine_similarity(x, y, dim=-1),
        [rand(3, 4), rand(1, 4)],
    ),
    "pairwise_distance": (
        lambda T, F, x, y: F.pairwise_distance(x, y, p=3.0, keepdim=True),
        [rand(3, 4), rand(3, 4)],
    ),
    "sdpa": (
        lambda T, F, q, k, v: F.scaled_dot_product_attention(q, k, v),
        [rand(2, 2, 3), rand(2, 3, 3), rand(2, 3, 2)],
    ),
    "sdpa_causal_scale": (
        lambda T, F, q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3),
        [rand(1, 2, 3, 2), rand(1, 2, 3, 2), rand(1, 2, 3, 2)],
    ),
    "sdpa_float_mask": (
        lambda T, F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        [rand(2, 2, 3), rand(2, 3, 3), rand(2, 3, 2), rand(2, 3, grad=False)],
    ),
    "sdpa_bool_mask": (
        lambda T, F, q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m > -1.5),
        [rand(2, 2, 3), rand(2, 3, 3), rand(2, 3, 2), rand(2, 3, grad=False)],
    ),
    "logsumexp": (lambda T, F, x: x.logsumexp(1), [rand(3, 4)]),
}

# PyTorch itself composes these from other ops, with node names we do not reproduce exactly
# (tensor-times-Python-number nodes are MulBackward1 / DivBackward1 in C++).
NAME_EXEMPT = {
    "cross_entropy_probs",
    "cross_entropy_probs_weight_2d",
    "pad_circular",
    "pad_circular_2d",
    "sdpa",
    "sdpa_causal_scale",
    "sdpa_float_mask",
    "sdpa_bool_mask",
    "bilinear",
    "cosine_similarity_bcast",
}


# scale_grad_by_freq changes the gradient on purpose: it is not the forward's derivative
GRADCHECK_SKIP = {"embedding_padding"}


def make_inputs(specs, lib):
    out = []
    for kind, value, grad in specs:
        if lib is numtorch:
            t = numtorch.tensor(value, dtype=numtorch.float64 if kind == "f" else numtorch.int64)
        else:
            torch = pytest.importorskip("torch")
            t = torch.tensor(value, dtype=torch.float64 if kind == "f" else torch.int64)
        out.append(t.requires_grad_(grad) if kind == "f" else t)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    fn, specs = CASES[name]
    inputs = make_inputs(specs, numtorch)
    if name in GRADCHECK_SKIP or not any(getattr(t, "requires_grad", False) for t in inputs):
        pytest.skip("nothing differentiable")
    assert gradcheck(lambda *a: fn(numtorch, NF, *a), inputs, eps=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_against_torch(name):
    torch = pytest.importorskip("torch")
    fn, specs = CASES[name]
    ours = make_inputs(specs, numtorch)
    theirs = [to_torch(t) for t in ours]
    out = fn(numtorch, NF, *ours)
    ref = fn(torch, torch.nn.functional, *theirs)
    np.testing.assert_allclose(to_np(out), to_np(ref), rtol=1e-6, atol=1e-9)
    assert out.dtype.is_floating_point == ref.dtype.is_floating_point
    if ref.grad_fn is None:
        assert out.grad_fn is None
        return
    if name not in NAME_EXEMPT:
        assert type(out.grad_fn).__name__ == type(ref.grad_fn).__name__
    weights = RNG.standard_normal(tuple(ref.shape))
    (out * numtorch.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        if b.grad is not None:
            np.testing.assert_allclose(to_np(a.grad), to_np(b.grad), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", sorted(CASES))
def test_forward_without_grad(name):
    fn, specs = CASES[name]
    inputs = make_inputs(specs, numtorch)
    with numtorch.no_grad():
        out = fn(numtorch, NF, *inputs)
    assert out.grad_fn is None and not out.requires_grad
    expected = fn(numtorch, NF, *inputs)
    np.testing.assert_allclose(to_np(out), to_np(expected), rtol=1e-12, atol=1e-12)
    plain = [t.detach() for t in inputs]
    out = fn(numtorch, NF, *plain)
    assert out.grad_fn is None


@pytest.mark.parametrize(
    "name",
    [
        "softmax",
        "log_softmax",
        "log_softmax_rows",
        "gelu",
        "silu",
        "mish",
        "elu",
        "softplus",
        "mse",
        "bce",
    ],
)
def test_second_derivatives(name):
    from numtorch.autograd import gradgradcheck

    fn, specs = CASES[name]
    inputs = make_inputs(specs, numtorch)
    assert gradgradcheck(lambda *a: fn(numtorch, NF, *a), inputs, eps=1e-6, atol=1e-5)


def test_float32_softmax_is_stable():
    x = numtorch.tensor([[1000.0, 0.0, -1000.0]])
    assert NF.softmax(x, 1).tolist() == [[1.0, 0.0, 0.0]]
    out = NF.log_softmax(x, 1)
    assert out[0, 0].item() == 0.0 and out[0, 2].item() == -2000.0
    assert NF.cross_entropy(x, numtorch.tensor([0])).item() == 0.0


def test_log_softmax_of_short_rows_keeps_inf_and_nan_rows():
    # the transposed path: a row of -inf gives nan (as PyTorch), +inf and nan spread in its row
    x = numtorch.zeros(32, 3)
    x[1] = float("-inf")
    x[2, 0] = float("inf")
    x[3, 1] = float("nan")
    x[4] = numtorch.tensor([1000.0, 0.0, -1000.0])
    out = NF.log_softmax(x, 1)
    assert out.is_contiguous() and out.shape == (32, 3)
    assert out[1].isnan().all() and out[2].isnan().all() and out[3].isnan().all()
    assert out[4].tolist() == [0.0, -1000.0, -2000.0]
    np.testing.assert_allclose(out[5].numpy(), np.log(np.full(3, 1 / 3, np.float32)), rtol=1e-6)


def test_softmax_dtype_and_implicit_dim():
    x = numtorch.tensor([[1.0, 2.0]])
    assert NF.softmax(x, 1, dtype=numtorch.float64).dtype is numtorch.float64
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        NF.softmax(x)


ERRORS = [
    (lambda T, F: F.nll_loss(T.randn(3, 4), T.tensor([0, 1, 5])), IndexError),
    (lambda T, F: F.nll_loss(T.randn(3, 4), T.tensor([0.0, 1, 2])), RuntimeError),
    (lambda T, F: F.nll_loss(T.randn(3, 4), T.tensor([0, 1])), ValueError),
    (lambda T, F: F.cross_entropy(T.randn(3, 4), T.tensor([0, 1])), ValueError),
    (lambda T, F: F.nll_loss(T.randn(2, 3, 4), T.zeros(2, 5, dtype=T.long)), RuntimeError),
    (lambda T, F: F.nll_loss(T.randn(3, 4), T.tensor([0, 1, 2]), weight=T.ones(3)), RuntimeError),
    (
        lambda T, F: F.cross_entropy(T.randn(3, 4), T.tensor([0, 1, 2]), label_smoothing=1.5),
        RuntimeError,
    ),
    (lambda T, F: F.mse_loss(T.randn(3), T.randn(3), reduction="foo"), ValueError),
    (lambda T, F: F.cross_entropy(T.randn(3, 4), T.tensor([1, -3, 2])), IndexError),
    (lambda T, F: F.cross_entropy(T.randn(3, 4), T.tensor([1, 7, 2])), IndexError),
    (lambda T, F: F.nll_loss(T.randn(3, 4), T.tensor([1, 7, 2]), ignore_index=2), IndexError),
    (lambda T, F: F.binary_cross_entropy(T.randn(3) + 2, T.rand(3)), RuntimeError),
    (lambda T, F: F.binary_cross_entropy(T.rand(3, 4), T.rand(3)), ValueError),
    (lambda T, F: F.binary_cross_entropy_with_logits(T.rand(3, 4), T.rand(3)), ValueError),
    (lambda T, F: F.linear(T.randn(3, 4), T.randn(2, 5), T.randn(2)), RuntimeError),
    (lambda T, F: F.softmax(T.randn(3, 4), 2), IndexError),
    (lambda T, F: F.softmax(T.tensor([1, 2]), 0), NotImplementedError),
    (lambda T, F: F.linear(T.ones(2, 3, dtype=T.float64), T.ones(2, 3), T.ones(2)), RuntimeError),
    (lambda T, F: F.linear(T.ones(3, dtype=T.float64), T.ones(2, 4), T.ones(2)), RuntimeError),
    (lambda T, F: F.pad(T.randn(3, 4), (1,)), RuntimeError),
    (lambda T, F: F.pad(T.randn(3, 4), (1, 1), mode="foo"), NotImplementedError),
    (lambda T, F: F.pad(T.randn(3, 4), (1, 1, 1, 1, 1, 1)), RuntimeError),
    (lambda T, F: F.pad(T.randn(1, 3, 4), (4, 4), mode="reflect"), RuntimeError),
    (lambda T, F: F.pad(T.randn(2, 3), (1, 1, 1, 1), mode="reflect"), NotImplementedError),
    (lambda T, F: F.pad(T.randn(1, 5), (6, 1), mode="circular"), RuntimeError),
    (lambda T, F: F.pad(T.randn(1, 5), (1, 1), mode="replicate", value=3), RuntimeError),
    (lambda T, F: F.one_hot(T.tensor([0, 5]), 3), RuntimeError),
    (lambda T, F: F.one_hot(T.tensor([0.0, 1])), RuntimeError),
    (lambda T, F: F.embedding(T.tensor([5]), T.randn(3, 4)), IndexError),
    (lambda T, F: F.dropout(T.randn(3), 1.5), ValueError),
    (
        lambda T, F: F.cosine_embedding_loss(T.randn(3, 4), T.randn(3, 4), T.ones(3, 1)),
        RuntimeError,
    ),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_match_torch(index):
    fn, exc = ERRORS[index]
    with pytest.raises(exc) as ours:
        fn(numtorch, NF)
    torch = pytest.importorskip("torch")
    with pytest.raises(exc) as theirs:
        fn(torch, torch.nn.functional)
    assert str(ours.value).replace("numtorch.", "torch.") == str(theirs.value)


def test_one_hot():
    out = NF.one_hot(numtorch.tensor([[0, 2]]))
    assert out.dtype is numtorch.int64 and out.tolist() == [[[1, 0, 0], [0, 0, 1]]]
    assert NF.one_hot(numtorch.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]


def test_mse_broadcast_warns():
    with pytest.warns(UserWarning, match="Using a target size"):
        NF.mse_loss(numtorch.ones(3, 4), numtorch.ones(4))


def test_kl_div_mean_warns():
    with pytest.warns(UserWarning, match="reduction: 'mean' divides"):
        NF.kl_div(numtorch.zeros(2), numtorch.ones(2))


def test_nll_ignored_targets_match_torch():
    # an ignore_index inside the class range, outside it, and a target equal to it that would
    # be out of range otherwise: losses and gradients of +0 where ignored, as PyTorch's kernel
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((6, 4))
    for target, kw in [
        ([1, 2, 2, 0, 3, 2], dict(ignore_index=2, reduction="none")),
        ([1, 7, 2, 7, 3, 0], dict(ignore_index=7, reduction="none")),
        ([1, -5, 2, -5, 3, 0], dict(ignore_index=-5)),
        ([2, 2, 2, 2, 2, 2], dict(ignore_index=2, reduction="sum")),
    ]:
        results = []
        for lib in (numtorch, torch):
            xs = lib.tensor(x, requires_grad=True)
            out = lib.nn.functional.cross_entropy(xs, lib.tensor(target), **kw)
            out.sum().backward()
            results.append((out.detach().numpy(), xs.grad.numpy()))
        for ours, theirs in zip(*results, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
            assert (np.signbit(ours) == np.signbit(theirs)).all()


def test_nll_all_ignored_is_nan():
    out = NF.cross_entropy(numtorch.randn(3, 4), numtorch.tensor([-100, -100, -100]))
    assert out.isnan().item() if hasattr(out, "isnan") else np.isnan(out.item())


@pytest.mark.parametrize("p", [0.3, 0.5, 0.9])
def test_dropout_matches_torch_mask(p):
    torch = pytest.importorskip("torch")
    numtorch.manual_seed(7)
    ours = NF.dropout(numtorch.ones(4, 50), p)
    torch.manual_seed(7)
    theirs = torch.nn.functional.dropout(torch.ones(4, 50), p)
    np.testing.assert_allclose(to_np(ours), to_np(theirs))
    assert type(ours.grad_fn).__name__ if ours.requires_grad else True


def test_dropout2d_matches_torch_mask():
    torch = pytest.importorskip("torch")
    numtorch.manual_seed(3)
    ours = NF.dropout2d(numtorch.ones(2, 8, 3, 3), 0.5)
    torch.manual_seed(3)
    theirs = torch.nn.functional.dropout2d(torch.ones(2, 8, 3, 3), 0.5)
    np.testing.assert_allclose(to_np(ours), to_np(theirs))


def test_dropout_eval_and_edge_cases():
    x = numtorch.randn(3, requires_grad=True)
    assert NF.dropout(x, 0.5, training=False) is x
    assert NF.dropout(x, 0.0) is x
    assert NF.dropout(x, 1.0).tolist() == [0.0, 0.0, 0.0]
    y = NF.dropout(x, 0.5)
    assert type(y.grad_fn).__name__ == "MulBackward0"


def test_sdpa_dropout_is_unbiased_shape():
    q = numtorch.randn(2, 3, 4)
    out = NF.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert out.shape == (2, 3, 4)


def test_inplace_activations():
    x = numtorch.tensor([-1.0, 2.0])
    assert NF.relu(x, inplace=True) is x and x.tolist() == [0.0, 2.0]
    y = numtorch.tensor([-1.0, 2.0])
    NF.leaky_relu_(y, 0.5)
    assert y.tolist() == [-0.5, 2.0]
    z = numtorch.tensor([-1.0, 2.0], requires_grad=True).clone()
    NF.elu(z, inplace=True)
    assert type(z.grad_fn).__name__ == "EluBackward1"
