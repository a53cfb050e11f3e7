"""numtorch.distributions against torch.distributions: the same seed gives the same samples,
and log_prob, entropy, moments, KL, gradients, reprs and error texts agree."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import numtorch

torch = pytest.importorskip("torch")


def _np(x):
    if isinstance(x, (int, float, bool)):
        return np.asarray(x)
    return np.asarray(x.detach().tolist())


def _close(a, b, rtol=1e-5, atol=1e-6):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _equal(a, b):
    a, b = _np(a), _np(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_array_equal(a, b)


def _tr(T):
    return T.distributions.transforms


# name -> (parameter values, constructor given the library and the parameter tensors)
CASES = {
    "normal": ([[0.5, -1.0, 2.0], [1.0, 0.3, 2.5]], lambda T, l, s: T.distributions.Normal(l, s)),
    "normal_scalar_scale": ([[0.5, -1.0]], lambda T, l: T.distributions.Normal(l, 2.0)),
    "uniform": ([[-1.0, 0.0], [1.0, 3.0]], lambda T, lo, hi: T.distributions.Uniform(lo, hi)),
    "bernoulli_probs": ([[0.2, 0.7, 0.5]], lambda T, p: T.distributions.Bernoulli(probs=p)),
    "bernoulli_logits": ([[-1.0, 0.3, 2.0]], lambda T, z: T.distributions.Bernoulli(logits=z)),
    "categorical_probs": (
        [[[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]],
        lambda T, p: T.distributions.Categorical(probs=p),
    ),
    "categorical_logits": (
        [[[0.2, -1.3, 0.5, 2.0], [1.0, 0.1, -0.8, 0.0]]],
        lambda T, z: T.distributions.Categorical(logits=z),
    ),
    "one_hot_categorical": (
        [[[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]],
        lambda T, p: T.distributions.OneHotCategorical(p),
    ),
    "exponential": ([[0.5, 1.0, 3.0]], lambda T, r: T.distributions.Exponential(r)),
    "laplace": ([[0.0, 1.0], [1.0, 0.5]], lambda T, l, s: T.distributions.Laplace(l, s)),
    "mvn_covariance": (
        [[[0.0, 1.0], [-1.0, 0.5]], [[2.0, 0.5], [0.5, 1.0]]],
        lambda T, l, c: T.distributions.MultivariateNormal(l, covariance_matrix=c),
    ),
    "mvn_precision": (
        [[1.0, -1.0, 0.0], [[2.0, 0.3, 0.1], [0.3, 1.0, 0.2], [0.1, 0.2, 1.5]]],
        lambda T, l, p: T.distributions.MultivariateNormal(l, precision_matrix=p),
    ),
    "mvn_scale_tril": (
        [[0.5, -0.5], [[[1.0, 0.0], [0.5, 2.0]], [[0.3, 0.0], [-0.2, 1.0]]]],
        lambda T, l, L: T.distributions.MultivariateNormal(l, scale_tril=L),
    ),
    "independent_normal": (
        [[[0.0, 1.0, 2.0], [0.5, 0.5, 0.5]], [[1.0, 2.0, 0.5], [1.0, 1.0, 3.0]]],
        lambda T, l, s: T.distributions.Independent(T.distributions.Normal(l, s), 1),
    ),
    "log_normal": ([[0.0, 1.0], [0.5, 0.25]], lambda T, l, s: T.distributions.LogNormal(l, s)),
    "tanh_normal": (
        [[0.3, -0.2, 1.0], [0.5, 1.0, 0.7]],
        lambda T, l, s: T.distributions.TransformedDistribution(
            T.distributions.Normal(l, s), [_tr(T).TanhTransform(cache_size=1)]
        ),
    ),
    "affine_sigmoid_normal": (
        [[0.3, -0.2], [0.5, 1.0]],
        lambda T, l, s: T.distributions.TransformedDistribution(
            T.distributions.Normal(l, s),
            [_tr(T).AffineTransform(1.0, 2.0), _tr(T).SigmoidTransform()],
        ),
    ),
    "exp_softplus_normal": (
        [[0.3, -0.2], [0.5, 1.0]],
        lambda T, l, s: T.distributions.TransformedDistribution(
            T.distributions.Normal(l, s), [_tr(T).SoftplusTransform(), _tr(T).ExpTransform().inv]
        ),
    ),
    "poisson": ([[1.0, 4.0, 30.0]], lambda T, r: T.distributions.Poisson(r)),
}

DISCRETE = {
    "bernoulli_probs",
    "bernoulli_logits",
    "categorical_probs",
    "categorical_logits",
    "one_hot_categorical",
    "poisson",
}


# the same draws and the same arithmetic as torch: equal to the last bit
BIT_EXACT = DISCRETE | {"normal", "normal_scalar_scale", "uniform", "exponential"}
BIT_EXACT |= {"independent_normal"}


def _build(name, T, dtype="float32", grad=False):
    values, make = CASES[name]
    params = [
        T.tensor(v, dtype=getattr(T, dtype), requires_grad=grad and name not in DISCRETE)
        for v in values
    ]
    return make(T, *params), params


def _both(name, **kw):
    d_n, p_n = _build(name, numtorch, **kw)
    d_t, p_t = _build(name, torch, **kw)
    return d_n, p_n, d_t, p_t


def _value(d_t, seed=7):
    torch.manual_seed(seed)
    x = d_t.sample((4,))
    return x, numtorch.tensor(x.tolist(), dtype=getattr(numtorch, str(x.dtype)[6:]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_shapes_repr_and_support(name):
    d_n, _, d_t, _ = _both(name)
    assert tuple(d_n.batch_shape) == tuple(d_t.batch_shape)
    assert tuple(d_n.event_shape) == tuple(d_t.event_shape)
    assert isinstance(d_n.batch_shape, numtorch.Size)
    assert repr(d_n) == repr(d_t).replace("torch.", "numtorch.")
    assert d_n.has_rsample == d_t.has_rsample
    assert d_n.has_enumerate_support == d_t.has_enumerate_support
    assert repr(d_n.support) == repr(d_t.support)
    assert type(d_n).__module__ == type(d_t).__module__.replace("torch.", "numtorch.")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_same_seed_same_samples(name, dtype):
    d_n, _, d_t, _ = _both(name, dtype=dtype)
    for shape in [(), (5,), (2, 3)]:
        numtorch.manual_seed(11)
        torch.manual_seed(11)
        s_n, s_t = d_n.sample(shape), d_t.sample(shape)
        assert str(s_n.dtype)[9:] == str(s_t.dtype)[6:]
        assert not s_n.requires_grad
        if name in BIT_EXACT:
            _equal(s_n, s_t)
        else:  # log1p, exp, tanh, matmul may differ from torch's in the last bit
            _close(s_n, s_t, rtol=1e-6 if dtype == "float32" else 1e-13)
        if d_t.has_rsample:
            numtorch.manual_seed(12)
            torch.manual_seed(12)
            _close(d_n.rsample(shape), d_t.rsample(shape), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob_and_moments(name):
    d_n, _, d_t, _ = _both(name)
    x_t, x_n = _value(d_t)
    if name == "poisson" and not hasattr(numtorch.Tensor, "lgamma"):
        with pytest.raises(NotImplementedError):
            d_n.log_prob(x_n)
    else:
        _close(d_n.log_prob(x_n), d_t.log_prob(x_t))
    for attr in ("mean", "variance", "stddev", "mode"):
        try:
            want = getattr(d_t, attr)
        except NotImplementedError:
            continue
        _close(getattr(d_n, attr), want)
    try:
        want = d_t.entropy()
    except NotImplementedError:
        with pytest.raises(NotImplementedError):
            d_n.entropy()
    else:
        _close(d_n.entropy(), want)
        _close(d_n.perplexity(), d_t.perplexity(), rtol=1e-5)


@pytest.mark.parametrize("name", ["normal", "uniform", "exponential", "laplace", "log_normal"])
def test_cdf_icdf(name):
    d_n, _, d_t, _ = _both(name)
    x_t, x_n = _value(d_t)
    _close(d_n.cdf(x_n), d_t.cdf(x_t))
    q_t = torch.rand((3,) + tuple(d_t.batch_shape), generator=torch.Generator().manual_seed(0))
    q_n = numtorch.tensor(q_t.tolist())
    _close(d_n.icdf(q_n), d_t.icdf(q_t), rtol=1e-4)


@pytest.mark.parametrize(
    "name",
    ["bernoulli_probs", "bernoulli_logits", "categorical_probs", "one_hot_categorical"],
)
def test_enumerate_support(name):
    d_n, _, d_t, _ = _both(name)
    for expand in (True, False):
        s_n, s_t = d_n.enumerate_support(expand), d_t.enumerate_support(expand)
        assert s_n.dtype.is_floating_point == s_t.dtype.is_floating_point
        _equal(s_n, s_t)


@pytest.mark.parametrize("name", sorted(CASES))
def test_expand(name):
    d_n, _, d_t, _ = _both(name)
    shape = (3,) + tuple(d_t.batch_shape)
    e_n, e_t = d_n.expand(shape), d_t.expand(shape)
    assert type(e_n).__name__ == type(e_t).__name__
    assert tuple(e_n.batch_shape) == tuple(e_t.batch_shape)
    assert tuple(e_n.event_shape) == tuple(e_t.event_shape)
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    _close(e_n.sample((2,)), e_t.sample((2,)), rtol=1e-6)
    x_t, x_n = _value(e_t)
    if name != "poisson":
        _close(e_n.log_prob(x_n), e_t.log_prob(x_t))


CONTINUOUS = sorted(set(CASES) - DISCRETE)
GRAD_OF_LOG_PROB = sorted(set(CASES) - {"poisson"})


@pytest.mark.parametrize("name", GRAD_OF_LOG_PROB)
def test_log_prob_gradients(name):
    d_n, p_n, d_t, p_t = _both(name, dtype="float64", grad=True)
    if not p_t[0].requires_grad:  # discrete: differentiate w.r.t. the float parameter
        p_n = [p.detach().requires_grad_() for p in p_n]
        p_t = [p.detach().requires_grad_() for p in p_t]
        d_n, d_t = CASES[name][1](numtorch, *p_n), CASES[name][1](torch, *p_t)
    x_t, x_n = _value(d_t)
    terms_t = d_t.log_prob(x_t).sum()
    terms_n = d_n.log_prob(x_n).sum()
    if name not in ("tanh_normal", "affine_sigmoid_normal", "exp_softplus_normal"):
        terms_t = terms_t + d_t.entropy().sum()
        terms_n = terms_n + d_n.entropy().sum()
    g_t = torch.autograd.grad(terms_t, p_t, allow_unused=True)
    g_n = numtorch.autograd.grad(terms_n, p_n, allow_unused=True)
    for a, b in zip(g_n, g_t, strict=True):
        if b is None:
            assert a is None or not _np(a).any()
        else:
            _close(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", CONTINUOUS)
def test_rsample_gradients(name):
    d_n, p_n, d_t, p_t = _both(name, dtype="float64", grad=True)
    numtorch.manual_seed(5)
    torch.manual_seed(5)
    s_n, s_t = d_n.rsample((3,)), d_t.rsample((3,))
    w = torch.linspace(-1, 2, s_t.numel(), dtype=torch.float64).reshape(s_t.shape)
    g_t = torch.autograd.grad((s_t * w).sum(), p_t)
    g_n = numtorch.autograd.grad(
        (s_n * numtorch.tensor(w.tolist(), dtype=numtorch.float64)).sum(), p_n
    )
    for a, b in zip(g_n, g_t, strict=True):
        _close(a, b, rtol=1e-9, atol=1e-10)


def test_categorical_and_bernoulli_lazy_params():
    for T in (numtorch, torch):
        c = T.distributions.Categorical(logits=T.tensor([1.0, 2.0, 3.0]))
        assert "probs" not in c.__dict__
        _ = c.probs
        assert "probs" in c.__dict__
    c_n = numtorch.distributions.Categorical(probs=numtorch.tensor([1.0, 3.0]))
    c_t = torch.distributions.Categorical(probs=torch.tensor([1.0, 3.0]))
    _close(c_n.logits, c_t.logits)
    _close(c_n.probs, c_t.probs)
    b_n = numtorch.distributions.Bernoulli(probs=numtorch.tensor([0.0, 0.25, 1.0]))
    b_t = torch.distributions.Bernoulli(probs=torch.tensor([0.0, 0.25, 1.0]))
    _close(b_n.logits, b_t.logits)
    _close(b_n.entropy(), b_t.entropy())


def _message(fn, T):
    with pytest.raises(Exception) as info:
        fn(T)
    return type(info.value), str(info.value)


@pytest.mark.parametrize(
    "fn",
    [
        lambda T: T.distributions.Normal(T.tensor([0.0, 1.0]), T.tensor([1.0, -1.0])),
        lambda T: T.distributions.Normal(0.0, -1.0),
        lambda T: T.distributions.Normal(0.0, 1.0).log_prob(T.tensor([float("nan")])),
        lambda T: T.distributions.Uniform(T.tensor([0.0, 1.0]), T.tensor([1.0, 0.5])),
        lambda T: T.distributions.Categorical(T.tensor([0.5, 0.5])).log_prob(T.tensor([2])),
        lambda T: T.distributions.Categorical(probs=T.tensor([-0.5, 1.5])),
        lambda T: T.distributions.Categorical(T.tensor(0.5)),
        lambda T: T.distributions.Categorical(),
        lambda T: T.distributions.Bernoulli(probs=T.tensor([1.5])),
        lambda T: T.distributions.Bernoulli(probs=0.5).log_prob(T.tensor([0.5])),
        lambda T: T.distributions.Normal(T.zeros(3), 1.0).log_prob(T.zeros(2)),
        lambda T: T.distributions.Exponential(T.tensor([0.0])),
        lambda T: T.distributions.MultivariateNormal(T.zeros(2)),
        lambda T: T.distributions.MultivariateNormal(T.zeros(2), -T.eye(2)),
        lambda T: T.distributions.MultivariateNormal(
            T.zeros(2), scale_tril=T.tensor([[1.0, 1.0], [0.0, 1.0]])
        ),
        lambda T: T.distributions.MultivariateNormal(T.zeros(2), T.eye(2)).log_prob(T.zeros(3)),
        lambda T: T.distributions.Independent(T.distributions.Normal(0.0, 1.0), 1),
        lambda T: T.distributions.kl_divergence(
            T.distributions.Normal(0.0, 1.0), T.distributions.Categorical(T.ones(2))
        ),
    ],
)
def test_error_messages(fn):
    kind_n, text_n = _message(fn, numtorch)
    kind_t, text_t = _message(fn, torch)
    assert kind_n is kind_t
    assert text_n == text_t.replace("torch.Size", "numtorch.Size")


def test_validate_args_switches():
    for T in (numtorch, torch):
        T.distributions.Normal(0.0, -1.0, validate_args=False)
        try:
            T.distributions.Distribution.set_default_validate_args(False)
            d = T.distributions.Normal(0.0, -1.0)
            assert math.isnan(d.log_prob(T.tensor(0.0)).item())
        finally:
            T.distributions.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            T.distributions.Distribution.set_default_validate_args("yes")


def test_sample_n_warns_like_torch():
    for T in (numtorch, torch):
        with pytest.warns(FutureWarning, match="sample_n"):
            s = T.distributions.Normal(T.zeros(2), 1.0).sample_n(3)
        assert tuple(s.shape) == (3, 2)


KL_PAIRS = [
    ("normal", "normal"),
    ("uniform", "uniform"),
    ("bernoulli_probs", "bernoulli_logits"),
    ("categorical_probs", "categorical_probs"),
    ("one_hot_categorical", "one_hot_categorical"),
    ("exponential", "exponential"),
    ("laplace", "laplace"),
    ("mvn_covariance", "mvn_scale_tril"),
    ("mvn_precision", "mvn_precision"),
    ("independent_normal", "independent_normal"),
    ("log_normal", "log_normal"),
    ("poisson", "poisson"),
    ("normal_scalar_scale", "laplace"),
    ("laplace", "normal_scalar_scale"),
    ("exponential", "normal"),
    ("uniform", "normal_scalar_scale"),
    ("normal_scalar_scale", "uniform"),
]


def _second(name, T, shift):
    values, make = CASES[name]
    params = []
    for v in values:
        a = np.asarray(v, dtype=np.float64)
        a = a * 0.9 + shift if a.ndim < 2 or name.startswith("categorical") else a
        if name.startswith("mvn"):
            a = np.asarray(v)
        params.append(T.tensor(a.tolist(), dtype=T.float64, requires_grad=True))
    return make(T, *params), params


@pytest.mark.parametrize(("p_name", "q_name"), KL_PAIRS)
def test_kl_divergence(p_name, q_name):
    p_n, pp_n = _second(p_name, numtorch, 0.0)
    p_t, pp_t = _second(p_name, torch, 0.0)
    q_n, _ = _second(q_name, numtorch, 0.05)
    q_t, _ = _second(q_name, torch, 0.05)
    kl_n, kl_t = (
        numtorch.distributions.kl_divergence(p_n, q_n),
        torch.distributions.kl_divergence(p_t, q_t),
    )
    _close(kl_n, kl_t, rtol=1e-9, atol=1e-10)
    if np.isfinite(_np(kl_t)).all():
        g_t = torch.autograd.grad(kl_t.sum(), pp_t)
        g_n = numtorch.autograd.grad(kl_n.sum(), pp_n)
        for a, b in zip(g_n, g_t, strict=True):
            _close(a, b, rtol=1e-8, atol=1e-10)


def test_kl_infinite_cases():
    def pairs(T):
        D = T.distributions
        return [
            D.kl_divergence(D.Uniform(T.tensor([0.0]), 2.0), D.Uniform(T.tensor([0.5]), 1.0)),
            D.kl_divergence(
                D.Categorical(T.tensor([0.5, 0.5])), D.Categorical(T.tensor([1.0, 0.0]))
            ),
            D.kl_divergence(D.Bernoulli(T.tensor([0.0, 1.0])), D.Bernoulli(T.tensor([0.5, 0.5]))),
            D.kl_divergence(D.Bernoulli(T.tensor([0.5])), D.Bernoulli(T.tensor([1.0]))),
        ]

    for a, b in zip(pairs(numtorch), pairs(torch), strict=True):
        _close(a, b)


def test_register_kl_dispatch():
    class MyNormal(numtorch.distributions.Normal):
        pass

    p, q = MyNormal(0.0, 1.0), MyNormal(1.0, 2.0)
    want = numtorch.distributions.kl_divergence(
        numtorch.distributions.Normal(0.0, 1.0), numtorch.distributions.Normal(1.0, 2.0)
    )
    _close(numtorch.distributions.kl_divergence(p, q), want)


def test_tanh_transform_sac_style():
    """The squashed Gaussian of SAC: rsample, log_prob with the cached inverse."""
    out = {}
    for T in (numtorch, torch):
        T.manual_seed(0)
        mu = T.tensor([[0.1, -0.3], [2.0, 0.5]], requires_grad=True)
        log_std = T.tensor([[-0.5, 0.0], [0.2, -1.0]], requires_grad=True)
        base = T.distributions.Normal(mu, log_std.exp())
        d = T.distributions.TransformedDistribution(
            base, [T.distributions.transforms.TanhTransform(cache_size=1)]
        )
        a = d.rsample()
        logp = d.log_prob(a).sum(-1)
        (logp.sum() + a.sum()).backward()
        out[T] = (a, logp, mu.grad, log_std.grad)
    for a, b in zip(out[numtorch], out[torch], strict=True):
        _close(a, b, rtol=1e-5)


def test_transforms_against_torch():
    x = [[-1.5, 0.2, 3.0], [0.7, -0.1, 1.2]]
    names = [
        ("ExpTransform", ()),
        ("SigmoidTransform", ()),
        ("TanhTransform", ()),
        ("SoftplusTransform", ()),
        ("AffineTransform", (1.0, -2.0)),
        ("PowerTransform", ("tensor", 2.0)),
        ("StickBreakingTransform", ()),
        ("SoftmaxTransform", ()),
        ("AbsTransform", ()),
    ]
    for name, args in names:
        res = {}
        for T in (numtorch, torch):
            if args and args[0] == "tensor":
                t = getattr(T.distributions.transforms, name)(T.tensor(args[1]))
            else:
                t = getattr(T.distributions.transforms, name)(*args)
            xt = T.tensor(x, dtype=T.float64)
            if name == "PowerTransform":
                xt = xt.abs()
            y = t(xt)
            r = [y, t.inv(y), repr(t), t.domain.event_dim, t.codomain.event_dim, t.bijective]
            if name not in ("SoftmaxTransform", "AbsTransform"):
                r.append(t.log_abs_det_jacobian(xt, y))
                r.append(t.inv.log_abs_det_jacobian(y, xt))
                if name != "StickBreakingTransform":
                    r.append(t.sign if isinstance(t.sign, int) else t.sign.tolist())
            res[T] = r
        for a, b in zip(res[numtorch], res[torch], strict=True):
            if isinstance(b, (str, int, bool, list)):
                assert a == b, name
            else:
                _close(a, b, rtol=1e-12, atol=1e-12)


def test_compose_and_independent_transform():
    for_t = {}
    for T in (numtorch, torch):
        tr = T.distributions.transforms
        c = tr.ComposeTransform([tr.AffineTransform(0.5, 2.0), tr.ExpTransform()])
        i = tr.IndependentTransform(tr.SigmoidTransform(), 1)
        x = T.tensor([[0.1, -0.4], [1.0, 2.0]], dtype=T.float64)
        for_t[T] = [
            c(x),
            c.inv(c(x)),
            c.log_abs_det_jacobian(x, c(x)),
            repr(c),
            i.log_abs_det_jacobian(x, i(x)),
            repr(i),
            repr(i.domain),
            repr(c.inv),
        ]
    for a, b in zip(for_t[numtorch], for_t[torch], strict=True):
        if isinstance(b, str):
            assert a == b
        else:
            _close(a, b, rtol=1e-12)


def test_constraints_against_torch():
    values = [
        [[0.2, 0.8], [0.5, 0.6]],
        [[1.0, 0.0], [0.5, 2.0]],
        [[2.0, 0.5], [0.5, 1.0]],
        [[0.0, 1.0], [1.0, 0.0]],
    ]
    names = [
        "real",
        "positive",
        "nonnegative",
        "unit_interval",
        "boolean",
        "nonnegative_integer",
        "positive_integer",
        "simplex",
        "real_vector",
        "one_hot",
        "lower_triangular",
        "lower_cholesky",
        "positive_definite",
        "positive_semidefinite",
        "symmetric",
        "square",
    ]
    for v in values:
        for name in names:
            c_n = getattr(numtorch.distributions.constraints, name)
            c_t = getattr(torch.distributions.constraints, name)
            assert repr(c_n) == repr(c_t)
            assert c_n.event_dim == c_t.event_dim and c_n.is_discrete == c_t.is_discrete
            _equal(c_n.check(numtorch.tensor(v)), c_t.check(torch.tensor(v)))
    for make in (
        lambda C: C.interval(-1.0, 0.5),
        lambda C: C.half_open_interval(0.0, 1.0),
        lambda C: C.greater_than(0.5),
        lambda C: C.greater_than_eq(0.5),
        lambda C: C.less_than(0.5),
        lambda C: C.integer_interval(0, 1),
        lambda C: C.independent(C.positive, 1),
        lambda C: C.multinomial(2),
    ):
        c_n, c_t = make(numtorch.distributions.constraints), make(torch.distributions.constraints)
        if type(c_t).__repr__ is not object.__repr__ and "object at" not in repr(c_t):
            assert repr(c_n) == repr(c_t)
        for v in values:
            _equal(c_n.check(numtorch.tensor(v)), c_t.check(torch.tensor(v)))


def test_no_warnings_from_normal_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = numtorch.distributions.Categorical(logits=numtorch.zeros(3))
        d.log_prob(d.sample((2,)))
