"""Errors that explain themselves: PyTorch's exception type and message word for word (checked
against torch when it is installed, reading "numtorch." as "torch."), plus exactly one
"Hint: ..." note that names what happened in this graph and how to fix it."""

from __future__ import annotations

import importlib.util
import warnings

import pytest

import numtorch

HAS_TORCH = importlib.util.find_spec("torch") is not None


def raised(case, module):
    with warnings.catch_warnings():
        # torch warns when an autograd.Function is instantiated; the error is what we compare
        warnings.simplefilter("ignore", DeprecationWarning)
        try:
            case(module)
        except Exception as exc:
            return exc
    raise AssertionError(f"{case.__name__} raised nothing with {module.__name__}")


def hint_of(case, *words):
    """Runs ``case`` with numtorch and torch; checks type and message; returns the hint."""
    exc = raised(case, numtorch)
    if HAS_TORCH:
        import torch

        ref = raised(case, torch)
        assert type(exc).__name__ == type(ref).__name__
        assert str(exc).replace("numtorch.", "torch.") == str(ref)
    hints = [n for n in getattr(exc, "__notes__", []) if n.startswith("Hint: ")]
    assert len(hints) == 1, getattr(exc, "__notes__", None)
    for word in words:
        assert word in hints[0], (word, hints[0])
    return hints[0]


def nonscalar_backward(t):
    x = t.ones(2, 3, requires_grad=True)
    (x * 2).backward()


def test_implicit_gradient_of_a_non_scalar():
    hint = hint_of(nonscalar_backward, "[2, 3]", "out.backward(torch.ones_like(out))")
    assert "out.backward(v)" in hint


def backward_twice(t):
    x = t.ones(2, requires_grad=True)
    y = x.exp().sum()
    y.backward()
    y.backward()


def test_backward_through_a_freed_graph():
    hint_of(backward_twice, "ExpBackward0", "retain_graph=True")


def nothing_requires_grad(t):
    x = t.ones(2)
    (x * 2).sum().backward()


def test_output_that_does_not_require_grad():
    hint_of(nothing_requires_grad, "requires_grad=True", "no_grad")


def saved_output_changed(t):
    x = t.ones(2, requires_grad=True)
    y = x.exp()  # ExpBackward0 saves its output y
    y.mul_(2)
    y.sum().backward()


def test_inplace_change_of_a_saved_output():
    hint_of(saved_output_changed, "ExpBackward0", "version 0", "1 in-place op")


def saved_input_changed(t):
    x = t.ones(2, requires_grad=True)
    y = x * 2
    z = y * y  # MulBackward0 saves its input y
    y.add_(1)
    z.sum().backward()


def test_inplace_change_of_a_saved_input_names_the_saver():
    hint_of(saved_input_changed, "MulBackward0", "version 0", "1 in-place op")


def inplace_on_leaf(t):
    w = t.ones(2, requires_grad=True)
    w.add_(1)


def test_inplace_on_a_leaf_that_requires_grad():
    hint_of(inplace_on_leaf, "[2]", "torch.no_grad()")


def legacy_call(t):
    class Double(t.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * grad

    Double()(t.ones(1, requires_grad=True))


def test_legacy_function_call():
    hint_of(legacy_call, "Double.apply(x)", "Double()(x)")


def int_requires_grad(t):
    t.tensor([1, 2, 3], requires_grad=True)


def test_integer_tensor_requires_grad():
    hint_of(int_requires_grad, "int64", "float")


def int_requires_grad_(t):
    t.tensor([1, 2, 3]).requires_grad_()


def test_integer_tensor_requires_grad_method():
    hint_of(int_requires_grad_, "int64", "float")


def broadcast_mismatch(t):
    a = t.ones(2, 3, requires_grad=True)
    b = t.ones(2)
    a * b


def test_shapes_that_do_not_broadcast():
    hint_of(broadcast_mismatch, "[2, 3]", "[2]", "dimension 1")


def matmul_mismatch(t):
    x = t.ones(4, 3)
    w = t.ones(4, 3, requires_grad=True)
    x @ w


def test_matmul_shapes_that_do_not_fit():
    hint_of(matmul_mismatch, "4x3", "3", "4", ".T")


def test_nonleaf_grad_warning_message():
    x = numtorch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning, match="is not a leaf Tensor is being accessed") as record:
        assert y.grad is None
    message = str(record[0].message)
    if HAS_TORCH:
        import torch

        tx = torch.ones(2, requires_grad=True)
        ty = tx * 2
        with pytest.warns(UserWarning) as ref:
            assert ty.grad is None
        # the part before the link: the rest names PyTorch's build paths
        cut = "See github.com"
        assert message.split(cut)[0] == str(ref[0].message).split(cut)[0]


def test_nonleaf_grad_warning_hint():
    x = numtorch.ones(2, requires_grad=True)
    y = x * 2
    with pytest.warns(UserWarning) as record:
        y.grad  # noqa: B018
    notes = getattr(record[0].message, "__notes__", [])
    assert len(notes) == 1 and notes[0].startswith("Hint: ")
    assert "retain_grad()" in notes[0] and "MulBackward0" in notes[0]
