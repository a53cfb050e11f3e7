"""autograd.trace: what the engine ran, checked against chain rules worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch as torch
from numtorch.autograd import engine
from numtorch.autograd.trace import trace as _trace

# the public name once autograd/__init__ exports it; this module's class until then
_public = getattr(torch.autograd, "trace", None)
trace = _public if isinstance(_public, type) else _trace


def close(t, expected):
    np.testing.assert_allclose(t.numpy(), expected, rtol=1e-6, atol=1e-7)


def test_public_name_is_the_trace_class():
    if not isinstance(_public, type):
        pytest.skip("numtorch.autograd.trace is not exported yet")
    assert _public is _trace


def test_scalar_graph_with_a_leaf_used_twice():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    loss = (x * x).sum()
    with trace() as tr:
        loss.backward()
    assert [s.name for s in tr] == ["SumBackward0", "MulBackward0", "AccumulateGrad"]
    s_sum, s_mul, s_acc = tr.steps
    close(s_sum.grads_in[0], 1.0)  # d loss / d loss
    ((i, target, g),) = s_sum.grads_out
    assert i == 0 and target is loss.grad_fn.next_functions[0][0]
    close(g, [1.0, 1.0, 1.0])
    # d(x*x)/dx: each factor gets grad times the other factor, x
    assert [i for i, _, _ in s_mul.grads_out] == [0, 1]
    for _, target, g in s_mul.grads_out:
        assert target.variable is x
        close(g, [1.0, 2.0, 3.0])
    assert s_acc.leaf is x and s_acc.grad_before is None
    assert len(s_acc.parts) == 2  # the two paths to x, summed by the engine
    close(s_acc.grads_in[0], [2.0, 4.0, 6.0])
    close(s_acc.grad_after, [2.0, 4.0, 6.0])
    assert all(s.call == 1 for s in tr)
    assert "x was used 2 times" in tr.explain()


def test_non_scalar_output_with_gradient_v():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x**3
    v = torch.tensor([0.1, 1.0, 10.0])
    with trace() as tr:
        y.backward(v)
    pow_step, acc = tr.steps
    close(pow_step.grads_in[0], [0.1, 1.0, 10.0])
    close(pow_step.grads_out[0][2], 3 * np.array([1.0, 4.0, 9.0]) * [0.1, 1.0, 10.0])
    close(acc.grad_after, x.grad.numpy())
    text = tr.explain()
    assert text.startswith("Step 1: The seed gradient v = [0.1, 1.0, 10.0] enters PowBackward0")
    assert "n * x**(n-1) = 3 * x**2 = [3.0, 12.0, 27.0]" in text
    assert "x.grad was None and becomes [0.3, 12.0, 270.0]" in text


def test_explain_reads_as_the_chain_rule():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x**2
    v = torch.tensor([1.0, 2.0])
    with trace() as tr:
        y.backward(v)
    assert tr.explain() == (
        "Step 1: The seed gradient v = [1.0, 2.0] enters PowBackward0 (which made y). For x**2 "
        "the local derivative is n * x**(n-1) = 2 * x = [2.0, 4.0], and the chain rule "
        "multiplies the incoming gradient by it elementwise; it sends [2.0, 8.0] to x.\n"
        "Step 2: AccumulateGrad stores the gradient that reached x: x.grad was None and becomes "
        "[2.0, 8.0]."
    )
    assert str(tr) == (
        "step  node            grad in         grads out\n"
        "   1  PowBackward0    [1.0, 2.0] (2)  -> x: [2.0, 8.0] (2)\n"
        "   2  AccumulateGrad  [2.0, 8.0] (2)  x.grad: None -> [2.0, 8.0]"
    )


def test_accumulation_over_two_backward_calls():
    x = torch.tensor([1.0, -1.0], requires_grad=True)
    with trace() as first:
        (3 * x).sum().backward()
    with trace() as second:
        (x * x).sum().backward()
    close(first[-1].grad_after, [3.0, 3.0])
    acc = second[-1]
    close(acc.grad_before, [3.0, 3.0])  # a copy: the later in-place accumulation left it alone
    close(acc.grad_after, [3.0 + 2.0, 3.0 - 2.0])
    close(first[-1].grad_after, [3.0, 3.0])
    assert "x.grad was [3.0, 3.0] and becomes [5.0, 1.0]: gradients accumulate" in (
        second.explain()
    )


def test_retain_graph_two_calls_in_one_trace():
    x = torch.tensor([0.0, 1.0], requires_grad=True)
    y = x.exp().sum()
    with trace() as tr:
        y.backward(retain_graph=True)
        y.backward()
    assert [s.call for s in tr] == [1, 1, 1, 2, 2, 2]
    assert [s.name for s in tr][:3] == ["SumBackward0", "ExpBackward0", "AccumulateGrad"]
    e = np.exp([0.0, 1.0])
    close(tr[2].grad_after, e)
    close(tr[5].grad_before, e)
    close(tr[5].grad_after, 2 * e)
    text = tr.explain()
    assert "Backward call 1:" in text and "Backward call 2:" in text
    assert "d exp(x)/dx = exp(x) = [1.0, 2.718]" in text


def test_broadcasting_is_summed_back():
    w = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = w * b
    g = torch.tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    with trace() as tr:
        out.backward(g)
    mul = tr[0]
    sent = {i: grad for i, _, grad in mul.grads_out}
    close(sent[0], g.numpy() * [10.0, 20.0, 30.0])
    close(sent[1], (g.numpy() * w.detach().numpy()).sum(0))  # [9, 12, 15]
    assert sent[1].shape == (3,)
    assert "to b (summed over the broadcast dimensions, from shape 2x3 to shape 3)" in (
        tr.explain()
    )


def test_custom_function():
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x * x * grad

    x = torch.tensor([2.0], requires_grad=True)
    y = Cube.apply(x) * 5
    with trace() as tr:
        y.backward(torch.tensor([1.0]))
    assert [s.name for s in tr] == ["MulBackward0", "CubeBackward", "AccumulateGrad"]
    close(tr[1].grads_in[0], [5.0])
    close(tr[1].grads_out[0][2], [60.0])  # 3 * 2**2 * 5
    assert "your Function Cube" in tr.explain()


def test_autograd_grad_runs_nodes_but_accumulates_nothing():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with trace() as tr:
        (gx,) = torch.autograd.grad((x * x).sum(), x)
    assert [s.name for s in tr] == ["SumBackward0", "MulBackward0"]
    close(gx, [2.0, 4.0])


def test_backward_on_a_leaf_is_its_own_call():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with trace() as tr:
        (x * 2).sum().backward()
        x.backward(torch.tensor([1.0, 1.0]))
    assert [s.call for s in tr] == [1, 1, 1, 2]
    close(tr[-1].grad_after, [3.0, 3.0])


def test_registered_only_inside_and_removed_on_error():
    assert engine.tracers == []
    with pytest.raises(ValueError), trace() as tr:
        assert engine.tracers == [tr]
        raise ValueError
    assert engine.tracers == []
    x = torch.ones(1, requires_grad=True)
    (x * 2).sum().backward()  # outside: nothing recorded
    assert len(tr) == 0
    assert tr.explain().startswith("Nothing was recorded")


def test_names_from_params_and_modules():
    a = torch.ones(2, requires_grad=True)

    class Model:
        def __init__(self, weight):
            self.weight = weight

        def named_parameters(self):
            return iter([("weight", self.weight)])

    with trace(params={"alpha": a}) as tr:
        (a * 2).sum().backward()
    assert "alpha.grad was None" in tr.explain()
    model = Model(a)
    del a  # only the module names it now
    with trace() as tr2:
        (model.weight * 2).sum().backward()
    assert "model.weight.grad was [2.0, 2.0]" in tr2.explain()


def test_every_common_node_gets_its_own_words():
    x = torch.tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    graph = {
        "AddBackward0": lambda: x + x,
        "SubBackward0": lambda: x - x * 3,
        "MulBackward0": lambda: x * x,
        "DivBackward0": lambda: x / (x + 1),
        "PowBackward0": lambda: x**3,
        "SumBackward0": lambda: x.sum(),
        "MeanBackward0": lambda: x.mean(),
        "ExpBackward0": lambda: x.exp(),
        "LogBackward0": lambda: x.log(),
        "SinBackward0": lambda: x.sin(),
        "CosBackward0": lambda: x.cos(),
        "TanhBackward0": lambda: x.tanh(),
        "SigmoidBackward0": lambda: x.sigmoid(),
        "ReluBackward0": lambda: (x - 1).relu(),
        "MmBackward0": lambda: x @ x,
        "ViewBackward0": lambda: x.view(4),
        "ExpandBackward0": lambda: x[0].expand(3, 2),
    }
    phrases = {
        "AddBackward0": "Addition passes the gradient on unchanged",
        "SubBackward0": "Subtraction passes the gradient to a unchanged and to b negated",
        "MulBackward0": "each input gets the gradient times the other factor",
        "DivBackward0": "For a / b, a gets grad / b",
        "PowBackward0": "For x**3 the local derivative is n * x**(n-1) = 3 * x**2",
        "SumBackward0": "A sum's derivative with respect to each summed element is 1",
        "MeanBackward0": "A mean divides by the number of averaged elements (N = 4)",
        "ExpBackward0": "d exp(x)/dx = exp(x)",
        "LogBackward0": "d log(x)/dx = 1/x = [[2.0, 1.0], [0.6667, 0.5]]",
        "SinBackward0": "d sin(x)/dx = cos(x)",
        "CosBackward0": "d cos(x)/dx = -sin(x)",
        "TanhBackward0": "d tanh(x)/dx = 1 - tanh(x)**2",
        "SigmoidBackward0": "sigmoid(x) * (1 - sigmoid(x))",
        "ReluBackward0": "blocked (0) elsewhere",
        "MmBackward0": "A gets grad @ B.T and B gets A.T @ grad",
        "ViewBackward0": "reshaped back to the input's shape 2x2",
        "ExpandBackward0": "summed back to the input's shape 2",
    }
    for name, make in graph.items():
        out = make()
        assert out.grad_fn.name() == name
        x.grad = None
        with trace() as tr:
            out.backward(torch.ones_like(out))
        (step,) = [s for s in tr if s.name == name]
        assert phrases[name] in tr._sentence(step, first=False), name
    # the leaf step's wording is the same everywhere
    assert "AccumulateGrad adds the gradient that reached x" not in tr.explain()
