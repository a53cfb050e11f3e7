"""numtorch.utils.checkpoint: same outputs and gradients as running the block plainly."""

from __future__ import annotations

import doctest
import warnings

import pytest

import numtorch
import numtorch.utils.checkpoint as checkpoint_module
from numtorch.utils.checkpoint import checkpoint, checkpoint_sequential

MISSING = "the use_reentrant parameter should be passed explicitly"


def test_docstring_examples_run():
    result = doctest.testmod(
        checkpoint_module, globs={"numtorch": numtorch, **vars(checkpoint_module)}
    )
    assert result.attempted > 0 and result.failed == 0


def make_block():
    numtorch.manual_seed(0)
    return numtorch.nn.Sequential(
        numtorch.nn.Linear(3, 4),
        numtorch.nn.Dropout(0.5),
        numtorch.nn.Tanh(),
        numtorch.nn.Linear(4, 2),
    )


def grads(block, x, run):
    block.zero_grad()
    x.grad = None
    numtorch.manual_seed(1)
    out = run(block, x)
    out.pow(2).sum().backward()
    return out, [p.grad.clone() for p in block.parameters()] + [x.grad.clone()]


@pytest.mark.parametrize("use_reentrant", [True, False])
def test_gradients_are_those_of_the_plain_block(use_reentrant):
    block = make_block()
    x = numtorch.randn(5, 3, requires_grad=True)
    plain_out, plain = grads(block, x, lambda b, v: b(v))
    out, checked = grads(block, x, lambda b, v: checkpoint(b, v, use_reentrant=use_reentrant))
    assert numtorch.equal(out, plain_out)
    for a, b in zip(checked, plain, strict=True):
        assert numtorch.equal(a, b)


def test_reentrant_node_and_missing_argument_warning():
    block = make_block()
    x = numtorch.randn(2, 3, requires_grad=True)
    with pytest.warns(UserWarning, match=MISSING):
        out = checkpoint(block, x)
    assert out.grad_fn.name() == "CheckpointFunctionBackward"
    assert checkpoint(block, x, use_reentrant=False).grad_fn.name() == "AddmmBackward0"


def test_reentrant_without_grad_inputs_warns_and_gives_no_graph():
    block = make_block()
    with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
        out = checkpoint(block, numtorch.randn(2, 3), use_reentrant=True)
    assert not out.requires_grad
    assert checkpoint(block, numtorch.randn(2, 3), use_reentrant=False).requires_grad


def test_keyword_arguments():
    x = numtorch.ones(2, requires_grad=True)
    assert checkpoint(lambda a, b=1: a * b, x, b=3, use_reentrant=False).sum().item() == 6
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        checkpoint(lambda a, foo: a, x, use_reentrant=True, foo=1)


def test_checkpoint_sequential():
    block = make_block()
    block.eval()
    x = numtorch.randn(5, 3, requires_grad=True)
    with pytest.warns(UserWarning, match="checkpoint_sequential: " + MISSING):
        out = checkpoint_sequential(block, 2, x)
    assert numtorch.equal(out, block(x))
    out.sum().backward()
    assert x.grad is not None
    assert checkpoint_sequential(list(block), 4, x, use_reentrant=False).shape == (5, 2)


def test_warnings_match_torch():
    torch = pytest.importorskip("torch")

    def texts(module):
        lin = module.nn.Linear(2, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            module.utils.checkpoint.checkpoint(lin, module.ones(1, 2, requires_grad=True))
            module.utils.checkpoint.checkpoint(lin, module.ones(1, 2), use_reentrant=True)
            module.utils.checkpoint.checkpoint_sequential(
                module.nn.Sequential(lin), 1, module.ones(1, 2)
            )
        return [str(w.message) for w in caught]

    assert texts(numtorch) == texts(torch)
