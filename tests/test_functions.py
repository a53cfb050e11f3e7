# ruff: noqa: E501  (the case table keeps one call per line)
"""Top-level functions of ``numtorch/_functions.py``: the ``torch.conv2d``-style forms of
nn.functional (ATen's signatures), composite math (diff, trapezoid, cov ...), small utilities;
values, dtypes and gradients against PyTorch, plus torch-free checks."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck

RNG = np.random.default_rng(3)
X = RNG.standard_normal((2, 3))
Y = RNG.standard_normal((2, 3))
P = RNG.uniform(0.1, 0.9, (2, 3))
SIG = RNG.standard_normal(6)
KER = RNG.standard_normal(3)

# name -> call(T); every call builds its inputs from the arrays above
CASES = {
    "conv1d": lambda T: T.conv1d(T.tensor(SIG).view(1, 1, 6), T.tensor(KER).view(1, 1, 3), None, 1, 1),
    "conv_transpose1d": lambda T: T.conv_transpose1d(T.tensor(SIG).view(1, 1, 6), T.tensor(KER).view(1, 1, 3)),
    "max_pool2d": lambda T: T.max_pool2d(T.tensor(SIG).view(1, 2, 3), 2, (), 0, 1, True),
    "max_pool1d_with_indices": lambda T: T.max_pool1d_with_indices(T.tensor(X), 2)[1],
    "avg_pool1d": lambda T: T.avg_pool1d(T.tensor(X), 2, 1),
    "adaptive_max_pool1d": lambda T: T.adaptive_max_pool1d(T.tensor(X).view(1, 2, 3), 2)[1],
    "dropout_eval": lambda T: T.dropout(T.tensor(X), 0.3, False),
    "batch_norm": lambda T: T.batch_norm(T.tensor(X), None, None, None, None, True, 0.1, 1e-5, False),
    "instance_norm": lambda T: T.instance_norm(T.tensor(X).view(1, 2, 3), None, None, None, None,
                                               True, 0.1, 1e-5, False),
    "layer_norm": lambda T: T.layer_norm(T.tensor(X), [3]),
    "group_norm": lambda T: T.group_norm(T.tensor(X).view(1, 2, 3), 2),
    "rms_norm": lambda T: T.rms_norm(T.tensor(X), [3]),
    "embedding": lambda T: T.embedding(T.tensor(X), T.tensor([1, 0, 1])),
    "channel_shuffle": lambda T: T.channel_shuffle(T.arange(12.0).view(1, 4, 3), 2),
    "prelu": lambda T: T.prelu(T.tensor(X), T.tensor(np.array([0.25]))),
    "selu": lambda T: T.selu(T.tensor(X)),
    "celu": lambda T: T.celu(T.tensor(X), 0.5),
    "threshold": lambda T: T.threshold(T.tensor(X), 0.1, 20.0),
    "hardshrink": lambda T: T.hardshrink(T.tensor(X)),
    "cosine_similarity": lambda T: T.cosine_similarity(T.tensor(X), T.tensor(Y)),
    "pairwise_distance": lambda T: T.pairwise_distance(T.tensor(X), T.tensor(Y)),
    "pdist": lambda T: T.pdist(T.tensor(RNG_ROWS)),
    "pdist_p1": lambda T: T.pdist(T.tensor(RNG_ROWS), 1.0),
    "kl_div_sum": lambda T: T.kl_div(T.tensor(X), T.tensor(P), 2),
    "bce_logits_none": lambda T: T.binary_cross_entropy_with_logits(T.tensor(X), T.tensor(P), None, None, 0),
    "margin_ranking": lambda T: T.margin_ranking_loss(T.tensor(X), T.tensor(Y), T.tensor(np.sign(P - 0.5))),
    "hinge_embedding": lambda T: T.hinge_embedding_loss(T.tensor(X), T.tensor(np.sign(P - 0.5)), 1.0, 2),
    "poisson_nll": lambda T: T.poisson_nll_loss(T.tensor(X), T.tensor(P), True, True, 1e-8, 1),
    "triplet": lambda T: T.triplet_margin_loss(T.tensor(X), T.tensor(Y), T.tensor(P)),
    "triplet_mean": lambda T: T.triplet_margin_loss(T.tensor(X), T.tensor(Y), T.tensor(P), 1.0, 2.0, 1e-6, False, 1),
    "kl_div_default": lambda T: T.kl_div(T.tensor(X), T.tensor(P)),
    "ctc_loss": lambda T: T.ctc_loss(T.tensor(CTC), T.tensor([[1, 2]]), [4], [2]),
    "ctc_loss_sum": lambda T: T.ctc_loss(T.tensor(CTC), T.tensor([[1, 2]]), [4], [2], 0, 2),
    "heaviside": lambda T: T.heaviside(T.tensor([-1.0, 0.0, 2.0]), T.tensor([0.5])),
    "float_power": lambda T: T.float_power(T.tensor([2, 3]), T.tensor([0.5])),
    "ldexp": lambda T: T.ldexp(T.tensor(X), T.tensor([1, 2, 3])),
    "frexp": lambda T: T.frexp(T.tensor(X))[1],
    "nextafter": lambda T: T.nextafter(T.tensor(X), T.tensor(Y)),
    "gcd": lambda T: T.gcd(T.tensor([12, -18, 0]), T.tensor([8, 12, 0])),
    "lcm": lambda T: T.lcm(T.tensor([4, -6]), T.tensor([6, 4])),
    "logcumsumexp": lambda T: T.logcumsumexp(T.tensor(X), 1),
    "diff": lambda T: T.diff(T.tensor(X), 2, 0, append=T.tensor(Y)),
    "diff_bool": lambda T: T.diff(T.tensor([True, False, False])),
    "trapezoid_x": lambda T: T.trapezoid(T.tensor(X), T.tensor([0.0, 1.0, 3.0])),
    "trapz_dx": lambda T: T.trapz(T.tensor(X), dx=0.5, dim=0),
    "cumulative_trapezoid": lambda T: T.cumulative_trapezoid(T.tensor(X), dx=0.5, dim=0),
    "cov": lambda T: T.cov(T.tensor(X)),
    "cov_weights": lambda T: T.cov(T.tensor(X), correction=0, fweights=T.tensor([1, 2, 1]),
                                   aweights=T.tensor([0.2, 1.0, 2.0])),
    "corrcoef": lambda T: T.corrcoef(T.tensor(X)),
    "dist": lambda T: T.dist(T.tensor(X), T.tensor(Y), 3),
    "dist_inf": lambda T: T.dist(T.tensor(X), T.tensor(Y), float("inf")),
    "renorm": lambda T: T.renorm(T.tensor(X), 2, 0, 1.0),
    "isin": lambda T: T.isin(T.tensor([1, 2, 3]), T.tensor([2])),
    "bucketize": lambda T: T.bucketize(T.tensor(X), T.tensor([-1.0, 0.0, 1.0]), right=True),
    "searchsorted_2d": lambda T: T.searchsorted(T.tensor(np.sort(X, 1)), T.tensor(Y)),
    "histogram": lambda T: T.histogram(T.tensor(X), 3)[0],
    "histogram_edges": lambda T: T.histogram(T.tensor(X), 3, range=(-1.0, 1.0))[1],
    "cartesian_prod": lambda T: T.cartesian_prod(T.tensor([1, 2]), T.tensor([3, 4, 5])),
    "combinations": lambda T: T.combinations(T.tensor([1.0, 2.0, 3.0]), 3, True),
    "block_diag": lambda T: T.block_diag(T.tensor(X), T.tensor([1.0])),
    "vander": lambda T: T.vander(T.tensor([1.0, 2.0, 3.0]), 4),
    "addr": lambda T: T.addr(T.tensor(X), T.tensor([1.0, 2.0]), T.tensor([1.0, 2.0, 3.0]), beta=0.5, alpha=2),
    "addr_beta0": lambda T: T.addr(T.tensor(X) * np.nan, T.tensor([1.0, 2.0]), T.tensor([1.0, 2.0, 3.0]), beta=0),
    "scalar_tensor": lambda T: T.scalar_tensor(2),
    "matrix_exp": lambda T: T.matrix_exp(T.tensor(RNG_ROWS[:3]) * 3),
    "ravel": lambda T: T.ravel(T.tensor(X).t()),
    "fill": lambda T: T.fill(T.tensor([1, 2]), 5),
    "logaddexp": lambda T: T.logaddexp(T.tensor(X), T.tensor(Y)),
    "deg2rad_int": lambda T: T.deg2rad(T.tensor([180, 90])),
    "copysign_scalar": lambda T: T.copysign(T.tensor([1, 2]), -0.0),
}  # fmt: skip
RNG_ROWS = RNG.standard_normal((4, 3))
_L = RNG.standard_normal((4, 1, 3))
CTC = _L - np.log(np.exp(_L).sum(2, keepdims=True))


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_torch(name):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        ours, ref = CASES[name](numtorch), CASES[name](torch)
    assert str(ours.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1]
    assert tuple(ours.shape) == tuple(ref.shape)
    np.testing.assert_allclose(ours.numpy(), ref.numpy(), rtol=1e-6, atol=1e-7, equal_nan=True)


# differentiable composites: name -> (call(T, x), input)
GRADS = {
    "diff": (lambda T, x: T.diff(x, 2, 1), X),
    "trapezoid": (lambda T, x: T.trapezoid(x, dx=0.3), X),
    "cumulative_trapezoid": (lambda T, x: T.cumulative_trapezoid(x, dim=0), X),
    "cov": (lambda T, x: T.cov(x), X),
    "corrcoef": (lambda T, x: T.corrcoef(x), X),
    "renorm": (lambda T, x: T.renorm(x, 2, 0, 1.0), X),
    "pdist": (lambda T, x: T.pdist(x), RNG_ROWS),
    "logcumsumexp": (lambda T, x: T.logcumsumexp(x, 0), X),
    "float_power": (lambda T, x: T.float_power(x.abs() + 0.5, 1.7), X),
    "vander": (lambda T, x: T.vander(x[0] * 1, 3), X),
    "addr": (lambda T, x: T.addr(x, x[:, 0], x[0], beta=2), X),
    "block_diag": (lambda T, x: T.block_diag(x, x[0]), X),
    "cartesian_prod": (lambda T, x: T.cartesian_prod(x[0], x[1]), X),
    "dist": (lambda T, x: T.dist(x, x.flip(0) * 0.5), X),
    "matrix_exp": (lambda T, x: T.matrix_exp(x), RNG_ROWS[:3]),
}


@pytest.mark.parametrize("name", sorted(GRADS))
def test_gradcheck(name):
    call, x = GRADS[name]
    assert gradcheck(lambda a: call(numtorch, a), (numtorch.tensor(x, requires_grad=True),))


# torch 2.x's own vander backward fails (an in-place cumprod on a view): gradcheck only
@pytest.mark.parametrize("name", sorted(set(GRADS) - {"vander"}))
def test_grads_match_torch(name):
    torch = pytest.importorskip("torch")
    call, x = GRADS[name]
    xn, xt = numtorch.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    on, ot = call(numtorch, xn), call(torch, xt)
    g = RNG.standard_normal(tuple(ot.shape))
    (gn,) = numtorch.autograd.grad(on, xn, numtorch.tensor(g))
    (gt,) = torch.autograd.grad(ot, xt, torch.tensor(g))
    np.testing.assert_allclose(gn.numpy(), gt.numpy(), rtol=1e-6, atol=1e-8)


def test_signatures_follow_aten():
    x = numtorch.tensor([[1.0, 3.0, 2.0, 0.0]])
    assert numtorch.max_pool1d(x, 2).tolist() == [[3.0, 2.0]]  # values only
    values, indices = numtorch.adaptive_max_pool1d(x, 1)
    assert values.tolist() == [[3.0]] and indices.tolist() == [[1]]
    with pytest.raises(TypeError):
        numtorch.dropout(x, 0.5)  # type: ignore[call-arg]  # train is required
    w = numtorch.eye(3)
    assert numtorch.embedding(w, numtorch.tensor([2])).tolist() == [[0.0, 0.0, 1.0]]


def test_utilities():
    assert numtorch.is_nonzero(numtorch.tensor([2]))
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        numtorch.is_nonzero(numtorch.tensor([1, 2]))
    assert numtorch.is_same_size(numtorch.ones(2), numtorch.zeros(2))
    assert not numtorch.is_neg(numtorch.ones(1))
    assert not numtorch.is_signed(numtorch.tensor([1], dtype=numtorch.uint8))
    assert numtorch.empty_strided((2, 3), (1, 2)).stride() == (1, 2)
    assert numtorch.scalar_tensor(1).dtype == numtorch.float32
    frexp = numtorch.frexp(numtorch.tensor([8.0]))
    assert frexp.mantissa.tolist() == [0.5] and frexp.exponent.dtype == numtorch.int32
    hist = numtorch.histogram(numtorch.tensor([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0))
    assert hist.hist.tolist() == [0.0, 2.0, 1.0, 0.0]
    x = numtorch.tensor([12, 18])
    numtorch.gcd_(x, numtorch.tensor([8, 12]))
    assert x.tolist() == [4, 6]
    with pytest.raises(NotImplementedError, match="\"gcd_cpu\" not implemented for 'Float'"):
        numtorch.gcd(numtorch.tensor([1.0]), numtorch.tensor([2.0]))
    with pytest.raises(RuntimeError, match="different dtypes"):
        numtorch.heaviside(numtorch.tensor([1.0]), numtorch.tensor([1]))


def test_chain_matmul_warns():
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        out = numtorch.chain_matmul(numtorch.eye(2), numtorch.ones(2, 1))
    assert out.tolist() == [[1.0], [1.0]]


@pytest.mark.parametrize(
    "module", ["numtorch._functions", "numtorch.special", "numtorch.fft", "numtorch.ops.special"]
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # chain_matmul's deprecation
        result = doctest.testmod(
            mod, globs={"numtorch": numtorch}, optionflags=doctest.NORMALIZE_WHITESPACE
        )
    assert result.failed == 0 and result.attempted > 0
