"""``numtorch.func``: function transforms, as ``torch.func``: ``grad``, ``grad_and_value``,
``vjp``, ``jvp``, ``jacrev``, ``jacfwd``, ``hessian``, ``linearize``, ``vmap`` and
``functional_call``.

>>> from numtorch.func import functional_call
>>> m = numtorch.nn.Linear(2, 1)
>>> functional_call(m, {"weight": numtorch.ones(1, 2), "bias": numtorch.zeros(1)},
...                 numtorch.tensor([1.0, 2.0]))
tensor([3.])
"""

from __future__ import annotations

from typing import Any

from ..nn.modules.module import Module
from ..nn.utils.stateless import _functional_call, _merge_dicts
from ._transforms import (
    grad,
    grad_and_value,
    hessian,
    jacfwd,
    jacrev,
    jvp,
    linearize,
    vjp,
    vmap,
)

__all__ = [
    "functional_call",
    "grad",
    "grad_and_value",
    "hessian",
    "jacfwd",
    "jacrev",
    "jvp",
    "linearize",
    "vjp",
    "vmap",
]


def functional_call(
    module: Module,
    parameter_and_buffer_dicts: Any,
    args: Any = None,
    kwargs: dict | None = None,
    *,
    tie_weights: bool = True,
    strict: bool = False,
):
    """Calls ``module(*args, **kwargs)`` with its parameters and buffers replaced, for the
    call, by the tensors of a dict (or of several dicts with distinct keys), so that a module
    can be used as a function of its weights (e.g. with ``numtorch.autograd.grad``).

    >>> m = numtorch.nn.Linear(1, 1)
    >>> w = numtorch.ones(1, 1, requires_grad=True)
    >>> from numtorch.func import functional_call
    >>> out = functional_call(m, ({"weight": w}, {"bias": numtorch.zeros(1)}),
    ...                       (numtorch.tensor([3.0]),))
    >>> numtorch.autograd.grad(out.sum(), w)
    (tensor([[3.]]),)
    """
    parameters_and_buffers = _merge_dicts(parameter_and_buffer_dicts)
    return _functional_call(
        module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict
    )
