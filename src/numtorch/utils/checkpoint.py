"""``torch.utils.checkpoint``: trade compute for memory by recomputing a block in backward.

``use_reentrant=True`` (torch's default when the argument is left out, with its warning) runs
the block without recording a graph and recomputes it in backward, as torch's
``CheckpointFunction``: outputs show ``grad_fn=<CheckpointFunctionBackward>``, and when no
input requires grad the outputs do not either. ``use_reentrant=False`` runs the block normally
(numtorch keeps its activations instead of recomputing them); gradients are the same.

>>> lin = numtorch.nn.Linear(2, 2)
>>> x = numtorch.ones(1, 2, requires_grad=True)
>>> checkpoint(lin, x, use_reentrant=True).grad_fn.name()
'CheckpointFunctionBackward'
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .._tensor import Tensor
from ..autograd import backward as _autograd_backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad, no_grad
from ..ops.creation import get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointFunction", "detach_variable"]


def detach_variable(inputs: tuple) -> tuple:
    """Detached copies of the tensors in ``inputs``, keeping each one's ``requires_grad``.

    >>> detach_variable((numtorch.ones(1, requires_grad=True),))[0].requires_grad
    True
    """
    if not isinstance(inputs, tuple):
        raise RuntimeError(
            "Only tuple of tensors is supported. Got Unsupported input type: ",
            type(inputs).__name__,
        )
    out = []
    for inp in inputs:
        if not isinstance(inp, Tensor):
            out.append(inp)
            continue
        x = inp.detach()
        x.requires_grad = inp.requires_grad
        out.append(x)
    return tuple(out)


class CheckpointFunction(Function):
    """Runs the block without a graph, then recomputes it with one during backward."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_rng_state = get_rng_state()
        ctx.inputs = []
        ctx.tensor_indices = []
        tensor_inputs = []
        for i, arg in enumerate(args):
            if isinstance(arg, Tensor):
                tensor_inputs.append(arg)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(arg)
        ctx.save_for_backward(*tensor_inputs)
        with no_grad():
            outputs = run_function(*args)
        return outputs

    @staticmethod
    def backward(ctx, *grads):
        inputs = list(ctx.inputs)
        for i, tensor in zip(ctx.tensor_indices, ctx.saved_tensors, strict=True):
            inputs[i] = tensor
        detached = detach_variable(tuple(inputs))
        if ctx.preserve_rng_state:
            # the recomputation must draw the same dropout masks as the forward did
            current = get_rng_state()
            set_rng_state(ctx.fwd_rng_state)
        try:
            with enable_grad():
                outputs = ctx.run_function(*detached)
        finally:
            if ctx.preserve_rng_state:
                set_rng_state(current)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        with_grad = [
            (out, grad)
            for out, grad in zip(outputs, grads, strict=False)
            if isinstance(out, Tensor) and out.requires_grad
        ]
        if not with_grad:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        _autograd_backward([o for o, _ in with_grad], [g for _, g in with_grad])
        input_grads = tuple(x.grad if isinstance(x, Tensor) else None for x in detached)
        return (None, None, *input_grads)


def _warn_missing_use_reentrant(name: str, since: str) -> None:
    warnings.warn(
        f"torch.utils.checkpoint{name}: the use_reentrant parameter should be passed "
        f"explicitly. {since} use_reentrant=False is recommended, but if you need to preserve "
        "the current default behavior, you can pass use_reentrant=True. Refer to docs for more "
        "details on the differences between the two variants.",
        UserWarning,
        stacklevel=3,
    )


def checkpoint(
    function: Callable,
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Callable | None = None,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    preserve_rng_state: bool = True,
    **kwargs: Any,
) -> Any:
    """Runs ``function(*args, **kwargs)`` as a checkpointed block (see the module docstring).

    >>> y = checkpoint(lambda a: a * 2, numtorch.ones(2, requires_grad=True), use_reentrant=False)
    >>> y
    tensor([2., 2.], grad_fn=<MulBackward0>)
    """
    if use_reentrant is None:
        _warn_missing_use_reentrant(
            "",
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception.",
        )
        use_reentrant = True
    if not use_reentrant:
        return function(*args, **kwargs)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None",
            UserWarning,
            stacklevel=2,
        )
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(
    functions: Any,
    segments: int,
    input: Any,
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Runs a Sequential (or list of modules) in ``segments`` checkpointed chunks; the last
    chunk runs normally, as torch's.

    >>> seq = numtorch.nn.Sequential(numtorch.nn.Linear(2, 2), numtorch.nn.ReLU())
    >>> checkpoint_sequential(seq, 1, numtorch.ones(1, 2), use_reentrant=False).shape
    numtorch.Size([1, 2])
    """
    if use_reentrant is None:
        _warn_missing_use_reentrant(
            ".checkpoint_sequential",
            "In version 2.9 we will raise an exception if use_reentrant is not passed.",
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run_function(start: int, end: int, functions: list) -> Callable:
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x

        return forward

    if hasattr(functions, "children") and callable(functions.children):
        functions = list(functions.children())
    elif isinstance(functions, Iterable):
        functions = list(functions)
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(
            run_function(start, end, functions),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return run_function(end + 1, len(functions) - 1, functions)(input)
