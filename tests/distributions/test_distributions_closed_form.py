"""numtorch.distributions without torch: closed-form values, gradcheck of log_prob, rsample
and KL in float64, validation switches, the KL registry, and the modules' doctests."""

from __future__ import annotations

import doctest
import importlib
import math
import pkgutil

import pytest

import numtorch
import numtorch.distributions as D
from numtorch.autograd import gradcheck


def _f64(*values, grad=True):
    return [numtorch.tensor(v, dtype=numtorch.float64, requires_grad=grad) for v in values]


def test_normal_closed_forms():
    d = D.Normal(numtorch.tensor([0.0, 1.0]), numtorch.tensor([1.0, 2.0]))
    lp = d.log_prob(numtorch.tensor([0.0, 1.0]))
    want = [-0.5 * math.log(2 * math.pi), -0.5 * math.log(2 * math.pi) - math.log(2.0)]
    assert lp.tolist() == pytest.approx(want, rel=1e-6)
    assert d.entropy().tolist() == pytest.approx(
        [0.5 + 0.5 * math.log(2 * math.pi), 0.5 + 0.5 * math.log(2 * math.pi) + math.log(2)],
        rel=1e-6,
    )
    assert d.cdf(numtorch.tensor([0.0, 1.0])).tolist() == pytest.approx([0.5, 0.5])
    assert d.icdf(numtorch.tensor([0.5, 0.5])).tolist() == pytest.approx([0.0, 1.0], abs=1e-6)
    assert d.variance.tolist() == [1.0, 4.0]


def test_exponential_family_entropy_matches_closed_form():
    """ExponentialFamily.entropy (autograd of the log-normalizer) against Normal.entropy."""
    d = D.Normal(*_f64([0.3, -1.0], [0.5, 2.0], grad=False))
    generic = D.ExponentialFamily.entropy(d)
    assert generic.tolist() == pytest.approx(d.entropy().tolist(), rel=1e-12)


def test_categorical_closed_forms():
    d = D.Categorical(probs=numtorch.tensor([[1.0, 1.0, 2.0]]))
    assert d.probs.tolist() == [[0.25, 0.25, 0.5]]
    assert d.log_prob(numtorch.tensor([2])).tolist() == pytest.approx([math.log(0.5)])
    want = -(2 * 0.25 * math.log(0.25) + 0.5 * math.log(0.5))
    assert d.entropy().tolist() == pytest.approx([want])
    assert d.enumerate_support().tolist() == [[0], [1], [2]]
    zero = D.Categorical(probs=numtorch.tensor([0.0, 1.0]))
    assert zero.entropy().item() == pytest.approx(0.0, abs=1e-6)  # no nan from 0 * log 0


def test_sample_shapes():
    cases = [
        (D.Normal(numtorch.zeros(3), 1.0), (3,)),
        (D.Categorical(logits=numtorch.zeros(2, 4)), (2,)),
        (D.OneHotCategorical(logits=numtorch.zeros(2, 4)), (2, 4)),
        (D.MultivariateNormal(numtorch.zeros(2), numtorch.eye(2)), (2,)),
        (D.Independent(D.Bernoulli(numtorch.full((2, 3), 0.5)), 2), (2, 3)),
    ]
    for d, base in cases:
        assert tuple(d.sample().shape) == base
        assert tuple(d.sample((4, 5)).shape) == (4, 5) + base
        assert tuple(d._extended_shape((4,))) == (4,) + base


def test_sample_has_no_grad_and_rsample_has():
    loc = numtorch.zeros(2, requires_grad=True)
    d = D.Normal(loc, 1.0)
    assert not d.sample().requires_grad
    assert d.rsample().requires_grad


@pytest.mark.parametrize(
    "make",
    [
        lambda l, s: D.Normal(l, s),
        lambda l, s: D.Laplace(l, s),
        lambda l, s: D.LogNormal(l, s),
        lambda l, s: D.Uniform(l - s, l + s),
        lambda l, s: D.Independent(D.Normal(l, s), 1),
        lambda l, s: D.TransformedDistribution(
            D.Normal(l, s), [D.transforms.AffineTransform(0.5, 2.0), D.transforms.TanhTransform()]
        ),
    ],
)
def test_gradcheck_log_prob_and_rsample(make):
    loc, scale = _f64([0.2, -0.4], [0.7, 1.3])

    numtorch.manual_seed(0)
    x = make(loc, scale).sample((3,))

    def log_prob(l, s):
        return make(l, s).log_prob(x)

    def rsample(l, s):
        numtorch.manual_seed(1)
        return make(l, s).rsample((3,))

    assert gradcheck(log_prob, (loc, scale))
    assert gradcheck(rsample, (loc, scale))


def test_gradcheck_mvn():
    loc, raw = _f64([0.5, -1.0], [[1.2, 0.0], [0.4, 0.8]])
    x = numtorch.tensor([[0.1, 0.3], [1.0, -2.0]], dtype=numtorch.float64)

    def log_prob(l, r):
        return D.MultivariateNormal(l, scale_tril=r.tril()).log_prob(x)

    def log_prob_cov(l, r):
        L = r.tril()
        return D.MultivariateNormal(l, covariance_matrix=L @ L.mT).log_prob(x)

    def rsample(l, r):
        numtorch.manual_seed(2)
        return D.MultivariateNormal(l, scale_tril=r.tril()).rsample((2,))

    for fn in (log_prob, log_prob_cov, rsample):
        assert gradcheck(fn, (loc, raw))


def test_mvn_parametrizations_agree():
    L = numtorch.tensor(
        [[1.5, 0.0, 0.0], [0.3, 0.8, 0.0], [-0.2, 0.1, 0.5]], dtype=numtorch.float64
    )
    cov = L @ L.mT
    loc = numtorch.tensor([0.1, 0.2, 0.3], dtype=numtorch.float64)
    x = numtorch.tensor([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], dtype=numtorch.float64)
    a = D.MultivariateNormal(loc, scale_tril=L)
    b = D.MultivariateNormal(loc, covariance_matrix=cov)
    c = D.MultivariateNormal(loc, precision_matrix=numtorch.linalg.inv(cov))
    for d in (b, c):
        assert d.log_prob(x).tolist() == pytest.approx(a.log_prob(x).tolist(), rel=1e-10)
        assert d.scale_tril.flatten().tolist() == pytest.approx(L.flatten().tolist(), abs=1e-10)
        assert d.entropy().item() == pytest.approx(a.entropy().item(), rel=1e-10)
    prec = a.precision_matrix @ cov
    for i, row in enumerate(prec.tolist()):
        assert row == pytest.approx([float(i == j) for j in range(3)], abs=1e-10)


@pytest.mark.parametrize(
    "pair",
    [
        lambda a, b: (D.Normal(a, b), D.Normal(b, a + 1)),
        lambda a, b: (D.Laplace(a, b), D.Laplace(b, a + 1)),
        lambda a, b: (D.Exponential(b), D.Exponential(a + 1)),
        lambda a, b: (D.Bernoulli(logits=a), D.Bernoulli(logits=b)),
        lambda a, b: (
            D.Categorical(logits=a.unsqueeze(0) * b.unsqueeze(1)),
            D.Categorical(logits=b.unsqueeze(0) - a.unsqueeze(1)),
        ),
    ],
)
def test_gradcheck_kl(pair):
    a, b = _f64([0.2, 0.4], [0.7, 1.3])
    assert gradcheck(lambda x, y: D.kl_divergence(*pair(x, y)), (a, b))


def test_kl_normal_closed_form_and_monte_carlo():
    p, q = D.Normal(0.0, 1.0), D.Normal(1.0, 2.0)
    want = math.log(2.0) + (1 + 1) / (2 * 4) - 0.5
    assert D.kl_divergence(p, q).item() == pytest.approx(want, rel=1e-6)
    numtorch.manual_seed(0)
    x = p.sample((200000,))
    mc = (p.log_prob(x) - q.log_prob(x)).mean().item()
    assert mc == pytest.approx(want, abs=0.01)


def test_kl_registry():
    class Mine(D.Normal):
        pass

    @D.register_kl(Mine, D.Normal)
    def _kl_mine(p, q):
        return numtorch.tensor(42.0)

    assert D.kl_divergence(Mine(0.0, 1.0), D.Normal(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(Mine(0.0, 1.0), Mine(0.0, 1.0)).item() == 42.0
    assert D.kl_divergence(D.Normal(0.0, 1.0), Mine(1.0, 1.0)).item() == pytest.approx(0.5)
    with pytest.raises(NotImplementedError, match="No KL"):
        D.kl_divergence(D.Normal(0.0, 1.0), D.Categorical(numtorch.ones(2)))


def test_validation_can_be_turned_off():
    D.Normal(0.0, -1.0, validate_args=False)
    D.Distribution.set_default_validate_args(False)
    try:
        D.Normal(0.0, -1.0)
        D.Categorical(numtorch.tensor([0.5, 0.5])).log_prob(numtorch.tensor([0]))
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError, match="GreaterThan"):
        D.Normal(0.0, -1.0)


def test_expand_keeps_validation_and_values():
    d = D.Normal(numtorch.tensor([0.0, 1.0]), 2.0)
    e = d.expand((3, 2))
    assert tuple(e.batch_shape) == (3, 2)
    assert e._validate_args == d._validate_args
    assert e.log_prob(numtorch.zeros(3, 2)).tolist()[2] == d.log_prob(numtorch.zeros(2)).tolist()


def test_transform_roundtrips_and_cache():
    x = numtorch.tensor([[-2.0, 0.1, 1.5]], dtype=numtorch.float64)
    T = D.transforms
    for t in (
        T.ExpTransform(),
        T.SigmoidTransform(),
        T.TanhTransform(),
        T.SoftplusTransform(),
        T.AffineTransform(1.0, -3.0),
        T.ComposeTransform([T.AffineTransform(0.0, 0.5), T.ExpTransform()]),
        T.StickBreakingTransform(),
    ):
        back = t.inv(t(x))
        assert back.tolist()[0] == pytest.approx(x.tolist()[0], abs=1e-9), t
    cached = T.TanhTransform(cache_size=1)
    y = cached(numtorch.tensor([30.0]))
    assert cached.inv(y).item() == 30.0  # tanh(30) == 1.0: only the cache can invert it
    assert T.identity_transform(x) is x


def test_constraints():
    C = D.constraints
    assert C.simplex.check(numtorch.tensor([[0.5, 0.5], [0.5, 0.6]])).tolist() == [True, False]
    assert C.lower_cholesky.check(numtorch.tensor([[1.0, 0.0], [2.0, 1.0]])).item()
    assert not C.positive_definite.check(numtorch.tensor([[1.0, 2.0], [2.0, 1.0]])).item()
    assert C.integer_interval(0, 3).check(numtorch.tensor([0.0, 3.0, 1.5])).tolist() == [
        True,
        True,
        False,
    ]
    assert C.is_dependent(D.Uniform.support)
    assert repr(C.independent(C.real, 1)) == "IndependentConstraint(Real(), 1)"
    assert repr(C.interval(0.0, 1.0)) == "Interval(lower_bound=0.0, upper_bound=1.0)"


def test_poisson_without_lgamma():
    d = D.Poisson(numtorch.tensor([2.0, 3.0]))
    assert d.mean.tolist() == [2.0, 3.0]
    assert D.kl_divergence(d, D.Poisson(numtorch.tensor([2.0, 1.0]))).tolist()[0] == 0.0
    if not hasattr(numtorch.Tensor, "lgamma"):
        with pytest.raises(NotImplementedError, match="lgamma"):
            d.log_prob(numtorch.tensor([1.0, 2.0]))


MODULES = sorted(
    ["numtorch.distributions"]
    + ["numtorch.distributions." + m.name for m in pkgutil.iter_modules(D.__path__)]
)


@pytest.mark.parametrize("name", MODULES)
def test_module_doctests(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags)
    assert result.attempted > 0 and result.failed == 0, name
