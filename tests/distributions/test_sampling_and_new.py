"""Gamma-family and binomial sampling, and the distributions ported from torch.distributions.

Samples of Gamma, Chi2, Beta, Dirichlet and Binomial come from numtorch's generator with
PyTorch's algorithms but not its exact stream, so they are checked statistically (fixed seeds,
closed-form moments, KS / chi-square tests) and for shapes and dtypes; reparameterized gradients
are checked against finite differences of the inverse CDF and against torch's values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch
import numtorch.distributions as D
from numtorch.distributions._samplers import (
    _standard_gamma_grad_array,
    binomial,
    standard_gamma,
    standard_gamma_grad,
)

F32, F64 = numtorch.float32, numtorch.float64


def _np(t):
    return t.detach().numpy().astype(np.float64)


def _ks_p(x, cdf):
    stats = pytest.importorskip("scipy.stats")
    return stats.kstest(np.asarray(x, dtype=np.float64).ravel(), cdf).pvalue


# -- gamma ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [0.3, 1.0, 4.5, 80.0])
def test_gamma_samples_match_the_distribution(alpha):
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(0)
    x = _np(
        D.Gamma(numtorch.tensor(alpha, dtype=F64), numtorch.tensor(2.0, dtype=F64)).sample((20000,))
    )
    assert _ks_p(x, stats.gamma(alpha, scale=0.5).cdf) > 1e-3
    n = x.size
    assert abs(x.mean() - alpha / 2) < 5 * math.sqrt(alpha / 4 / n)
    assert abs(x.var() / (alpha / 4) - 1) < 0.06


def test_gamma_moments_without_scipy():
    numtorch.manual_seed(1)
    alpha = numtorch.tensor([0.1, 0.5, 2.0, 30.0])
    rate = numtorch.tensor([1.0, 3.0, 0.5, 2.0])
    x = _np(D.Gamma(alpha, rate).sample((40000,)))
    mean, var = _np(alpha / rate), _np(alpha / rate**2)
    np.testing.assert_allclose(x.mean(0), mean, rtol=0.03)
    np.testing.assert_allclose(x.var(0), var, rtol=0.08)
    assert (x > 0).all()


@pytest.mark.parametrize("dtype", [F32, F64])
@pytest.mark.parametrize("sample_shape", [(), (3,), (2, 4)])
def test_gamma_family_shapes_and_dtypes(dtype, sample_shape):
    conc = numtorch.tensor([[1.0, 2.0, 0.5]], dtype=dtype).expand(2, 3)
    cases = [
        (D.Gamma(conc, 2.0), (2, 3)),
        (D.Chi2(conc), (2, 3)),
        (D.Beta(conc, conc + 1), (2, 3)),
        (D.Dirichlet(conc), (2, 3)),
        (D.Binomial(10, probs=conc / 3), (2, 3)),
        (D.Gamma(1.5, 2.0), ()),
        (D.Beta(1.5, 2.0), ()),
    ]
    for d, batch in cases:
        for method in ("sample", "rsample") if d.has_rsample else ("sample",):
            s = getattr(d, method)(sample_shape)
            assert tuple(s.shape) == tuple(sample_shape) + batch
            expected = dtype if batch else numtorch.get_default_dtype()
            assert s.dtype == expected


def test_gamma_family_shapes_equal_torch():
    torch = pytest.importorskip("torch")
    for T, Dist in ((numtorch, D), (torch, torch.distributions)):
        conc = T.tensor([[1.0, 2.0], [0.5, 3.0]], dtype=T.float64)
        dists = [
            Dist.Gamma(conc, 1.0),
            Dist.Chi2(conc),
            Dist.Beta(conc, conc),
            Dist.Dirichlet(conc),
            Dist.Binomial(5, conc / 4),
            Dist.Gamma(2.0, 1.0),
        ]
        shapes = [tuple(d.sample((3, 1)).shape) for d in dists]
        dtypes = [str(d.sample((3, 1)).dtype).split(".")[-1] for d in dists]
        if T is numtorch:
            mine = (shapes, dtypes)
        else:
            assert mine == (shapes, dtypes)


def test_gamma_sampling_is_reproducible():
    d = D.Gamma(numtorch.tensor([0.5, 3.0]), numtorch.tensor([1.0, 2.0]))
    numtorch.manual_seed(42)
    a = d.sample((100,))
    numtorch.manual_seed(42)
    b = d.sample((100,))
    assert numtorch.equal(a, b)
    g = numtorch.Generator().manual_seed(5)
    h = numtorch.Generator().manual_seed(5)
    assert numtorch.equal(
        standard_gamma(numtorch.ones(50), g), standard_gamma(numtorch.ones(50), h)
    )


def test_standard_gamma_edges():
    out = standard_gamma(numtorch.tensor([0.0, float("nan"), float("inf")], dtype=F64))
    assert out[0].item() == np.finfo(np.float64).tiny
    assert math.isnan(out[1].item()) and math.isinf(out[2].item())
    numtorch.manual_seed(0)
    tiny = standard_gamma(numtorch.full((1000,), 1e-3))
    assert (tiny > 0).all()


@pytest.mark.parametrize("alpha", [0.01, 0.4, 1.0, 3.0, 50.0, 2000.0])
def test_standard_gamma_grad_matches_inverse_cdf_differences(alpha):
    special = pytest.importorskip("scipy.special")
    numtorch.manual_seed(3)
    x = _np(standard_gamma(numtorch.full((30,), alpha, dtype=F64)))
    x = x[x > 1e-200]
    u = special.gammainc(alpha, x)
    keep = (u > 1e-12) & (u < 1 - 1e-9)
    x, u = x[keep], u[keep]
    h = 1e-5 * alpha
    fd = (special.gammaincinv(alpha + h, u) - special.gammaincinv(alpha - h, u)) / (2 * h)
    grad = _standard_gamma_grad_array(np.full(x.shape, alpha), x)
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


def test_standard_gamma_grad_matches_torch():
    torch = pytest.importorskip("torch")
    for alpha in (0.05, 0.5, 1.0, 3.0, 20.0, 500.0):
        torch.manual_seed(0)
        a_t = torch.full((500,), alpha, dtype=torch.float64)
        x_t = torch._standard_gamma(a_t)
        ref = torch._standard_gamma_grad(a_t, x_t).numpy()
        mine = standard_gamma_grad(
            numtorch.tensor(a_t.numpy()), numtorch.tensor(x_t.numpy())
        ).numpy()
        # torch's value is a rational approximation good to a few 1e-4
        np.testing.assert_allclose(mine, ref, rtol=2e-3)


def test_gamma_rsample_gradients_are_unbiased():
    numtorch.manual_seed(4)
    alpha = numtorch.tensor([0.4, 2.0, 9.0], dtype=F64, requires_grad=True)
    rate = numtorch.tensor([1.0, 2.0, 0.5], dtype=F64, requires_grad=True)
    D.Gamma(alpha, rate).rsample((40000,)).mean(0).sum().backward()
    a, r = _np(alpha), _np(rate)
    # d E[x] / d alpha = 1 / rate, d E[x] / d rate = -alpha / rate^2
    np.testing.assert_allclose(_np(alpha.grad), 1 / r, rtol=0.03)
    np.testing.assert_allclose(_np(rate.grad), -a / r**2, rtol=0.03)


def test_gamma_rsample_gradient_is_the_implicit_one():
    numtorch.manual_seed(5)
    alpha = numtorch.tensor([0.7, 4.0], dtype=F64, requires_grad=True)
    x = D.Gamma(alpha, 1.0).rsample((5,))
    x.sum().backward()
    expected = _standard_gamma_grad_array(np.broadcast_to(_np(alpha), x.shape), _np(x)).sum(0)
    np.testing.assert_allclose(_np(alpha.grad), expected, rtol=1e-12)


def test_chi2_samples():
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(6)
    x = _np(D.Chi2(numtorch.tensor(3.0, dtype=F64)).sample((20000,)))
    assert _ks_p(x, stats.chi2(3.0).cdf) > 1e-3
    df = numtorch.tensor([2.0, 5.0], requires_grad=True)
    D.Chi2(df).rsample((20000,)).mean(0).sum().backward()
    np.testing.assert_allclose(_np(df.grad), [1.0, 1.0], rtol=0.04)


@pytest.mark.parametrize("a,b", [(0.5, 0.5), (2.0, 5.0), (30.0, 4.0)])
def test_beta_samples(a, b):
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(7)
    x = _np(D.Beta(numtorch.tensor(a, dtype=F64), numtorch.tensor(b, dtype=F64)).sample((20000,)))
    assert ((x > 0) & (x < 1)).all()
    assert _ks_p(x, stats.beta(a, b).cdf) > 1e-3


def test_beta_rsample_gradients_are_unbiased():
    numtorch.manual_seed(8)
    c1 = numtorch.tensor([2.0, 0.6], dtype=F64, requires_grad=True)
    c0 = numtorch.tensor([3.0, 1.5], dtype=F64, requires_grad=True)
    D.Beta(c1, c0).rsample((40000,)).mean(0).sum().backward()
    a, b = _np(c1), _np(c0)
    np.testing.assert_allclose(_np(c1.grad), b / (a + b) ** 2, rtol=0.04)
    np.testing.assert_allclose(_np(c0.grad), -a / (a + b) ** 2, rtol=0.04)


def test_dirichlet_samples_and_gradients():
    numtorch.manual_seed(9)
    conc = numtorch.tensor([0.5, 2.0, 3.5], dtype=F64, requires_grad=True)
    d = D.Dirichlet(conc)
    x = d.rsample((40000,))
    xs = _np(x)
    np.testing.assert_allclose(xs.sum(-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(xs.mean(0), _np(d.mean), rtol=0.02)
    np.testing.assert_allclose(xs.var(0), _np(d.variance), rtol=0.05)
    x[:, 0].mean().backward()
    c = _np(conc)
    total = c.sum()
    # d E[x_0] / d alpha_j = (delta_0j total - alpha_0) / total^2
    expected = (np.eye(3)[0] * total - c[0]) / total**2
    np.testing.assert_allclose(_np(conc.grad), expected, rtol=0.05, atol=2e-3)


def test_dirichlet_float32_small_concentrations_stay_on_the_simplex():
    numtorch.manual_seed(10)
    x = D.Dirichlet(numtorch.tensor([0.01, 0.02, 0.05])).sample((200,))
    assert x.dtype == F32
    assert bool((x > 0).all()) and bool((x < 1).all())
    np.testing.assert_allclose(_np(x.sum(-1)), 1.0, atol=1e-6)


# -- binomial ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "n,p", [(5, 0.3), (30, 0.9), (1000, 0.4), (50, 0.5), (7, 0.99), (200, 0.02)]
)
def test_binomial_samples_match_the_pmf(n, p):
    numtorch.manual_seed(11)
    x = _np(D.Binomial(n, numtorch.tensor(p, dtype=F64)).sample((40000,))).astype(int)
    assert x.min() >= 0 and x.max() <= n
    k = np.arange(n + 1)
    pmf = np.exp(
        _np(D.Binomial(n, numtorch.tensor(p, dtype=F64)).log_prob(numtorch.tensor(k, dtype=F64)))
    )
    expected = pmf * x.size
    observed = np.bincount(x, minlength=n + 1)
    keep = expected > 5
    chi2 = (((observed[keep] - expected[keep]) ** 2) / expected[keep]).sum()
    dof = keep.sum() - 1
    # a 5-sigma bound on a chi-square with dof degrees of freedom
    assert chi2 < dof + 5 * math.sqrt(2 * dof)
    assert abs(x.mean() - n * p) < 5 * math.sqrt(n * p * (1 - p) / x.size)


def test_binomial_batches_and_edges():
    numtorch.manual_seed(12)
    counts = numtorch.tensor([0.0, 10.0, 10.0, 100.0, 3.0])
    probs = numtorch.tensor([0.5, 0.0, 1.0, 0.7, 0.2])
    x = D.Binomial(counts, probs).sample((20000,))
    xs = _np(x)
    assert xs[:, 0].max() == 0 and xs[:, 1].max() == 0 and (xs[:, 2] == 10).all()
    np.testing.assert_allclose(xs.mean(0)[3:], [70.0, 0.6], rtol=0.02)
    np.testing.assert_allclose(xs.var(0)[3:], [21.0, 0.48], rtol=0.06)
    assert (xs == np.floor(xs)).all()
    out = binomial(numtorch.tensor([4.0], dtype=F64), numtorch.tensor([0.5], dtype=F64))
    assert out.dtype == F64


def test_binomial_from_logits_and_reproducible():
    d = D.Binomial(20, logits=numtorch.tensor([-1.0, 2.0]))
    numtorch.manual_seed(13)
    a = d.sample((1000,))
    numtorch.manual_seed(13)
    assert numtorch.equal(a, d.sample((1000,)))
    np.testing.assert_allclose(_np(a.mean(0)), _np(d.mean), rtol=0.05)


# -- the new distributions against torch ---------------------------------------------------------


def _new_cases(T, dtype):
    def t(v):
        return T.tensor(v, dtype=dtype)

    Dist = D if T is numtorch else pytest.importorskip("torch").distributions
    return {
        "studentT": (
            Dist.StudentT(
                t([0.7, 1.5, 3.0, 10.0]), t([0.0, 1.0, -2.0, 0.5]), t([1.0, 2.0, 0.5, 3.0])
            ),
            t([0.3, -1.0, 2.0, 0.0]),
        ),
        "fisher": (
            Dist.FisherSnedecor(t([1.0, 3.0, 6.0, 10.0]), t([2.0, 5.0, 8.0, 3.0])),
            t([0.5, 1.0, 2.0, 0.1]),
        ),
        "vonmises": (
            Dist.VonMises(t([0.0, 1.0, -2.0, 3.0]), t([0.5, 2.0, 5.0, 20.0])),
            t([0.3, 1.0, 4.0, -3.0]),
        ),
        "negbin": (
            Dist.NegativeBinomial(t([1.0, 3.0, 0.5, 10.0]), t([0.2, 0.5, 0.8, 0.05])),
            t([0.0, 2.0, 5.0, 1.0]),
        ),
        "negbin_logits": (
            Dist.NegativeBinomial(t([2.0, 4.0]), logits=t([-1.0, 1.5])),
            t([3.0, 0.0]),
        ),
        "multinomial": (
            Dist.Multinomial(6, t([[0.2, 0.3, 0.5], [1.0, 1.0, 2.0]])),
            t([[1.0, 2.0, 3.0], [0.0, 6.0, 0.0]]),
        ),
        "multinomial_logits": (Dist.Multinomial(4, logits=t([0.5, -1.0, 2.0])), t([1.0, 1.0, 2.0])),
        "cb": (
            Dist.ContinuousBernoulli(t([0.1, 0.4995, 0.5, 0.8, 0.999])),
            t([0.2, 0.5, 0.9, 0.0, 1.0]),
        ),
        "cb_logits": (
            Dist.ContinuousBernoulli(logits=t([-3.0, 0.0, 0.002, 2.0])),
            t([0.2, 0.5, 0.7, 0.95]),
        ),
        "logistic_normal": (
            Dist.LogisticNormal(t([0.0, 1.0, -1.0]), t([1.0, 0.5, 2.0])),
            t([0.2, 0.3, 0.1, 0.4]),
        ),
    }


_METHODS = ("log_prob", "entropy", "mean", "mode", "variance", "cdf", "icdf")


def _call(d, method, value):
    attr = getattr(d, method)
    if method in ("log_prob", "cdf"):
        return attr(value)
    if method == "icdf":
        return attr(value.clamp(0.05, 0.95))
    return attr() if callable(attr) else attr


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_new_cases(numtorch, F32)))
def test_new_distributions_match_torch(name, dtype):
    torch = pytest.importorskip("torch")
    d_n, v_n = _new_cases(numtorch, getattr(numtorch, dtype))[name]
    d_t, v_t = _new_cases(torch, getattr(torch, dtype))[name]
    rtol = 2e-5 if dtype == "float32" else 1e-10
    checked = 0
    for method in _METHODS:
        try:
            ref = _call(d_t, method, v_t)
        except NotImplementedError:
            with pytest.raises(NotImplementedError):
                _call(d_n, method, v_n)
            continue
        got = _call(d_n, method, v_n)
        assert str(got.dtype).split(".")[-1] == str(ref.dtype).split(".")[-1], method
        np.testing.assert_allclose(
            _np(got), ref.detach().double().numpy(), rtol=rtol, atol=rtol, err_msg=method
        )
        checked += 1
    assert checked >= (1 if name == "logistic_normal" else 3)
    assert repr(d_n).replace("numtorch.", "torch.") == repr(d_t)
    assert d_n.batch_shape == tuple(d_t.batch_shape)
    assert d_n.event_shape == tuple(d_t.event_shape)
    assert d_n.has_rsample == d_t.has_rsample
    assert sorted(d_n.arg_constraints) == sorted(d_t.arg_constraints)
    assert type(d_n.support).__name__ == type(d_t.support).__name__
    e_n, e_t = d_n.expand((2,) + tuple(d_n.batch_shape)), d_t.expand((2,) + tuple(d_t.batch_shape))
    assert e_n.batch_shape == tuple(e_t.batch_shape)
    np.testing.assert_allclose(
        _np(e_n.log_prob(v_n)), e_t.log_prob(v_t).detach().double().numpy(), rtol=rtol, atol=rtol
    )


def test_scalar_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for T, Dist in ((numtorch, D), (torch, torch.distributions)):
        reprs = [
            repr(Dist.StudentT(2.0)),
            repr(Dist.FisherSnedecor(1.0, 2.0)),
            repr(Dist.VonMises(T.tensor(1.0), T.tensor(2.0))),
            repr(Dist.NegativeBinomial(3.0, T.tensor(0.3))),
            repr(Dist.Multinomial(5, T.tensor([0.2, 0.8]))),
            repr(Dist.ContinuousBernoulli(0.3)),
            repr(Dist.ContinuousBernoulli(logits=T.tensor([0.3, 0.1]))),
            repr(Dist.LogisticNormal(T.zeros(3), T.ones(3))),
        ]
        if T is numtorch:
            mine = [r.replace("numtorch.", "torch.") for r in reprs]
        else:
            assert mine == reprs


def test_samples_equal_torch_where_the_stream_is_shared():
    torch = pytest.importorskip("torch")
    for name in (
        "vonmises",
        "multinomial",
        "multinomial_logits",
        "cb",
        "cb_logits",
        "logistic_normal",
    ):
        d_n, _ = _new_cases(numtorch, F32)[name]
        d_t, _ = _new_cases(torch, torch.float32)[name]
        for shape in ((), (5,)):
            numtorch.manual_seed(0)
            torch.manual_seed(0)
            a, b = d_n.sample(shape), d_t.sample(shape)
            assert tuple(a.shape) == tuple(b.shape)
            np.testing.assert_allclose(
                _np(a), b.double().numpy(), rtol=1e-5, atol=1e-6, err_msg=name
            )


def test_new_kl_pairs_match_torch():
    torch = pytest.importorskip("torch")
    out = {}
    for T, Dist in ((numtorch, D), (torch, torch.distributions)):
        cb = Dist.ContinuousBernoulli(T.tensor([0.2, 0.7]))
        cb2 = Dist.ContinuousBernoulli(T.tensor([0.6, 0.4]))
        others = [
            (cb, cb2),
            (cb, Dist.Exponential(T.tensor([1.0, 2.0]))),
            (cb, Dist.Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, 2.0]))),
            (cb, Dist.Uniform(T.tensor([-1.0, 0.2]), T.tensor([2.0, 3.0]))),
            (cb, Dist.Pareto(T.tensor([1.0, 1.0]), T.tensor([2.0, 2.0]))),
            (Dist.Beta(T.tensor([2.0, 0.5]), T.tensor([3.0, 1.0])), cb),
            (Dist.Uniform(T.tensor([0.1, -1.0]), T.tensor([0.6, 0.5])), cb),
            (Dist.Exponential(T.tensor([1.0, 2.0])), cb),
            (Dist.Gamma(T.tensor([1.0, 2.0]), T.tensor([1.0, 2.0])), cb),
            (Dist.Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, 2.0])), cb),
        ]
        out[T] = [Dist.kl_divergence(p, q).double().numpy() for p, q in others]
    for a, b in zip(out[numtorch], out[torch], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5)


# -- statistics of the new samplers (no torch needed) --------------------------------------------


def test_student_t_samples_and_gradients():
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(14)
    x = _np(D.StudentT(numtorch.tensor(4.0, dtype=F64), 1.0, 2.0).sample((20000,)))
    assert _ks_p(x, stats.t(4.0, loc=1.0, scale=2.0).cdf) > 1e-3
    loc = numtorch.tensor([0.5], dtype=F64, requires_grad=True)
    scale = numtorch.tensor([2.0], dtype=F64, requires_grad=True)
    numtorch.manual_seed(15)
    s = D.StudentT(numtorch.tensor([3.0], dtype=F64), loc, scale).rsample((4,))
    s.sum().backward()
    eps = 1e-6
    numtorch.manual_seed(15)
    up = D.StudentT(numtorch.tensor([3.0], dtype=F64), 0.5, 2.0 + eps).rsample((4,))
    numtorch.manual_seed(15)
    down = D.StudentT(numtorch.tensor([3.0], dtype=F64), 0.5, 2.0 - eps).rsample((4,))
    fd = (_np(up) - _np(down)).sum() / (2 * eps)
    np.testing.assert_allclose(_np(scale.grad), [fd], rtol=1e-6)
    assert loc.grad.item() == 4.0


def test_fisher_snedecor_samples():
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(16)
    d = D.FisherSnedecor(numtorch.tensor(5.0, dtype=F64), numtorch.tensor(9.0, dtype=F64))
    x = _np(d.sample((20000,)))
    assert _ks_p(x, stats.f(5.0, 9.0).cdf) > 1e-3
    df1 = numtorch.tensor(5.0, requires_grad=True)
    D.FisherSnedecor(df1, 9.0).rsample((10,)).sum().backward()
    assert math.isfinite(df1.grad.item())


def test_von_mises_samples():
    stats = pytest.importorskip("scipy.stats")
    numtorch.manual_seed(17)
    x = _np(D.VonMises(numtorch.tensor(1.0), numtorch.tensor(3.0)).sample((20000,)))
    assert ((x >= -math.pi) & (x < math.pi)).all()
    assert _ks_p(x, stats.vonmises(3.0, loc=1.0).cdf) > 1e-3


def test_negative_binomial_samples():
    numtorch.manual_seed(18)
    d = D.NegativeBinomial(numtorch.tensor([3.0, 0.5]), numtorch.tensor([0.4, 0.8]))
    x = _np(d.sample((40000,)))
    assert (x == np.floor(x)).all()
    np.testing.assert_allclose(x.mean(0), _np(d.mean), rtol=0.03)
    np.testing.assert_allclose(x.var(0), _np(d.variance), rtol=0.08)


def test_multinomial_samples():
    numtorch.manual_seed(19)
    d = D.Multinomial(10, numtorch.tensor([0.2, 0.3, 0.5]))
    x = _np(d.sample((20000,)))
    assert (x.sum(-1) == 10).all()
    np.testing.assert_allclose(x.mean(0), _np(d.mean), rtol=0.02)
    np.testing.assert_allclose(x.var(0), _np(d.variance), rtol=0.06)


def test_continuous_bernoulli_samples_and_gradient():
    numtorch.manual_seed(20)
    d = D.ContinuousBernoulli(numtorch.tensor([0.2, 0.5, 0.9], dtype=F64))
    x = _np(d.sample((40000,)))
    np.testing.assert_allclose(x.mean(0), _np(d.mean), rtol=0.01)
    np.testing.assert_allclose(x.var(0), _np(d.variance), rtol=0.04)
    probs = numtorch.tensor([0.3], dtype=F64, requires_grad=True)
    numtorch.manual_seed(21)
    D.ContinuousBernoulli(probs).rsample((3,)).sum().backward()
    eps = 1e-6
    vals = []
    for p in (0.3 + eps, 0.3 - eps):
        numtorch.manual_seed(21)
        vals.append(_np(D.ContinuousBernoulli(numtorch.tensor([p], dtype=F64)).rsample((3,))).sum())
    np.testing.assert_allclose(_np(probs.grad), [(vals[0] - vals[1]) / (2 * eps)], rtol=1e-5)


def test_logistic_normal_samples_on_the_simplex():
    numtorch.manual_seed(22)
    d = D.LogisticNormal(numtorch.tensor([0.0, 1.0]), numtorch.tensor([1.0, 0.5]))
    x = d.rsample((1000,))
    assert tuple(x.shape) == (1000, 3)
    np.testing.assert_allclose(_np(x.sum(-1)), 1.0, atol=1e-6)
    assert d.loc.tolist() == [0.0, 1.0] and d.scale.tolist() == [1.0, 0.5]
