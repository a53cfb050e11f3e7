"""Automatic differentiation: ``backward``, ``grad``, ``Function``, grad modes, ``Variable``."""

from __future__ import annotations

from .. import _tensor
from .._errors import hinted
from . import forward_ad, functional, graph
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from .engine import run_backward, run_post_accumulate_hooks
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .trace import trace

__all__ = [
    "forward_ad",
    "functional",
    "graph",
    "trace",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "gradcheck",
    "gradgradcheck",
    "backward",
    "grad",
    "Function",
    "FunctionCtx",
    "once_differentiable",
    "Variable",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
]


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, _tensor.Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads, caller: str):
    out = []
    for i, (t, g) in enumerate(zip(outputs, grads, strict=True)):
        if g is None:
            if not t._requires_grad:
                continue
            if t._data.size != 1:
                raise hinted(
                    RuntimeError("grad can be implicitly created only for scalar outputs"),
                    f"the output has shape {list(t._data.shape)}, so it has no single derivative. "
                    f"Pass the gradient of a scalar loss with respect to it: "
                    f"{caller}(torch.ones_like(out)) gives the gradient of out.sum(), and "
                    f"{caller}(v) the vector-Jacobian product v^T J.",
                )
            if t._data.dtype.kind not in "fc":
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {t.dtype}"
                )
            g = _tensor.make(_ones(t))
        elif not isinstance(g, _tensor.Tensor):
            g = _tensor.make(t._data.dtype.type(g) * _ones(t))
        elif g._data.shape != t._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {_tensor.Size(g.shape)} and "
                f"output[{i}] has a shape of {_tensor.Size(t.shape)}."
            )
        out.append(g)
    return out


def _ones(t):
    from .._backend import numpy

    return numpy.ones(t._data.shape, t._data.dtype)


def _check_requires_grad(tensors):
    for i, t in enumerate(tensors):
        if not t._requires_grad:
            raise hinted(
                RuntimeError(
                    f"element {i} of tensors does not require grad and does not have a grad_fn"
                ),
                "nothing this tensor was computed from requires grad. Create the inputs with "
                "requires_grad=True (or call .requires_grad_()) before computing it, and keep "
                "the computation out of torch.no_grad().",
            )


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
):
    """Accumulates gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs``).

    >>> x = numtorch.tensor([1., 2.], requires_grad=True)
    >>> numtorch.autograd.backward([(x * x).sum()]); x.grad
    tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if len(grads) != len(tensors):
        raise RuntimeError(
            "grad can be implicitly created only for scalar outputs"
            if len(grads) < len(tensors)
            else f"got {len(grads)} gradients for {len(tensors)} tensors"
        )
    _check_requires_grad(tensors)
    grads = _make_grads(tensors, grads, "out.backward")
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        results = run_backward(
            tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=False
        )
        for t, g in zip(inputs, results, strict=True):
            if g is None:
                continue
            if t._grad is None:
                t._grad = g.detach().clone() if not create_graph else g.clone()
            else:
                t._grad = t._grad + g
            if t._post_accumulate_hooks and t._grad_fn is None:
                run_post_accumulate_hooks(t)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched).

    >>> x = numtorch.tensor(3., requires_grad=True)
    >>> numtorch.autograd.grad(x ** 2, x)
    (tensor(6.),)
    """
    outputs = _as_tuple(outputs)
    single_input = isinstance(inputs, _tensor.Tensor)
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    _check_requires_grad(outputs)
    grads = _make_grads(outputs, grads, "torch.autograd.grad")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    results = run_backward(
        outputs,
        grads,
        retain_graph,
        create_graph,
        inputs=inputs,
        allow_unused=allow_unused,
        accumulate=False,
    )
    if materialize_grads:
        from ..ops.creation import zeros_like

        results = [zeros_like(t) if r is None else r for t, r in zip(inputs, results, strict=True)]
    out = []
    for r in results:
        if r is not None and not create_graph:
            r = r.detach()
        out.append(r)
    del single_input
    return tuple(out)


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802
    """Legacy wrapper: returns the tensor itself (with ``requires_grad`` set), as PyTorch >= 0.4.

    >>> numtorch.autograd.Variable(numtorch.ones(1), requires_grad=True)
    tensor([1.], requires_grad=True)
    """
    if not isinstance(data, _tensor.Tensor):
        raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
    if requires_grad:
        data.requires_grad_(True)
    return data


from . import profiler  # noqa: E402, F401  (built on numtorch.profiler: needs the above)
