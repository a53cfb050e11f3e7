"""numtorch.autograd.forward_ad: dual tensors, tangents by the double-vjp trick.

The comparison tests run the same code on numtorch and on PyTorch (skipped without it); the
others check tangents against finite differences and the documented behaviour.
"""

from __future__ import annotations

import doctest
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import numtorch
import numtorch.autograd.forward_ad as fwAD

RNG = np.random.default_rng(0)


def _arr(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _torch() -> Any:
    """PyTorch, the reference (the test is skipped without it)."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        # its make_dual loads jvp decompositions once, which warns that torch.jit is deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.autograd.forward_ad._maybe_load_decompositions()
    return torch


def _np(t: Any) -> np.ndarray | None:
    return None if t is None else np.asarray(t.detach().numpy())


def _jvp_with(lib: Any, fn: Callable, primals: list, tangents: list) -> tuple:
    """``fn(lib, *duals)`` inside a dual level of ``lib``: (primal, tangent) as arrays."""
    fw = lib.autograd.forward_ad
    with fw.dual_level():
        duals = [
            fw.make_dual(lib.tensor(p), lib.tensor(t))
            for p, t in zip(primals, tangents, strict=True)
        ]
        primal, tangent = fw.unpack_dual(fn(lib, *duals))
        return _np(primal), _np(tangent)


def _compare(fn: Callable, primals: list, tangents: list, rtol: float = 1e-5) -> None:
    torch = _torch()
    ours = _jvp_with(numtorch, fn, primals, tangents)
    ref = _jvp_with(torch, fn, primals, tangents)
    for got, want in zip(ours, ref, strict=True):
        if want is None:
            assert got is None
        else:
            assert got is not None
            assert got.dtype == want.dtype
            np.testing.assert_allclose(got, want, rtol=rtol, atol=1e-6)


# -- tangents against PyTorch -------------------------------------------------------------------

UNARY = {
    "elementwise": lambda lib, x: x.sin() * x.exp() + x**2 / (1 + x.abs()),
    "tanh_sigmoid_log": lambda lib, x: x.tanh() + x.sigmoid() * (x * x + 1).log(),
    "sum": lambda lib, x: x.sum(),
    "mean_dim": lambda lib, x: x.mean(dim=1),
    "norm": lambda lib, x: x.norm(),
    "softmax": lambda lib, x: lib.softmax(x, dim=-1),
    "logsumexp": lambda lib, x: x.logsumexp(dim=0),
    "max": lambda lib, x: x.max(),
    "index": lambda lib, x: x[0],
    "transpose": lambda lib, x: x.t(),
    "slice_then_math": lambda lib, x: x[:, 1:].t() * 3,
    "reshape": lambda lib, x: x.reshape(-1).cumsum(0),
    "matmul_self": lambda lib, x: x @ x.t(),
    "relu": lambda lib, x: lib.nn.functional.relu(x),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_functions_match_torch(name):
    _compare(UNARY[name], [_arr(2, 3)], [_arr(2, 3)])


def test_matmul_with_a_constant_matrix():
    a = _arr(4, 3)
    _compare(lambda lib, x: lib.tensor(a) @ x, [_arr(3, 2)], [_arr(3, 2)])


def test_broadcasting_between_two_duals():
    _compare(lambda lib, x, y: x * y + y.exp(), [_arr(3, 1), _arr(4)], [_arr(3, 1), _arr(4)])


def test_several_duals_in_one_level_add_up():
    # J t = J_x t_x + J_y t_y + J_z t_z
    def fn(lib, x, y, z):
        return (x * y).sum() + (y @ z).tanh().sum()

    _compare(fn, [_arr(3), _arr(3), _arr(3, 2)], [_arr(3), _arr(3), _arr(3, 2)])


def test_nested_python_functions():
    def inner(lib, v):
        return lib.sin(v) * v

    def middle(lib, v, w):
        return inner(lib, v @ w) + inner(lib, w.sum(0))

    def outer(lib, v, w):
        return middle(lib, v, w).pow(2).mean()

    _compare(outer, [_arr(2, 3), _arr(3, 3)], [_arr(2, 3), _arr(3, 3)])


def test_linear_and_mlp_forward():
    w1, b1, w2, b2 = _arr(8, 4), _arr(8), _arr(2, 8), _arr(2)

    def mlp(lib, x):
        f = lib.nn.functional
        hidden = f.linear(x, lib.tensor(w1), lib.tensor(b1)).tanh()
        return f.linear(f.relu(hidden), lib.tensor(w2), lib.tensor(b2))

    _compare(mlp, [_arr(5, 4)], [_arr(5, 4)])


def _mlp(lib: Any, weights: list) -> Any:
    model = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3))
    with lib.no_grad():
        for param, value in zip(model.parameters(), weights, strict=True):
            param.copy_(lib.tensor(value))
    return model


def test_jvp_of_a_model_with_respect_to_its_input():
    torch = _torch()
    weights = [_arr(8, 4), _arr(8), _arr(3, 8), _arr(3)]
    x, v = _arr(5, 4), _arr(5, 4)
    results = {}
    for lib in (numtorch, torch):
        model = _mlp(lib, weights)
        fw = lib.autograd.forward_ad
        with fw.dual_level():
            out = model(fw.make_dual(lib.tensor(x), lib.tensor(v)))
            primal, tangent = fw.unpack_dual(out)
            # the parameters require grad: so do the primal and the tangent, as in PyTorch
            assert primal.requires_grad and tangent.requires_grad
            tangent.pow(2).sum().backward()
        results[lib.__name__] = (
            _np(primal),
            _np(tangent),
            [_np(p.grad) for p in model.parameters()],
        )
    (p1, t1, g1), (p2, t2, g2) = results["numtorch"], results["torch"]
    np.testing.assert_allclose(p1, p2, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(t1, t2, rtol=1e-5, atol=1e-6)
    assert [g is None for g in g1] == [g is None for g in g2] == [False, False, False, True]
    for a, b in zip(g1[:3], g2[:3], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    # and the same as numtorch.func.jvp
    model = _mlp(numtorch, weights)
    _, expected = numtorch.func.jvp(model, (numtorch.tensor(x),), (numtorch.tensor(v),))
    np.testing.assert_allclose(t1, _np(expected), rtol=1e-5, atol=1e-6)


def test_float64_tangent_of_a_float32_dual_promotes_as_torch():
    tangent = _arr(3).astype(np.float64)
    _compare(lambda lib, x: x.sin() * 2, [_arr(3)], [tangent])


def test_complex_tangent_of_a_real_dual_keeps_the_real_part_as_torch():
    torch = _torch()
    x, v = _arr(3), _arr(3) + 1j * _arr(3)
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        ours = _jvp_with(numtorch, lambda lib, d: d.sin(), [x], [v])
    with pytest.warns(UserWarning, match="discards the imaginary part"):
        ref = _jvp_with(torch, lambda lib, d: d.sin(), [x], [v])
    assert ours[1] is not None and ref[1] is not None
    assert ours[1].dtype == ref[1].dtype == np.float32
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-5)


def test_tangent_none_when_the_output_does_not_depend_on_a_dual():
    c = _arr(3)
    _compare(lambda lib, x: lib.tensor(c) * 2, [_arr(3)], [_arr(3)])
    _compare(lambda lib, x: x.detach() + 1, [_arr(3)], [_arr(3)])
    _compare(lambda lib, x: x.argmax(), [_arr(3)], [_arr(3)])
    _compare(lambda lib, x: x > 0, [_arr(3)], [_arr(3)])
    _compare(lambda lib, x: x.floor(), [_arr(3)], [_arr(3)])  # zeros, not None


def test_inplace_op_on_a_dual_and_with_a_dual_operand():
    def on_dual(lib, x):
        x.mul_(2)
        return x

    def into_plain(lib, x):
        z = lib.zeros(3)
        z.add_(x)
        z[1] = x[0] * 5
        return z

    _compare(on_dual, [_arr(3)], [_arr(3)])
    _compare(into_plain, [_arr(3)], [_arr(3)])


def test_unpacked_dual_tensor_type_and_printing_match_torch():
    torch = _torch()
    texts = []
    for lib in (numtorch, torch):
        fw = lib.autograd.forward_ad
        assert fw.UnpackedDualTensor._fields == ("primal", "tangent")
        assert fw.UnpackedDualTensor.__name__ == "UnpackedDualTensor"
        with fw.dual_level():
            dual = fw.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([0.5, 1.0]))
            unpacked = fw.unpack_dual(dual * 2)
            assert isinstance(unpacked, fw.UnpackedDualTensor) and isinstance(unpacked, tuple)
            assert unpacked.primal is unpacked[0] and unpacked.tangent is unpacked[1]
            texts.append(repr(unpacked))
            texts.append(str(fw.unpack_dual(lib.tensor(3.0))))
        texts.append(repr(fw.unpack_dual(dual)))
    assert texts[:3] == texts[3:]
    assert texts[0] == "UnpackedDualTensor(primal=tensor([2., 4.]), tangent=tensor([1., 2.]))"


def test_backward_through_a_dual_of_a_tensor_requiring_grad_matches_torch():
    torch = _torch()
    x0, v0 = _arr(3), _arr(3)
    grads = []
    for lib in (numtorch, torch):
        fw = lib.autograd.forward_ad
        x = lib.tensor(x0, requires_grad=True)
        with fw.dual_level():
            dual = fw.make_dual(x, lib.tensor(v0))
            assert dual.requires_grad and not dual.is_leaf and dual._base is x
            out = (dual.sin() * dual).sum()
            primal, tangent = fw.unpack_dual(out)
            assert primal.requires_grad and tangent.requires_grad
            out.backward(retain_graph=True)
            first = _np(x.grad).copy()
            x.grad = None
            (d_tangent,) = lib.autograd.grad(tangent, x)  # the tangent is differentiable
        grads.append((first, _np(d_tangent), _np(tangent)))
    for a, b in zip(grads[0], grads[1], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_tangent_requiring_grad_gives_a_differentiable_tangent_as_torch():
    torch = _torch()
    out = []
    for lib in (numtorch, torch):
        fw = lib.autograd.forward_ad
        t = lib.tensor([1.0, 2.0], requires_grad=True)
        with fw.dual_level():
            dual = fw.make_dual(lib.tensor([0.5, 1.5]), t)
            primal, tangent = fw.unpack_dual(dual.exp())
            assert not primal.requires_grad and tangent.requires_grad
            tangent.sum().backward()
        out.append(_np(t.grad))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-6)


def _first_line(error: BaseException) -> str:
    # dtypes print as numtorch.int64 where PyTorch prints torch.int64
    return str(error).split("\n")[0].replace("numtorch.", "torch.")


def test_errors_match_torch():
    torch = _torch()

    def messages(lib):
        fw = lib.autograd.forward_ad
        x = lib.tensor([1.0, 2.0, 3.0])
        cases = [
            lambda: fw.make_dual(x, lib.ones(3)),
            lambda: fw.exit_dual_level(),
            lambda: fw.exit_dual_level(level=0),
            lambda: fw.make_dual(x, lib.ones(3), level=0),
        ]
        inside = [
            lambda: fw.make_dual(x, lib.ones(2)),
            lambda: fw.make_dual(lib.ones(2, 3), lib.ones(3, 2)),
            lambda: fw.make_dual(lib.tensor([1, 2]), lib.ones(2)),
            lambda: fw.make_dual(x, lib.tensor([1, 2, 3])),
            lambda: fw.make_dual(x, lib.ones(3), level=1),
            lambda: fw.make_dual(fw.make_dual(x, lib.ones(3)), lib.ones(3)),
            lambda: fw.make_dual(fw.make_dual(x, lib.ones(3)) * 2, lib.ones(3)),
            lambda: fw.enter_dual_level(),
            lambda: fw.dual_level().__enter__(),
            lambda: fw.exit_dual_level(level=3),
            lambda: fw.unpack_dual([1.0]),
        ]
        found = []
        for case in cases:
            with pytest.raises((RuntimeError, ValueError, TypeError)) as info:
                case()
            found.append((info.type, _first_line(info.value)))
        with fw.dual_level():
            for case in inside:
                with pytest.raises((RuntimeError, ValueError, TypeError)) as info:
                    case()
                found.append((info.type, _first_line(info.value)))
        return found

    ours, ref = messages(numtorch), messages(torch)
    assert ours == ref


# -- level rules, aliasing, exit ----------------------------------------------------------------


def test_levels_context_manager_and_decorator():
    assert fwAD._current_level == -1
    with fwAD.dual_level() as level:
        assert level == 0
    assert fwAD._current_level == -1
    level = fwAD.enter_dual_level()
    fwAD.exit_dual_level(level=level)

    @fwAD.dual_level()
    def scaled(x, v):
        return fwAD.unpack_dual(fwAD.make_dual(x, v) * 3).tangent

    assert scaled(numtorch.ones(2), numtorch.ones(2)).tolist() == [3.0, 3.0]
    assert fwAD._current_level == -1

    with pytest.raises(ZeroDivisionError), fwAD.dual_level():
        1 / 0  # noqa: B018
    assert fwAD._current_level == -1  # left even on an error


def test_unpack_outside_a_level_or_of_a_plain_tensor():
    x = numtorch.tensor([1.0, 2.0])
    outside = fwAD.unpack_dual(x)
    assert outside.primal is x and outside.tangent is None
    with fwAD.dual_level():
        plain = fwAD.unpack_dual(x)
        assert plain.tangent is None and plain.primal._base is x
        assert fwAD.unpack_dual(fwAD.make_dual(x, x), level=-1).tangent is None


def test_primal_of_a_dual_aliases_the_original():
    x = numtorch.tensor([1.0, 2.0, 3.0])
    v = numtorch.ones(3)
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, v)
        primal, tangent = fwAD.unpack_dual(dual)
        assert tangent is v  # as-is, as PyTorch
        assert primal._base is x and not primal.requires_grad
        assert primal.data_ptr() == x.data_ptr() == dual.data_ptr()
        x.add_(1)  # visible through the dual and the primal
        assert dual.tolist() == primal.tolist() == [2.0, 3.0, 4.0]
        assert fwAD.unpack_dual(dual * 2).tangent.tolist() == [2.0, 2.0, 2.0]


def test_exiting_the_level_drops_the_tangents():
    x = numtorch.tensor([1.0, 2.0])
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, numtorch.ones(2))
        out = dual * dual
        assert fwAD.unpack_dual(out).tangent is not None
    assert fwAD.unpack_dual(dual).tangent is None
    assert fwAD.unpack_dual(out).tangent is None
    # the dual is a plain tensor again, as in PyTorch
    assert not dual.requires_grad and dual.grad_fn is None
    with fwAD.dual_level():  # a new level knows nothing of the old duals
        assert fwAD.unpack_dual(dual * 2).tangent is None
        assert fwAD.unpack_dual(out).tangent is None


def test_hidden_alias_does_not_change_user_gradients():
    w = numtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = numtorch.tensor([0.5, -1.0])
    with fwAD.dual_level():
        out = (w @ fwAD.make_dual(x, numtorch.tensor([1.0, 0.0]))).tanh().sum()
        assert fwAD.unpack_dual(out).tangent is not None
        out.backward()
    expected_w = w.detach().clone().requires_grad_()
    (expected_w @ x).tanh().sum().backward()
    np.testing.assert_allclose(_np(w.grad), _np(expected_w.grad), rtol=1e-6)
    assert x.grad is None and not x.requires_grad


def test_under_no_grad_make_dual_works_but_unrecorded_ops_carry_no_tangent():
    # a documented difference: PyTorch propagates tangents under no_grad too
    x = numtorch.tensor([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        with numtorch.no_grad():
            dual = fwAD.make_dual(x, numtorch.ones(2))
            assert fwAD.unpack_dual(dual).tangent is not None
            assert fwAD.unpack_dual(dual * 2).tangent is None
        out = dual * 2
        primal, tangent = fwAD.unpack_dual(out)
        assert tangent.tolist() == [2.0, 2.0]
        assert not primal.requires_grad  # the no_grad dual does not lead back to x


def test_func_jvp_is_unaffected_inside_a_level():
    x, v = numtorch.tensor([0.3, 0.7]), numtorch.tensor([1.0, -1.0])
    before = numtorch.func.jvp(numtorch.sin, (x,), (v,))
    with fwAD.dual_level():
        dual = fwAD.make_dual(x, numtorch.ones(2))
        inside = numtorch.func.jvp(numtorch.sin, (x,), (v,))
        # and on a dual: the function's own jvp, while the output still carries the dual's
        out, jvp_out = numtorch.func.jvp(lambda a: a * a, (dual,), (v,))
        assert jvp_out.tolist() == pytest.approx((2 * x * v).tolist())
        assert fwAD.unpack_dual(out).tangent.tolist() == pytest.approx((2 * x).tolist())
    for a, b in zip(before, inside, strict=True):
        assert a.tolist() == b.tolist() and not b.requires_grad


# -- tangents against finite differences (no PyTorch needed) ------------------------------------


def _finite_difference(fn: Callable, xs: list, vs: list, eps: float = 1e-6) -> np.ndarray:
    def at(sign: float) -> np.ndarray:
        args = [numtorch.tensor(x + sign * eps * v) for x, v in zip(xs, vs, strict=True)]
        return _np(fn(*args))  # type: ignore[return-value]

    return (at(1.0) - at(-1.0)) / (2 * eps)


FD_CASES = {
    "elementwise": (lambda x: (x.sin() * x.exp()).sqrt(), [(3, 4)]),
    "matmul_chain": (lambda x, y: (x @ y).tanh() @ y.t(), [(2, 3), (3, 3)]),
    "broadcast_reduce": (lambda x, y: (x + y).pow(3).sum(dim=0), [(4, 1), (5,)]),
    "views": (lambda x: x[1:, ::2].t().reshape(-1) * x[0, 0], [(3, 4)]),
    "softmax_linear": (
        lambda x, w: numtorch.softmax(numtorch.nn.functional.linear(x, w), dim=-1),
        [(2, 3), (4, 3)],
    ),
}


@pytest.mark.parametrize("name", sorted(FD_CASES))
def test_tangents_match_finite_differences(name):
    fn, shapes = FD_CASES[name]
    xs = [np.abs(RNG.standard_normal(s)) + 0.5 for s in shapes]  # sqrt: positive inputs
    vs = [RNG.standard_normal(s) for s in shapes]
    with fwAD.dual_level():
        duals = [
            fwAD.make_dual(numtorch.tensor(x), numtorch.tensor(v))
            for x, v in zip(xs, vs, strict=True)
        ]
        primal, tangent = fwAD.unpack_dual(fn(*duals))
    assert tangent is not None and tangent.dtype == numtorch.float64
    np.testing.assert_allclose(_np(primal), _np(fn(*map(numtorch.tensor, xs))))
    np.testing.assert_allclose(_np(tangent), _finite_difference(fn, xs, vs), rtol=1e-6, atol=1e-8)


def test_module_docstring_examples():
    result = doctest.testmod(
        fwAD, globs={"numtorch": numtorch}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 10 and result.failed == 0
