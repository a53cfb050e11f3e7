"""Tests for numtorch.autograd.functional: vjp, jvp, jacobian, hessian, vhp, hvp.

Closed-form results and output structure first, then error messages, then comparisons with
PyTorch (skipped when torch is not installed).
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp

RNG = np.random.default_rng(1)


def _double(*shape):
    return numtorch.tensor(RNG.standard_normal(shape))


def _np(t):
    return t.detach().numpy()


# -- closed forms and structure ---------------------------------------------------------------


def test_jacobian_of_square_is_diagonal():
    x = _double(4)
    jac = jacobian(lambda t: t**2, x)
    assert isinstance(jac, numtorch.Tensor)
    assert tuple(jac.shape) == (4, 4)
    np.testing.assert_allclose(_np(jac), np.diag(2 * _np(x)))
    assert not jac.requires_grad


def test_jacobian_shapes_and_nesting():
    x, y = _double(2, 3), _double(4)

    def two_outputs(a, b):
        return a.sum(), b * 2

    jac = jacobian(two_outputs, (x, y))
    assert isinstance(jac, tuple) and len(jac) == 2
    assert all(isinstance(row, tuple) and len(row) == 2 for row in jac)
    assert [tuple(j.shape) for j in jac[0]] == [(2, 3), (4,)]
    assert [tuple(j.shape) for j in jac[1]] == [(4, 2, 3), (4, 4)]
    np.testing.assert_allclose(_np(jac[0][0]), np.ones((2, 3)))
    np.testing.assert_allclose(_np(jac[0][1]), np.zeros(4))
    np.testing.assert_allclose(_np(jac[1][1]), 2 * np.eye(4))

    # a single input inside tuple outputs: one level of tuples
    jac = jacobian(lambda a: (a * 3, a.sum()), x)
    assert isinstance(jac, tuple) and len(jac) == 2
    assert isinstance(jac[0], numtorch.Tensor)
    assert tuple(jac[0].shape) == (2, 3, 2, 3)

    # tuple inputs, single output: one level of tuples
    jac = jacobian(lambda a, b: a.sum() * b, (x, y))
    assert isinstance(jac, tuple) and all(isinstance(j, numtorch.Tensor) for j in jac)
    assert [tuple(j.shape) for j in jac] == [(4, 2, 3), (4, 4)]


def test_jacobian_zero_dim_and_empty():
    x = numtorch.tensor(3.0, dtype=numtorch.float64)
    jac = jacobian(lambda t: t * t, x)
    assert tuple(jac.shape) == ()
    assert jac.item() == 6.0
    jac = jacobian(lambda t: t * 2, numtorch.zeros(0, dtype=numtorch.float64))
    assert tuple(jac.shape) == (0, 0)
    jac = jacobian(lambda t: t.sum().reshape(1), numtorch.zeros(0, dtype=numtorch.float64))
    assert tuple(jac.shape) == (1, 0)


def test_jacobian_vectorize_gives_the_same_result():
    x = _double(3)
    np.testing.assert_allclose(
        _np(jacobian(lambda t: t.exp() * t.sum(), x, vectorize=True)),
        _np(jacobian(lambda t: t.exp() * t.sum(), x)),
    )
    np.testing.assert_allclose(
        _np(jacobian(lambda t: t**2, x, vectorize=True, strategy="forward-mode")),
        np.diag(2 * _np(x)),
    )


def test_jacobian_create_graph():
    x = _double(3).requires_grad_()
    jac = jacobian(lambda t: t**3, x, create_graph=True)
    assert jac.requires_grad
    (grad,) = numtorch.autograd.grad(jac.sum(), x)
    np.testing.assert_allclose(_np(grad), 6 * _np(x))


def test_jacobian_independent_input_gives_zeros():
    x, y = _double(2), _double(3)
    jac = jacobian(lambda a, b: a * 2, (x, y))
    np.testing.assert_allclose(_np(jac[1]), np.zeros((2, 3)))


def test_hessian_of_sum_of_cubes_is_diagonal():
    x = _double(3)
    hess = hessian(lambda t: (t**3).sum(), x)
    assert isinstance(hess, numtorch.Tensor) and tuple(hess.shape) == (3, 3)
    np.testing.assert_allclose(_np(hess), np.diag(6 * _np(x)))


def test_hessian_tuple_inputs():
    x, y = _double(2), _double(3)
    hess = hessian(lambda a, b: (a**2).sum() * b.sum(), (x, y))
    assert isinstance(hess, tuple) and all(isinstance(h, tuple) for h in hess)
    assert [[tuple(h.shape) for h in row] for row in hess] == [
        [(2, 2), (2, 3)],
        [(3, 2), (3, 3)],
    ]
    np.testing.assert_allclose(_np(hess[0][0]), 2 * _np(y).sum() * np.eye(2))
    np.testing.assert_allclose(_np(hess[0][1]), np.tile(2 * _np(x)[:, None], (1, 3)))
    np.testing.assert_allclose(_np(hess[1][1]), np.zeros((3, 3)))


def test_vjp_and_jvp():
    x, v = _double(3), _double(3)
    out, res = vjp(lambda t: t**2, x, v)
    np.testing.assert_allclose(_np(out), _np(x) ** 2)
    np.testing.assert_allclose(_np(res), 2 * _np(x) * _np(v))
    out, res = jvp(lambda t: t**2, x, v)
    np.testing.assert_allclose(_np(out), _np(x) ** 2)
    np.testing.assert_allclose(_np(res), 2 * _np(x) * _np(v))
    assert not out.requires_grad and not res.requires_grad


def test_vjp_jvp_structure():
    x, y = _double(2), _double(2)
    out, res = vjp(lambda a, b: 2 * a + 3 * b, (x, y), numtorch.ones(2, dtype=numtorch.float64))
    assert isinstance(out, numtorch.Tensor) and isinstance(res, tuple)
    np.testing.assert_allclose(_np(res[0]), [2, 2])
    np.testing.assert_allclose(_np(res[1]), [3, 3])
    out, res = jvp(lambda a: (a * 2, a.sum()), x, numtorch.ones(2, dtype=numtorch.float64))
    assert isinstance(out, tuple) and isinstance(res, tuple)
    np.testing.assert_allclose(_np(res[0]), [2, 2])
    assert res[1].item() == 2.0


def test_v_may_be_none_for_single_elements():
    x = numtorch.tensor([2.0], dtype=numtorch.float64)
    _, res = vjp(lambda t: (t**3).sum(), x)
    np.testing.assert_allclose(_np(res), [12.0])
    _, res = jvp(lambda t: t**3, x)
    np.testing.assert_allclose(_np(res), [12.0])
    _, res = vhp(lambda t: (t**3).sum(), x)
    np.testing.assert_allclose(_np(res), [12.0])
    _, res = hvp(lambda t: (t**3).sum(), x)
    np.testing.assert_allclose(_np(res), [12.0])


def test_vhp_and_hvp():
    x, v = _double(3), _double(3)
    for fn in (vhp, hvp):
        out, res = fn(lambda t: (t**3).sum(), x, v)
        np.testing.assert_allclose(out.item(), (_np(x) ** 3).sum())
        np.testing.assert_allclose(_np(res), 6 * _np(x) * _np(v))


def test_vhp_hvp_tuple_inputs():
    x, y = _double(2), _double(2)
    v = (numtorch.ones(2, dtype=numtorch.float64), numtorch.zeros(2, dtype=numtorch.float64))
    for fn in (vhp, hvp):
        _, res = fn(lambda a, b: (a * b).sum(), (x, y), v)
        assert isinstance(res, tuple)
        np.testing.assert_allclose(_np(res[0]), [0, 0])
        np.testing.assert_allclose(_np(res[1]), [1, 1])


def test_create_graph_results_require_grad():
    x = _double(3).requires_grad_()
    v = _double(3)
    out, res = vjp(lambda t: t**3, x, v, create_graph=True)
    assert out.requires_grad and res.requires_grad
    out, res = hvp(lambda t: (t**3).sum(), x, v, create_graph=True)
    assert res.requires_grad
    (grad,) = numtorch.autograd.grad(res.sum(), x)
    np.testing.assert_allclose(_np(grad), 6 * _np(v))


def test_captured_tensors_are_constants():
    x = _double(3)

    def func(t):
        return t * x  # x captured: the derivative is with respect to the argument only

    np.testing.assert_allclose(_np(jacobian(func, x)), np.diag(_np(x)))


# -- errors -----------------------------------------------------------------------------------


def test_v_none_errors():
    x = _double(3)
    with pytest.raises(RuntimeError, match="returns a single Tensor with a single element"):
        vjp(lambda t: t * 2, x)
    for fn in (jvp, vhp, hvp):
        with pytest.raises(RuntimeError, match="The vector v can only be None if the input"):
            fn(lambda t: t.sum(), x)


def test_v_validation_errors():
    x, y = _double(3), _double(3)
    with pytest.raises(RuntimeError, match=r"v has invalid size: should be"):
        vjp(lambda t: t * 2, x, _double(2))
    with pytest.raises(RuntimeError, match=r"Entry 1 in v has invalid size"):
        jvp(lambda a, b: a * b, (x, y), (_double(3), _double(2)))
    with pytest.raises(RuntimeError, match="v is a tuple of invalid length: should be 2 but got 1"):
        jvp(lambda a, b: a * b, (x, y), (_double(3),))
    with pytest.raises(RuntimeError, match="The given v should contain a single Tensor."):
        vjp(lambda t: t * 2, x, (_double(3), _double(3)))


def test_type_errors():
    with pytest.raises(TypeError, match="The inputs given to jacobian must be either a Tensor"):
        jacobian(lambda t: t, [_double(2)])
    with pytest.raises(TypeError, match="value at index 1 has type"):
        vjp(lambda a, b: a, (_double(2), 3.0))


def test_strict_errors():
    x, y = _double(2), _double(2)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not"):
        vjp(lambda t: numtorch.ones(2), x, numtorch.ones(2), strict=True)
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function is independent"):
        jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="independent of input 1. This is not allowed"):
        vjp(lambda a, b: a * 2, (x, y), numtorch.ones(2, dtype=numtorch.float64), strict=True)
    with pytest.raises(RuntimeError, match="found that the jacobian of the user-provided"):
        hessian(lambda t: t.sum(), x, strict=True)
    with pytest.raises(RuntimeError, match="`strict=True` and `vectorized=True`"):
        jacobian(lambda t: t * t, x, strict=True, vectorize=True)


def test_single_output_errors():
    x = _double(2)
    with pytest.raises(RuntimeError, match="The function given to hessian should return a single"):
        hessian(lambda t: (t.sum(), t.sum()), x)
    with pytest.raises(RuntimeError, match="given to vhp should contain a single element"):
        vhp(lambda t: t * 2, x, x)
    with pytest.raises(RuntimeError, match="given to hvp should contain a single element"):
        hvp(lambda t: t * 2, x, x)


def test_forward_mode_errors():
    x = _double(2)
    with pytest.raises(NotImplementedError, match=r"only implemented for `vectorize=True`"):
        jacobian(lambda t: t * t, x, strategy="forward-mode")
    with pytest.raises(NotImplementedError, match=r"`create_graph=True` and `strategy="):
        jacobian(lambda t: t * t, x, strategy="forward-mode", vectorize=True, create_graph=True)
    with pytest.raises(AssertionError, match="Expected strategy to be either"):
        jacobian(lambda t: t * t, x, strategy="sideways")


# -- parity with PyTorch ----------------------------------------------------------------------


def _pair(*shapes):
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal(s) for s in shapes]
    return torch, [numtorch.tensor(a) for a in arrays], [torch.tensor(a) for a in arrays]


def _assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for o, t in zip(ours, theirs, strict=True):
            _assert_same(o, t)
    else:
        assert isinstance(ours, numtorch.Tensor)
        assert tuple(ours.shape) == tuple(theirs.shape)
        assert ours.requires_grad == theirs.requires_grad
        np.testing.assert_allclose(_np(ours), theirs.detach().numpy(), rtol=1e-12, atol=1e-12)


FUNCS = {  # name: (function, whether it takes a tuple of inputs)
    "single": (lambda a: (a.exp() * a.sum()).reshape(2, 3), False),
    "tuple_out": (lambda a: (a * a, a.sum()), False),
    "tuple_in": (lambda a, b: a * b.exp() + a.sum(), True),
    "both": (lambda a, b: (a * b, (a - b).sum()), True),
}


def _ours(theirs):
    """A torch Tensor, or a tuple of them, as numtorch."""
    if isinstance(theirs, tuple):
        return tuple(_ours(t) for t in theirs)
    return numtorch.tensor(theirs.detach().numpy())


@pytest.mark.parametrize("name", list(FUNCS))
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_vjp_jvp_match_torch(name, create_graph):
    torch, ours, theirs = _pair((6,), (6,))
    F = torch.autograd.functional
    func, tupled = FUNCS[name]
    inp = tuple(ours) if tupled else ours[0]
    tinp = tuple(theirs) if tupled else theirs[0]
    _assert_same(
        jacobian(func, inp, create_graph=create_graph),
        F.jacobian(func, tinp, create_graph=create_graph),
    )
    tout = func(*theirs) if tupled else func(theirs[0])
    tv = tuple(o + 1 for o in tout) if isinstance(tout, tuple) else tout + 1
    _assert_same(
        vjp(func, inp, _ours(tv), create_graph=create_graph),
        F.vjp(func, tinp, tv, create_graph=create_graph),
    )
    _assert_same(
        jvp(func, inp, inp, create_graph=create_graph),
        F.jvp(func, tinp, tinp, create_graph=create_graph),
    )


@pytest.mark.parametrize("fn_name", ["hessian", "vhp", "hvp"])
def test_second_order_match_torch(fn_name):
    torch, ours, theirs = _pair((3,), (3,))
    F = torch.autograd.functional
    ns = {"hessian": hessian, "vhp": vhp, "hvp": hvp}

    def func(a, b):
        return (a * a * b.exp()).sum()

    if fn_name == "hessian":
        _assert_same(hessian(func, tuple(ours)), F.hessian(func, tuple(theirs)))
        single = lambda a: (a**3).sum()  # noqa: E731
        _assert_same(hessian(single, ours[0]), F.hessian(single, theirs[0]))
    else:
        _assert_same(
            ns[fn_name](func, tuple(ours), tuple(ours)),
            getattr(F, fn_name)(func, tuple(theirs), tuple(theirs)),
        )


def test_error_messages_match_torch():
    torch, (x,), (tx,) = _pair((3,))
    F = torch.autograd.functional
    cases = [
        lambda m, t: m.vjp(lambda a: a * 2, t),
        lambda m, t: m.jvp(lambda a: a.sum(), t),
        lambda m, t: m.jvp(lambda a: a, t, t[:2]),
        lambda m, t: m.hvp(lambda a: a, t, t),
        lambda m, t: m.jacobian(lambda a: a * a, t, strategy="forward-mode"),
        lambda m, t: m.hessian(lambda a: a.sum(), t, strict=True),
        lambda m, t: m.vjp(lambda a: a.detach(), t, t, strict=True),
    ]
    import numtorch.autograd.functional as ours_module

    for case in cases:
        with pytest.raises(Exception) as expected:
            case(F, tx)
        with pytest.raises(type(expected.value)) as got:
            case(ours_module, x)
        assert str(got.value) == str(expected.value).replace("torch.", "numtorch.")
