"""Gradient clipping: clip_grad_norm_, clip_grads_with_norm_, clip_grad_value_, get_total_norm."""

from __future__ import annotations

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops.nn_support import vector_norm

__all__ = [
    "clip_grad_norm_",
    "clip_grad_norm",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]


def _tensors(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type``-norm of all ``tensors`` viewed as one vector."""
    from ...ops.creation import tensor
    from ...ops.shape import stack

    tensors = _tensors(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    with no_grad():
        norms = [vector_norm(t, norm_type) for t in tensors]
        total_norm = vector_norm(stack(norms), norm_type)
    value = total_norm.item()
    if error_if_nonfinite and (value != value or value in (float("inf"), float("-inf"))):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from "
            "`parameters` is non-finite, so it cannot be clipped. To disable "
            "this error and scale the gradients by the non-finite norm anyway, "
            "set `error_if_nonfinite=False`"
        )
    return total_norm


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales all gradients together so their total norm is at most ``max_norm``; returns the
    total norm before clipping.

    >>> p = numtorch.nn.Parameter(numtorch.zeros(2)); p.grad = numtorch.tensor([3., 4.])
    >>> numtorch.nn.utils.clip_grad_norm_([p], 1.0)
    tensor(5.)
    """
    parameters = _tensors(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None) -> None:
    """Scales the gradients by ``min(max_norm / (total_norm + 1e-6), 1)``, in place, given a
    precomputed ``total_norm`` (e.g. from ``get_total_norm``).

    >>> p = numtorch.nn.Parameter(numtorch.zeros(2)); p.grad = numtorch.tensor([3., 4.])
    >>> numtorch.nn.utils.clip_grads_with_norm_([p], 1.0, numtorch.tensor(5.0)); p.grad
    tensor([0.6000, 0.8000])
    """
    parameters = _tensors(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    with no_grad():
        clip_coef = max_norm / (total_norm + 1e-6)
        # multiplying by a coefficient clamped to 1, rather than testing it, is PyTorch's
        # arithmetic: a coefficient of exactly 1 still multiplies (and bumps versions)
        clip_coef_clamped = _clamp_max(clip_coef, 1.0)
        for g in grads:
            g.mul_(clip_coef_clamped.to(g.dtype))


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    import warnings

    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def _clamp_max(coef, max_value: float):
    """``torch.clamp(coef, max=max_value)``, refusing a plain number as torch's parser does."""
    if not isinstance(coef, Tensor):
        raise TypeError(
            f"clamp() received an invalid combination of arguments - got "
            f"({type(coef).__name__}, max=float), but expected one of:\n"
            " * (Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)\n"
            " * (Tensor input, Number min = None, Number max = None, *, Tensor out = None)\n"
        )
    return coef.clamp(max=max_value)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every gradient elementwise to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _tensors(parameters):
            if p.grad is not None:
                p.grad.clamp_(min=-clip_value, max=clip_value)
