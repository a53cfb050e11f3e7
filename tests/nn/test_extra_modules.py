"""Container, NLLLoss2d, CrossMapLRN2d, LPPool3d, fractional max pooling and the lazy batch and
instance norms: values, gradients, reprs, state dicts and module paths; against PyTorch when
installed (same seed, or the same explicit ``_random_samples``, for fractional pooling)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck
from numtorch.nn import _functional_pool_extra as E
from numtorch.nn import functional as F
from numtorch.nn.modules import _extra_modules as X

RNG = np.random.default_rng(0)


def _np(t):
    return t.detach().numpy()


def _quiet(factory, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return factory(*args, **kwargs)


# -- deprecated aliases -------------------------------------------------------------------------


def test_container_and_nllloss2d_warn_and_work():
    with pytest.warns(FutureWarning, match=r"`nn.Container` is deprecated\. All of its"):
        c = X.Container(fc=numtorch.nn.Linear(1, 1))
    assert repr(c) == "Container(\n  (fc): Linear(in_features=1, out_features=1, bias=True)\n)"
    assert type(c).__module__ == "numtorch.nn.modules.container"
    with pytest.warns(FutureWarning, match="nn.Container"):

        class Sub(X.Container):  # subclassing warns too, as typing_extensions.deprecated
            pass

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Sub()  # ... but a subclass's instances do not
    with pytest.warns(FutureWarning, match=r"`NLLLoss2d` has been deprecated\. Please use"):
        loss = X.NLLLoss2d(reduction="sum")
    assert repr(loss) == "NLLLoss2d()" and type(loss).__module__ == "numtorch.nn.modules.loss"
    logp = numtorch.tensor([[[[-1.0, -2.0]], [[-3.0, -0.5]]]])  # (1, 2, 1, 2)
    target = numtorch.tensor([[[1, 0]]])
    assert loss(logp, target).item() == 5.0  # -(-3) - (-2)


def test_deprecated_match_torch():
    torch = pytest.importorskip("torch")
    for ours, theirs in [(X.Container, torch.nn.Container), (X.NLLLoss2d, torch.nn.NLLLoss2d)]:
        with warnings.catch_warnings(record=True) as a:
            warnings.simplefilter("always")
            m = ours()
        with warnings.catch_warnings(record=True) as b:
            warnings.simplefilter("always")
            t = theirs()
        assert [str(w.message) for w in a] == [str(w.message) for w in b]
        assert [w.category for w in a] == [w.category for w in b]
        assert repr(m) == repr(t)
        assert type(m).__module__.replace("numtorch", "torch") == type(t).__module__


# -- CrossMapLRN2d ------------------------------------------------------------------------------


def test_cross_map_lrn2d_one_channel_and_errors():
    x = numtorch.tensor([[[[1.0, 2.0]]]], dtype=numtorch.float64)
    out = X.CrossMapLRN2d(3, alpha=0.3, beta=0.5, k=2)(x)
    expected = np.array([1.0, 2.0]) * (2 + 0.1 * np.array([1.0, 4.0])) ** -0.5
    np.testing.assert_allclose(_np(out).ravel(), expected, rtol=1e-12)
    assert repr(X.CrossMapLRN2d(3)) == "CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)"
    with pytest.raises(ValueError, match="Expected input to be 4D, got 3D instead"):
        X.CrossMapLRN2d(3)(numtorch.ones(1, 2, 2))
    x.requires_grad_(True)
    y = X.CrossMapLRN2d(3)(x)
    assert y.grad_fn.name() == "CrossMapLRN2dBackward"
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        numtorch.autograd.grad(y.sum(), x, create_graph=True)


@pytest.mark.parametrize("size,channels", [(2, 4), (3, 7), (5, 6), (4, 2), (3, 1)])
def test_cross_map_lrn2d_matches_torch(size, channels):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, channels, 3, 4)).astype(np.float32) * 3
    g = RNG.standard_normal(x.shape).astype(np.float32)
    args = (size, 0.2, 0.75, 1.5)
    a = numtorch.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya, yb = X.CrossMapLRN2d(*args)(a), torch.nn.CrossMapLRN2d(*args)(b)
    np.testing.assert_allclose(_np(ya), _np(yb), rtol=2e-6, atol=1e-6)
    ya.backward(numtorch.tensor(g))
    yb.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=2e-5, atol=1e-6)
    assert repr(X.CrossMapLRN2d(*args)) == repr(torch.nn.CrossMapLRN2d(*args))


# -- LPPool3d -----------------------------------------------------------------------------------


def test_lp_pool3d_values_and_gradcheck():
    x = numtorch.ones(1, 1, 2, 2, 2)
    assert F.lp_pool2d is not None  # the 2-d form it mirrors
    assert abs(E.lp_pool3d(x, 2, 2).item() - 8**0.5) < 1e-6
    assert E.lp_pool3d(x * -3, float("inf"), 2).item() == 3.0
    pool = X.LPPool3d(2, (2, 1, 2), stride=1)
    assert repr(pool) == "LPPool3d(norm_type=2, kernel_size=(2, 1, 2), stride=1, ceil_mode=False)"
    assert type(pool).__module__ == "numtorch.nn.modules.pooling"
    y = numtorch.tensor(RNG.random((2, 2, 3, 3, 4)) + 0.5, requires_grad=True)
    assert gradcheck(lambda t: pool(t), (y,))


@pytest.mark.parametrize(
    "norm,kernel,stride,ceil", [(2, 2, None, False), (1.5, (2, 3, 2), 1, False), (3, 2, 2, True)]
)
def test_lp_pool3d_matches_torch(norm, kernel, stride, ceil):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 3, 5, 6, 5)).astype(np.float32)
    a = numtorch.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    ya = X.LPPool3d(norm, kernel, stride, ceil)(a)
    yb = torch.nn.LPPool3d(norm, kernel, stride, ceil)(b)
    np.testing.assert_allclose(_np(ya), _np(yb), rtol=1e-5, atol=1e-6, equal_nan=True)
    ya.nansum().backward()
    yb.nansum().backward()
    np.testing.assert_allclose(_np(a.grad), _np(b.grad), rtol=1e-4, atol=1e-5, equal_nan=True)
    assert repr(X.LPPool3d(norm, kernel, stride, ceil)) == repr(
        torch.nn.LPPool3d(norm, kernel, stride, ceil)
    )


# -- fractional max pooling ---------------------------------------------------------------------


def test_fractional_max_pool_values_without_torch():
    x = numtorch.arange(36.0).view(1, 1, 6, 6)
    # u = 0 puts the windows at int(i * alpha): alpha = (6 - 2) / (3 - 1) = 2 -> 0, 2, 4
    samples = numtorch.zeros(1, 1, 2)
    out, idx = E.fractional_max_pool2d(x, 2, 3, return_indices=True, _random_samples=samples)
    assert _np(out).ravel().tolist() == [7.0, 9.0, 11.0, 19.0, 21.0, 23.0, 31.0, 33.0, 35.0]
    assert _np(idx).ravel().tolist() == [7, 9, 11, 19, 21, 23, 31, 33, 35]
    # H from sample column 1, W from column 0; the last window always ends at the edge
    samples = numtorch.tensor([[[0.0, 0.75]]])
    out = E.fractional_max_pool2d(x, 1, (3, 2), _random_samples=samples)
    # rows: int((i + .75) * 2.5) - int(.75 * 2.5) = 0, 3, then 5; cols: 0, then 5
    assert _np(out).ravel().tolist() == [0.0, 5.0, 18.0, 23.0, 30.0, 35.0]
    x3 = numtorch.arange(64.0).view(1, 4, 4, 4)  # unbatched (C, T, H, W)
    out3 = E.fractional_max_pool3d(x3, 2, output_ratio=0.5, _random_samples=numtorch.zeros(1, 1, 3))
    assert out3.shape == (1, 2, 2, 2) and out3.view(-1)[0].item() == 21.0
    y = numtorch.tensor([[[[1.0, float("nan"), 3.0, float("nan")]]]])
    o, i = E.fractional_max_pool2d_with_indices(
        y, (1, 2), (1, 3), _random_samples=numtorch.zeros(1, 1, 2)
    )
    assert _np(i).ravel().tolist() == [1, 1, 3]  # NaN wins; among NaNs the last


def test_fractional_max_pool_modules_and_grad():
    pool = X.FractionalMaxPool2d(3, output_ratio=(0.5, 0.5), return_indices=True)
    assert repr(pool) == "FractionalMaxPool2d()" and list(pool.state_dict()) == []
    assert type(pool).__module__ == "numtorch.nn.modules.pooling"
    assert pool.kernel_size == (3, 3) and pool.output_ratio == (0.5, 0.5)
    x = numtorch.randn(2, 3, 10, 9, requires_grad=True)
    out, idx = pool(x)
    assert out.shape == (2, 3, 5, 4) and idx.dtype == numtorch.int64
    assert out.grad_fn.name() == "FractionalMaxPool2DBackward0"
    seed = numtorch.ones(out.shape, requires_grad=True)
    (g,) = numtorch.autograd.grad(out, x, seed, create_graph=True)
    assert g.grad_fn.name() == "FractionalMaxPool2DBackwardBackward0"
    flat = _np(x).reshape(6, -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, _np(idx).reshape(6, -1), 1).reshape(out.shape), _np(out)
    )
    fixed = X.FractionalMaxPool3d(2, output_size=(2, 3, 2), _random_samples=numtorch.rand(1, 2, 3))
    assert list(fixed.state_dict()) == ["_random_samples"]
    a, b = fixed(numtorch.ones(2, 4, 5, 5)), fixed(numtorch.ones(2, 4, 5, 5))
    assert a.shape == (2, 2, 3, 2) and (a == b).all()
    for bad, match in [
        (dict(), "requires specifying either an output size"),
        (dict(output_size=2, output_ratio=0.5), "only one of output_size and output_ratio"),
        (dict(output_ratio=1.5), r"output_ratio must be between 0 and 1 \(got 1.5\)"),
    ]:
        with pytest.raises(ValueError, match=match):
            X.FractionalMaxPool2d(2, **bad)
    with pytest.raises(ValueError, match="kernel_size must be greater than 0, but got 0"):
        X.FractionalMaxPool3d(0, output_size=2)


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_max_pool_gradcheck(nd):
    shape = (2, 2, 7, 6) if nd == 2 else (1, 2, 5, 6, 5)
    x = numtorch.tensor(RNG.standard_normal(shape), requires_grad=True)
    samples = numtorch.rand(shape[0], shape[1], nd, dtype=numtorch.float64)
    f = E.fractional_max_pool2d if nd == 2 else E.fractional_max_pool3d
    fn = lambda t: f(t, 2, output_size=3, _random_samples=samples)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


def _fractional_case(lib, nd, x, kernel, size, ratio, samples, seed):
    if lib is numtorch:
        f = E.fractional_max_pool2d if nd == 2 else E.fractional_max_pool3d
    else:
        f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
    lib.manual_seed(seed)
    t = lib.tensor(x, requires_grad=True)
    s = None if samples is None else lib.tensor(samples)
    out, idx = f(t, kernel, size, ratio, True, _random_samples=s)
    g = np.arange(out.numel(), dtype=x.dtype).reshape(tuple(out.shape)) % 7
    g = lib.tensor(g, requires_grad=True)
    (gx,) = lib.autograd.grad(out, t, g, create_graph=True)
    (gg,) = lib.autograd.grad((gx * gx).sum(), g)  # double backward: a gather
    return _np(out), _np(idx), _np(gx), _np(gg)


@pytest.mark.parametrize(
    "nd,shape,kernel,size,ratio",
    [
        (2, (2, 3, 11, 9), (3, 2), (5, 4), None),
        (2, (3, 10, 10), 2, None, (0.5, 0.7)),
        (2, (1, 2, 9, 8), 2, (8, 7), None),
        (2, (2, 2, 6, 7), 1, 1, None),
        (3, (2, 2, 7, 8, 9), (2, 2, 3), (3, 4, 5), None),
        (3, (2, 6, 7, 8), 2, None, 0.5),
    ],
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool_matches_torch(nd, shape, kernel, size, ratio, dtype):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape).astype(dtype)
    x[(0,) * len(shape)] = x.ravel()[1]  # a tie
    for seed in range(3):
        ours = _fractional_case(numtorch, nd, x, kernel, size, ratio, None, seed)
        theirs = _fractional_case(torch, nd, x, kernel, size, ratio, None, seed)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    batch = 1 if len(shape) == nd + 1 else shape[0]
    samples = RNG.random((batch + 1, shape[-nd - 1], nd)).astype(dtype)
    samples[0, 0] = np.nextafter(np.array(1, dtype), np.array(0, dtype))  # just below 1
    ours = _fractional_case(numtorch, nd, x, kernel, size, ratio, samples, 0)
    theirs = _fractional_case(torch, nd, x, kernel, size, ratio, samples, 0)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a, b)


def test_fractional_max_pool_nan_half_and_module_match_torch():
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal((2, 2, 8, 8)).astype(np.float32)
    x[0, 0, 1:3, 2:5] = np.nan
    x[1, 1, 4, 4] = np.nan
    s = RNG.random((2, 2, 2)).astype(np.float32)
    a, ai = E.fractional_max_pool2d(numtorch.tensor(x), 3, 4, None, True, numtorch.tensor(s))
    b, bi = torch.nn.functional.fractional_max_pool2d(
        torch.tensor(x), 3, 4, None, True, torch.tensor(s)
    )
    np.testing.assert_array_equal(_np(a), _np(b))
    np.testing.assert_array_equal(_np(ai), _np(bi))
    h = x.astype(np.float16)
    numtorch.manual_seed(3)
    torch.manual_seed(3)
    a = E.fractional_max_pool2d(numtorch.tensor(h), 2, output_size=5, return_indices=True)
    b = torch.nn.functional.fractional_max_pool2d(torch.tensor(h), 2, 5, return_indices=True)
    np.testing.assert_array_equal(_np(a[1]), _np(b[1]))
    for ours, theirs in [
        (X.FractionalMaxPool2d(2, output_size=3), torch.nn.FractionalMaxPool2d(2, output_size=3)),
        (X.FractionalMaxPool3d(2, output_ratio=0.5), torch.nn.FractionalMaxPool3d(2, None, 0.5)),
    ]:
        assert repr(ours) == repr(theirs)
        assert type(ours).__module__.replace("numtorch", "torch") == type(theirs).__module__
        assert vars(ours)["kernel_size"] == vars(theirs)["kernel_size"]
        assert list(ours.state_dict()) == list(theirs.state_dict())


@pytest.mark.parametrize(
    "nd,shape,kwargs",
    [
        (2, (1, 1, 4, 6), dict(kernel_size=4, output_size=3)),
        (2, (1, 1, 4, 6), dict(kernel_size=0, output_size=3)),
        (2, (4, 6), dict(kernel_size=2, output_size=2, _random_samples=(1, 4, 2))),
        (2, (1, 2, 4, 6), dict(kernel_size=2, output_size=3, _random_samples=(1, 3, 2))),
        (2, (2, 2, 4, 6), dict(kernel_size=2, output_size=3, _random_samples=(1, 2, 2))),
        (2, (1, 2, 4, 6), dict(kernel_size=2, output_size=3, _random_samples=(1, 2, 3))),
        (2, (1, 2, 4, 6), dict(kernel_size=2, output_size=3, _random_samples=(2, 2))),
        (2, (1, 2, 4, 6), dict(kernel_size=2, output_size=3, _random_samples="f64")),
        (2, (1, 2, 4, 6), dict(kernel_size=2)),
        (2, (1, 2, 4, 6), dict(kernel_size=2, output_ratio=0.5)),
        (2, (1, 2, 0, 6), dict(kernel_size=2, output_size=1)),
        (3, (1, 1, 4, 6, 6), dict(kernel_size=2, output_size=3)),
        (3, (1, 1, 6, 6, 4), dict(kernel_size=2, output_size=3)),
    ],
)
def test_fractional_max_pool_errors_match_torch(nd, shape, kwargs):
    torch = pytest.importorskip("torch")
    errors = []
    for lib in (numtorch, torch):
        kw = dict(kwargs)
        samples = kw.pop("_random_samples", None)
        if samples == "f64":
            kw["_random_samples"] = lib.rand(1, 2, nd, dtype=lib.float64)
        elif samples is not None:
            kw["_random_samples"] = lib.rand(*samples)
        if lib is numtorch:
            f = E.fractional_max_pool2d if nd == 2 else E.fractional_max_pool3d
        else:
            f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
        lib.manual_seed(0)
        try:
            out, idx = f(lib.arange(float(math.prod(shape))).view(shape), return_indices=True, **kw)
            errors.append((_np(out).tolist(), _np(idx).tolist()))
        except Exception as err:  # noqa: BLE001  (the type and text are what is compared)
            errors.append((type(err), str(err)))
    assert errors[0] == errors[1]


# -- lazy batch / instance norms ----------------------------------------------------------------

_LAZY = [
    ("LazyBatchNorm1d", (4, 3, 5), {}),
    ("LazyBatchNorm2d", (4, 3, 2, 2), {"momentum": None}),
    ("LazyBatchNorm3d", (2, 3, 2, 2, 2), {"affine": False}),
    ("LazyInstanceNorm1d", (2, 3, 6), {}),
    ("LazyInstanceNorm2d", (2, 3, 4, 4), {"track_running_stats": False}),
    ("LazyInstanceNorm3d", (2, 3, 3, 3, 3), {"bias": False}),
]


def _lazy_script(lib, name, shape, kwargs, x):
    mod = getattr(lib.nn, name) if lib is not numtorch else getattr(X, name)
    m = mod(**kwargs)
    before = (repr(m), [(k, repr(v)) for k, v in m.state_dict().items()])
    t = lib.tensor(x, requires_grad=True)
    out = m(t)
    out.pow(2).sum().backward()
    m.eval()
    again = m(lib.tensor(x))
    after = (repr(m), type(m).__name__, list(m.state_dict()))
    values = [_np(out), _np(t.grad), _np(again)] + [_np(v) for v in m.state_dict().values()]
    return before, after, values


@pytest.mark.parametrize("name,shape,kwargs", _LAZY)
def test_lazy_norms_without_torch(name, shape, kwargs):
    x = RNG.standard_normal(shape).astype(np.float32)
    before, after, values = _lazy_script(numtorch, name, shape, kwargs, x)
    assert before[0].startswith(f"{name}(0, eps=1e-05")
    assert after[1] == name.replace("Lazy", "")
    assert f"{name.replace('Lazy', '')}(3, eps=1e-05" in after[0]
    assert values[0].shape == shape
    kind = "batchnorm" if "Batch" in name else "instancenorm"
    assert getattr(X, name).__module__ == f"numtorch.nn.modules.{kind}"


@pytest.mark.parametrize("name,shape,kwargs", _LAZY)
def test_lazy_norms_match_torch(name, shape, kwargs):
    torch = pytest.importorskip("torch")
    x = RNG.standard_normal(shape).astype(np.float32)
    ours = _lazy_script(numtorch, name, shape, kwargs, x)
    theirs = _lazy_script(torch, name, shape, kwargs, x)
    assert ours[0] == theirs[0] and ours[1] == theirs[1]
    for a, b in zip(ours[2], theirs[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)
    assert getattr(X, name).__module__.replace("numtorch", "torch") == (
        getattr(torch.nn, name).__module__
    )


def test_lazy_norm_load_state_dict_and_first_call_checks():
    source = numtorch.nn.BatchNorm2d(4)
    source.running_mean.fill_(2.0)
    lazy = X.LazyBatchNorm2d()
    lazy.load_state_dict(source.state_dict())  # materialises to the loaded shapes
    assert lazy.running_mean.shape == (4,) and (lazy.running_mean == 2).all()
    assert lazy.has_uninitialized_params() is False
    fresh = X.LazyBatchNorm2d()
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        fresh(numtorch.ones(2, 3))  # shapes inferred first, then the dim check fails
    assert fresh.num_features == 3
    dtype_lazy = X.LazyInstanceNorm1d(dtype=numtorch.float64)
    dtype_lazy(numtorch.ones(2, 5, 3, dtype=numtorch.float64))
    assert dtype_lazy.weight.dtype == numtorch.float64
