"""Elementwise behaviour the op table does not cover: error texts, in-place variants, complex
views and the non-differentiable ops, each compared with PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import numtorch


def _torch():
    return pytest.importorskip("torch")


def _same(a, b):
    assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
    np.testing.assert_allclose(
        a.detach().numpy(), b.detach().numpy(force=True), rtol=1e-6, atol=1e-7
    )


def _error(T, fn):
    with pytest.raises(Exception) as info:
        fn(T)
    return type(info.value).__name__, str(info.value).split("\n")[0]


@pytest.mark.parametrize(
    "call",
    [
        lambda T: T.frac(T.tensor([1, 2])),
        lambda T: T.round(T.tensor([1, 2]), decimals=1),
        lambda T: T.tensor([1.5]) << 1,
        lambda T: T.bitwise_right_shift(T.tensor([1]), T.tensor([0.5])),
        lambda T: T.hypot(T.tensor([1]), T.tensor([2])),
        lambda T: T.lerp(T.tensor([1.0]), T.tensor([2]), 0.5),
        lambda T: T.lerp(T.tensor([1.0]), T.tensor([2.0], dtype=T.float64), 0.5),
        lambda T: T.addcdiv(T.tensor([1]), T.tensor([1]), T.tensor([2])),
        lambda T: T.fmod(T.tensor([1]), 0),
        lambda T: T.imag(T.tensor([1.0])),
        lambda T: T.complex(T.tensor([1.0]), T.tensor([1.0], dtype=T.float64)),
        lambda T: T.atan2(T.ones(2), T.ones(3)),
    ],
)
def test_errors_match_torch(call):
    torch = _torch()
    assert _error(numtorch, call) == _error(torch, call)


@pytest.mark.parametrize(
    "name, args",
    [
        ("rsqrt_", ()),
        ("square_", ()),
        ("exp2_", ()),
        ("expm1_", ()),
        ("log1p_", ()),
        ("arcsinh_", ()),
        ("atanh_", ()),
        ("erf_", ()),
        ("erfc_", ()),
        ("erfinv_", ()),
        ("floor_", ()),
        ("ceil_", ()),
        ("trunc_", ()),
        ("fix_", ()),
        ("frac_", ()),
        ("sgn_", ()),
        ("logit_", (0.1,)),
        ("nan_to_num_", ()),
        ("fmod_", (0.3,)),
        ("hypot_", ("other",)),
        ("atan2_", ("other",)),
        ("lerp_", ("other", 0.25)),
        ("xlogy_", ("other",)),
        ("addcmul_", ("other", "other")),
        ("addcdiv_", ("other", "other")),
    ],
)
def test_inplace_matches_torch(name, args):
    torch = _torch()
    x = np.array([0.3, -0.45, 0.7, 0.05])
    y = np.array([0.5, 1.5, 0.25, 2.0])
    out = []
    for T in (numtorch, torch):
        t = T.tensor(x)
        real_args = [T.tensor(y) if a == "other" else a for a in args]
        result = getattr(t, name)(*real_args)
        assert result is t
        out.append(t)
    _same(*out)


def test_round_half_to_even_and_decimals():
    x = numtorch.tensor([-2.5, -0.5, 0.5, 1.5, 2.5, 1234.5678])
    assert x.round().tolist() == [-2.0, -0.0, 0.0, 2.0, 2.0, 1235.0]
    assert x.round(decimals=-2).tolist() == [-0.0, -0.0, 0.0, 0.0, 0.0, 1200.0]
    assert numtorch.round(
        numtorch.tensor([0.125, 0.375], dtype=numtorch.float64), decimals=2
    ).tolist() == [0.12, 0.38]


def test_erf_family_precision():
    xs = np.linspace(-5, 5, 41)
    out = numtorch.erf(numtorch.tensor(xs)).numpy()
    np.testing.assert_allclose(out, [math.erf(v) for v in xs], rtol=1e-15, atol=0)
    out = numtorch.erfc(numtorch.tensor(xs)).numpy()
    np.testing.assert_allclose(out, [math.erfc(v) for v in xs], rtol=1e-14, atol=0)
    ys = np.linspace(-0.999999, 0.999999, 41)
    back = numtorch.erf(numtorch.erfinv(numtorch.tensor(ys))).numpy()
    np.testing.assert_allclose(back, ys, rtol=1e-14, atol=1e-15)
    y32 = numtorch.erfinv(numtorch.tensor([0.5, -0.9], dtype=numtorch.float32))
    assert y32.dtype == numtorch.float32


def test_kink_gradients_follow_torch():
    torch = _torch()
    x = [-1.0, 0.0, 0.5, 1.0]
    for fn in (
        lambda T, t: T.abs(t),
        lambda T, t: T.clamp(t, 0.0, 0.5),
        lambda T, t: T.sgn(t),
        lambda T, t: T.fmax(t, T.tensor([0.0, 0.0, 0.5, 2.0], dtype=T.float64)),
        lambda T, t: T.floor(t) + T.round(t) + T.trunc(t) + T.frac(t),
        lambda T, t: T.xlogy(t, T.tensor([0.0, 0.0, 2.0, 3.0], dtype=T.float64)),
        lambda T, t: T.nan_to_num(T.log(t)),
        lambda T, t: T.logit(t, eps=0.25),
    ):
        grads = []
        for T in (numtorch, torch):
            t = T.tensor(x, dtype=T.float64, requires_grad=True)
            fn(T, t).sum().backward()
            grads.append(t.grad)
        _same(*grads)


def test_complex_views_and_grads():
    torch = _torch()
    got = []
    for T in (numtorch, torch):
        a = T.tensor([1.0, -2.0], requires_grad=True)
        b = T.tensor([0.5, 3.0], requires_grad=True)
        z = T.complex(a, b)
        assert type(z.conj().grad_fn).__name__ == "ConjBackward0"
        w = T.polar(a.abs() + 1, b) * z.conj()
        loss = w.real.sum() + (w.imag * 2).sum() + z.angle().sum() + T.sgn(z).real.sum()
        loss.backward()
        got.append((a.grad, b.grad))
    _same(got[0][0], got[1][0])
    _same(got[0][1], got[1][1])
    assert numtorch.real(numtorch.tensor([1.0])).tolist() == [1.0]
    assert numtorch.isreal(numtorch.complex(numtorch.ones(2), numtorch.zeros(2))).all()


def test_value_tests_return_bool():
    x = numtorch.tensor([1.0, float("nan"), float("inf"), -float("inf")])
    assert numtorch.isnan(x).tolist() == [False, True, False, False]
    assert x.isinf().tolist() == [False, False, True, True]
    assert x.isposinf().tolist() == [False, False, True, False]
    assert numtorch.isneginf(x).tolist() == [False, False, False, True]
    assert x.isfinite().tolist() == [True, False, False, False]
    assert numtorch.isnan(numtorch.tensor([1, 2])).dtype == numtorch.bool


def test_signbit():
    x = numtorch.tensor([-0.0, 0.0, -1.5, float("nan"), -float("inf")])
    assert numtorch.signbit(x).tolist() == [True, False, True, False, True]
    assert numtorch.tensor([-1, 2]).signbit().tolist() == [True, False]
    assert numtorch.signbit(numtorch.tensor([True])).tolist() == [False]
    with pytest.raises(NotImplementedError, match="signbit is not implemented for complex"):
        numtorch.signbit(numtorch.tensor([1j]))


_RELU_X = [-0.0, 0.0, float("nan"), -float("inf"), float("inf"), -1.0, 2.0]
_RELU_GRAD = [1.0, float("inf"), 1.0, float("nan"), 1.0, float("inf"), 3.0]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_relu_is_a_select_as_in_aten(dtype):
    # clamp_min keeps -0.0 and NaN; threshold_backward selects (an inf gradient where the
    # output is <= 0 gives 0, not inf * 0), and passes the gradient where the output is NaN
    x = numtorch.tensor(_RELU_X, dtype=getattr(numtorch, dtype), requires_grad=True)
    y = numtorch.relu(x)
    assert str(y).startswith("tensor([-0., 0., nan, 0., inf, 0., 2.]")
    assert y.grad_fn.name() == "ReluBackward0"
    assert y.signbit().tolist() == [True] + [False] * 6
    y.backward(numtorch.tensor(_RELU_GRAD, dtype=x.dtype))
    assert x.grad.tolist() == [0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 3.0]
    assert not x.grad.signbit().any()
    z = numtorch.tensor(_RELU_X)
    assert numtorch.relu_(z) is z and z.signbit().tolist() == [True] + [False] * 6
    assert numtorch.relu(numtorch.tensor([-3, 0, 5], dtype=numtorch.int8)).tolist() == [0, 0, 5]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("size", [1, 37, (1 << 18) + 5])  # one chunk, and past a chunk's end
def test_relu_fast_path_equals_the_select_on_the_bits(dtype, size):
    from numtorch.ops import elementwise

    values = np.resize(np.array(_RELU_X + [float("-nan"), 5e-39, -7.0], dtype), size)
    bits = f"u{values.itemsize}"
    expected = elementwise._zero_where(values, values < 0).view(bits)
    assert np.array_equal(elementwise._clamp_min_zero(values).view(bits), expected)
    strided = values[::2]  # not contiguous: always the select
    assert np.array_equal(
        elementwise._clamp_min_zero(strided).view(bits),
        elementwise._zero_where(strided, strided < 0).view(bits),
    )


def test_relu_fast_path_is_refused_where_maximum_is_not_the_select(monkeypatch):
    from numtorch.ops import elementwise

    monkeypatch.setattr(elementwise, "_chunk_zeros", {})
    # a maximum that returns +0 for max(0, -0), as a scalar loop may: the probe must refuse
    real = elementwise.xp.maximum
    monkeypatch.setattr(
        elementwise.xp, "maximum", lambda a, b, out=None: real(b, a, out=out), raising=True
    )
    assert elementwise._zeros_chunk(np.dtype("float32")) is None
    monkeypatch.undo()
    y = numtorch.relu(numtorch.tensor(_RELU_X))
    assert y.signbit().tolist() == [True] + [False] * 6


def test_relu_matches_torch_on_special_values():
    torch = _torch()
    results = []
    for lib in (numtorch, torch):
        x = lib.tensor(_RELU_X, requires_grad=True)
        y = lib.relu(x)
        y.backward(lib.tensor(_RELU_GRAD))
        results.append((str(y).replace("numtorch", "torch"), lib.signbit(y).tolist(), x.grad))
    assert results[0][:2] == results[1][:2]
    _same(results[0][2], results[1][2])


def test_inplace_functions_at_top_level():
    x = numtorch.tensor([-1.0, 4.0])
    assert numtorch.sqrt_(numtorch.relu_(x)) is x
    assert x.tolist() == [0.0, 2.0]
    assert numtorch.zero_(x) is x and x.tolist() == [0.0, 0.0]
    assert numtorch.clamp_(numtorch.tensor([-2.0, 3.0]), -1, 1).tolist() == [-1.0, 1.0]
    assert numtorch.threshold_(numtorch.tensor([-1.0, 1.0]), 0.0, 5.0).tolist() == [5.0, 1.0]
    assert numtorch.exp_.__name__ == "exp_"


def test_shift_dunders():
    x = numtorch.tensor([1, 2, -8], dtype=numtorch.int32)
    assert (x << 2).tolist() == [4, 8, -32]
    assert (x >> 1).tolist() == [0, 1, -4]
    assert (x << 2).dtype == numtorch.int32
    assert (2 << numtorch.tensor([1, 3])).tolist() == [4, 16]
    x <<= 1
    assert x.tolist() == [2, 4, -16]


_HOLOMORPHIC = [
    "exp", "sin", "cos", "tan", "tanh", "sinh", "cosh", "log", "sqrt", "sigmoid", "reciprocal",
    "rsqrt", "log1p", "expm1", "asin", "acos", "atan", "asinh", "acosh", "atanh", "square",
    "log2", "log10",
]  # fmt: skip


@pytest.mark.parametrize("name", _HOLOMORPHIC)
def test_complex_gradients_are_grad_times_conj_derivative(name):
    # PyTorch's convention for a holomorphic f: grad_input = grad * conj(f'(z)); gradcheck
    # checks numtorch's against finite differences, and against torch when it is installed
    z = np.array([0.3 + 0.7j, -1.1 + 0.2j, 0.5 - 0.4j])
    g = np.array([1.0 + 0.5j, -0.3 + 1j, 0.2 - 0.1j])
    x = numtorch.tensor(z, requires_grad=True)
    assert numtorch.autograd.gradcheck(getattr(numtorch, name), (x,))
    getattr(numtorch, name)(x).backward(numtorch.tensor(g))
    torch = pytest.importorskip("torch")
    ref = torch.tensor(z, requires_grad=True)
    getattr(torch, name)(ref).backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), ref.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_complex_gradient_reaching_a_real_leaf_is_its_real_part():
    x = numtorch.tensor([1.0, 2.0], dtype=numtorch.float64, requires_grad=True)
    w = numtorch.tensor([0.3 + 0.7j, -1.1 + 0.2j], dtype=numtorch.complex128)
    (x * w).sum().abs().backward()  # no ComplexWarning (warnings are errors here)
    assert x.grad.dtype == numtorch.float64
    w_ = np.array([0.3 + 0.7j, -1.1 + 0.2j])
    total = (np.array([1.0, 2.0]) * w_).sum()
    # d|S|/dx_i = Re(conj(S) w_i) / |S|
    np.testing.assert_allclose(x.grad.numpy(), (np.conj(total) * w_).real / abs(total))


def test_complex_sigmoid_forward():
    z = np.array([0.3 + 0.7j, -1.1 + 0.2j])
    np.testing.assert_allclose(
        numtorch.sigmoid(numtorch.tensor(z)).numpy(), 1 / (1 + np.exp(-z)), rtol=1e-15
    )
