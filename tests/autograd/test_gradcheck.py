"""Tests for numtorch.autograd.gradcheck: gradcheck and gradgradcheck.

Closed-form checks first (correct functions pass, broken custom Functions are caught), then
comparisons with PyTorch, which skip when torch is not installed.
"""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import Function
from numtorch.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck

RNG = np.random.default_rng(0)


def _double(*shape, requires_grad=True):
    return numtorch.tensor(RNG.standard_normal(shape)).requires_grad_(requires_grad)


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


class WrongSquare(Function):
    """Forgets the factor 2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return x * grad


class DetachedSquare(Function):
    """Right first derivative, but its backward is not differentiable in x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x.detach() * grad


class AddsOneWithoutGrad(Function):
    """Right Jacobian, but a zero grad_output does not give a zero gradient."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad + (grad == 0).to(grad.dtype)


class Drifting(Function):
    """A backward whose result changes a little on every call (not reentrant)."""

    calls = 0

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * 3

    @staticmethod
    def backward(ctx, grad):
        Drifting.calls += 1
        return grad * (3 + 1e-9 * Drifting.calls)


# -- gradcheck passes for correct gradients ---------------------------------------------------


@pytest.mark.parametrize(
    "func, shapes",
    [
        (lambda x: x * x, [(3,)]),
        (lambda x: (x * x).sum(), [(2, 3)]),
        (lambda x, y: x * y + x, [(2, 3), (2, 3)]),
        (lambda x, y: (x * y, x - y), [(4,), (4,)]),
        (lambda x: x.sin() * x, [()]),
        (lambda x: x.t() * 2, [(2, 3)]),
    ],
)
def test_gradcheck_passes_for_builtin_ops(func, shapes):
    inputs = tuple(_double(*s) for s in shapes)
    assert gradcheck(func, inputs)


def test_gradcheck_accepts_a_single_tensor():
    assert gradcheck(lambda x: x * x, _double(3))


def test_gradcheck_passes_for_correct_custom_function():
    assert gradcheck(Square.apply, (_double(2, 2),))


def test_gradcheck_non_contiguous_input():
    x = _double(3, 4).detach().t().requires_grad_()
    assert not x.is_contiguous()
    assert gradcheck(lambda t: t * t.sum(), (x,))


def test_gradcheck_empty_input():
    x = numtorch.zeros(0, 3, dtype=numtorch.float64, requires_grad=True)
    assert gradcheck(lambda t: t * 2, (x,))
    assert gradcheck(lambda t, u: t.sum() * u, (x, _double(2)))


def test_gradcheck_only_inputs_requiring_grad_are_checked():
    x, y = _double(3), _double(3, requires_grad=False)
    # y would fail the check if perturbed: WrongSquare is applied to it
    assert gradcheck(lambda a, b: a * 2 + WrongSquare.apply(b), (x, y))


def test_gradcheck_non_tensor_inputs_are_passed_through():
    assert gradcheck(lambda x, k: x * k, (_double(3), 2.5))


def test_gradcheck_restores_the_input():
    x = _double(2, 3)
    before = x.detach().clone()
    gradcheck(lambda t: t * t, (x,))
    assert numtorch.equal(x.detach(), before)
    assert x.grad is None


def test_gradcheck_output_aliasing_the_input():
    assert gradcheck(lambda t: t, (_double(3),))
    assert gradcheck(lambda t: t.view(-1), (_double(2, 2),))


# -- gradcheck catches wrong gradients --------------------------------------------------------


def test_gradcheck_catches_wrong_backward():
    x = numtorch.tensor([1.0, 2.0], dtype=numtorch.float64, requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongSquare.apply, (x,))
    message = str(info.value)
    assert message.startswith(
        "Jacobian mismatch for output 0 with respect to input 0,\nnumerical:tensor("
    )
    numerical = message[message.index("numerical:") : message.index("\nanalytical:")]
    analytical = message[message.index("analytical:") :]
    assert "[2.0000, 0.0000]" in numerical and "[0.0000, 4.0000]" in numerical
    assert "[1., 0.]" in analytical and "[0., 2.]" in analytical
    assert isinstance(info.value, RuntimeError)


def test_gradcheck_wrong_backward_without_raising():
    assert gradcheck(WrongSquare.apply, (_double(3),), raise_exception=False) is False


def test_gradcheck_names_the_failing_input_and_output():
    def func(a, b):
        return a * 2, a + WrongSquare.apply(b)

    with pytest.raises(GradcheckError, match="mismatch for output 1 with respect to input 1,"):
        gradcheck(func, (_double(2), _double(2)))


def test_gradcheck_backward_not_multiplied_by_grad_output():
    x = _double(1)
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(AddsOneWithoutGrad.apply, (x,))


def test_gradcheck_not_reentrant():
    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck(Drifting.apply, (_double(3),))
    assert gradcheck(Drifting.apply, (_double(3),), nondet_tol=1e-6)


def test_gradcheck_atol_rtol():
    x = numtorch.tensor([1.0], dtype=numtorch.float64, requires_grad=True)

    class Off(Function):
        @staticmethod
        def forward(ctx, t):
            return t * 3

        @staticmethod
        def backward(ctx, grad):
            return grad * 3.01

    assert not gradcheck(Off.apply, (x,), raise_exception=False)
    assert gradcheck(Off.apply, (x,), atol=0.01)
    assert gradcheck(Off.apply, (x,), rtol=0.01)


def test_gradcheck_no_differentiable_output():
    x = _double(3)
    assert gradcheck(lambda t: numtorch.zeros_like(t), (x,))
    leaky = numtorch.zeros(3, dtype=numtorch.float64)

    def func(t):  # depends on t without a graph
        leaky.copy_(t.detach())
        return leaky * 1

    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be zero"):
        gradcheck(func, (x,))


# -- input validation -------------------------------------------------------------------------


def test_gradcheck_warns_for_single_precision():
    x = numtorch.ones(2, requires_grad=True)
    with pytest.warns(UserWarning, match=r"Input #0 requires gradient and is not a double"):
        gradcheck(lambda t: t * 2, (x,), atol=1e-2, rtol=1e-2, eps=1e-3)


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="none of them have requires_grad=True"):
        gradcheck(lambda t: t * 2, (_double(2, requires_grad=False),))


def test_gradcheck_rejects_expanded_input():
    x = _double(1, 3).expand(2, 3)
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda t: t * 2, (x,))


def test_gradcheck_flag_validation():
    with pytest.raises(AssertionError, match="at least one of check_forward_ad"):
        gradcheck(lambda t: t, (_double(1),), check_backward_ad=False)


# -- gradgradcheck ----------------------------------------------------------------------------


def test_gradgradcheck_passes():
    assert gradgradcheck(lambda x: x * x * x, (_double(3),))
    assert gradgradcheck(lambda x, y: (x * y).sum(), (_double(2, 2), _double(2, 2)))
    assert gradgradcheck(Square.apply, (_double(3),))


def test_gradgradcheck_given_grad_outputs():
    x = _double(3)
    g = _double(3)
    assert gradgradcheck(lambda t: t * t * t, (x,), (g,))
    assert gradgradcheck(lambda t: t * t * t, (x,), g)


def test_gradgradcheck_non_contiguous_grad_outputs():
    assert gradgradcheck(lambda t: t * t * t, (_double(2, 3),), gen_non_contig_grad_outputs=True)


def test_gradgradcheck_catches_wrong_double_backward():
    x = _double(3)
    assert gradcheck(DetachedSquare.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch for output 0 with respect to"):
        gradgradcheck(DetachedSquare.apply, (x,))
    assert gradgradcheck(DetachedSquare.apply, (x,), raise_exception=False) is False


# -- parity with PyTorch ----------------------------------------------------------------------


def _both(*shapes):
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal(s) for s in shapes]
    ours = tuple(numtorch.tensor(a, requires_grad=True) for a in arrays)
    theirs = tuple(torch.tensor(a, requires_grad=True) for a in arrays)
    return torch, ours, theirs


def test_mismatch_message_matches_torch():
    torch, (x,), (tx,) = _both((2, 2))

    class TorchWrongSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return t * t

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return t * grad

    with pytest.raises(RuntimeError) as expected:
        torch.autograd.gradcheck(TorchWrongSquare.apply, (tx,))
    with pytest.raises(GradcheckError) as got:
        gradcheck(WrongSquare.apply, (x,))
    assert str(got.value) == str(expected.value).replace("torch.", "numtorch.")


def test_results_match_torch():
    torch, ours, theirs = _both((3,), (3,))

    def ok(a, b):
        return a * b, a - b

    def bad(a, b):
        return a * b.detach(), a - b

    for func in (ok, bad):
        expected = torch.autograd.gradcheck(func, theirs, raise_exception=False)
        assert gradcheck(func, ours, raise_exception=False) is expected
        expected = torch.autograd.gradgradcheck(func, theirs, raise_exception=False)
        assert gradgradcheck(func, ours, raise_exception=False) is expected


@pytest.mark.skipif(
    not all(hasattr(numtorch.Tensor, a) for a in ("conj", "real", "imag")),
    reason="the core has no conj/real/imag yet",
)
def test_complex_input_matches_torch():
    torch = pytest.importorskip("torch")
    z = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
    ours = numtorch.tensor(z, requires_grad=True)
    theirs = torch.tensor(z, requires_grad=True)
    assert gradcheck(lambda t: (t * t.conj()).real, (ours,))
    assert torch.autograd.gradcheck(lambda t: (t * t.conj()).real, (theirs,))
    assert gradcheck(lambda t: t * t, (ours,))
