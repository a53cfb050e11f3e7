"""Helpers shared by the distributions, as in ``torch.distributions.utils``.

>>> import numtorch as torch
>>> from numtorch.distributions.utils import broadcast_all
>>> loc, scale = broadcast_all(torch.zeros(2), 1.0)
>>> scale
tensor([1., 1.])
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from functools import update_wrapper
from typing import Any, Generic, TypeVar

import numtorch
from numtorch import Tensor

__all__ = [
    "broadcast_all",
    "logits_to_probs",
    "clamp_probs",
    "probs_to_logits",
    "lazy_property",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # Euler Mascheroni Constant

# (eps, tiny, min) of each floating dtype, as torch.finfo reports them
_FINFO = {
    "float16": (0.0009765625, 6.103515625e-05, -65504.0),
    "bfloat16": (0.0078125, 1.1754943508222875e-38, -3.3895313892515355e38),
    "float32": (1.1920928955078125e-07, 1.1754943508222875e-38, -3.4028234663852886e38),
    "float64": (2.220446049250313e-16, 2.2250738585072014e-308, -1.7976931348623157e308),
}


def _finfo(dtype) -> tuple[float, float, float]:
    """(eps, tiny, min) of a floating dtype, the fields of ``torch.finfo`` used here."""
    return _FINFO[str(dtype).rsplit(".", 1)[-1]]


def _is_number(value) -> bool:
    return isinstance(value, (builtins.int, builtins.float)) and not isinstance(value, Tensor)


def _format_value(value) -> str:
    """A parameter as torch prints it in reprs and messages: a 0-dim tensor as its number."""
    if isinstance(value, Tensor) and value.dim() == 0:
        return format(value.item())
    return format(value)


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Broadcast tensors and numbers together; numbers take the first tensor's dtype.

    >>> import numtorch as torch
    >>> [v.shape for v in broadcast_all(torch.zeros(3, 1), torch.ones(2), 0.5)]
    [numtorch.Size([3, 2]), numtorch.Size([3, 2]), numtorch.Size([3, 2])]
    """
    if not all(isinstance(v, Tensor) or _is_number(v) for v in values):
        raise ValueError(
            "Input arguments must all be instances of Number, "
            "torch.Tensor or objects implementing __torch_function__."
        )
    if not all(isinstance(v, Tensor) for v in values):
        options: dict[str, Any] = {"dtype": numtorch.get_default_dtype()}
        for value in values:
            if isinstance(value, Tensor):
                options = {"dtype": value.dtype, "device": value.device}
                break
        values = tuple(
            v if isinstance(v, Tensor) else numtorch.tensor(v, **options) for v in values
        )
    return tuple(numtorch.broadcast_tensors(*values))


def _standard_normal(shape, dtype, device) -> Tensor:
    # torch draws with normal_ on a fresh tensor; the same call keeps the random stream equal
    return numtorch.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim: int):
    """Sum out the ``dim`` rightmost dimensions of ``value``."""
    if dim == 0:
        return value
    required_shape = value.shape[:-dim] + (-1,)
    return value.reshape(required_shape).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: sigmoid when binary, else softmax over the last dim.

    >>> import numtorch as torch
    >>> logits_to_probs(torch.tensor([0.0, 0.0]))
    tensor([0.5000, 0.5000])
    """
    if is_binary:
        return numtorch.sigmoid(logits)
    return numtorch.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp probabilities into ``[eps, 1 - eps]`` of their dtype.

    >>> import numtorch as torch
    >>> clamp_probs(torch.tensor([0.0, 0.5, 1.0]))
    tensor([1.1921e-07, 5.0000e-01, 1.0000e+00])
    """
    eps = _finfo(probs.dtype)[0]
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities: log-odds when binary, else log-probabilities.

    >>> import numtorch as torch
    >>> probs_to_logits(torch.tensor([0.5]), is_binary=True)
    tensor([0.])
    """
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return numtorch.log(ps_clamped) - numtorch.log1p(-ps_clamped)
    return numtorch.log(ps_clamped)


T = TypeVar("T")
R = TypeVar("R")


class lazy_property(Generic[T, R]):
    """A property computed on first access (with grad enabled) and then stored on the instance.

    >>> class Circle:
    ...     @lazy_property
    ...     def area(self):
    ...         return 3.0
    >>> c = Circle(); c.area, "area" in c.__dict__
    (3.0, True)
    """

    def __init__(self, wrapped: Callable[[T], R]) -> None:
        self.wrapped = wrapped
        update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with numtorch.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """Looks like a property to documentation tools and like a lazy_property to validation."""

    def __init__(self, wrapped) -> None:
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The lower-triangular entries of (a batch of) square matrices, in row order.

    >>> import numtorch as torch
    >>> tril_matrix_to_vec(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor([1., 3., 4.])
    """
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    arange = numtorch.arange(n)
    tril_mask = arange < arange.view(-1, 1) + (diag + 1)
    return mat[..., tril_mask]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of :func:`tril_matrix_to_vec`: fill a lower-triangular matrix row by row.

    >>> import numtorch as torch
    >>> vec_to_tril_matrix(torch.tensor([1.0, 3.0, 4.0]))
    tensor([[1., 0.],
            [3., 4.]])
    """
    # n is the side of the matrix holding len(vec) entries below (and on) diagonal `diag`
    n = (
        -(1 + 2 * diag)
        + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5
    ) / 2
    eps = _finfo(vec.dtype)[0] if vec.is_floating_point() else 1.1920928955078125e-07
    if round(n) - n > eps:
        raise ValueError(
            f"The size of last dimension is {vec.shape[-1]} which cannot be expressed as "
            + "the lower triangular part of a square D x D matrix."
        )
    n = round(n.item()) if isinstance(n, Tensor) else round(n)
    mat = vec.new_zeros(vec.shape[:-1] + numtorch.Size((n, n)))
    arange = numtorch.arange(n)
    tril_mask = arange < arange.view(-1, 1) + (diag + 1)
    mat[..., tril_mask] = vec
    return mat


def set_count_and_param(dist, total_count, probs, logits) -> Tensor:
    """Binomial-style parameters: ``total_count`` broadcast with ``probs`` or ``logits`` (one
    of them) and cast to its dtype; returns the one given (``dist._param``)."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    if probs is not None:
        dist.total_count, dist.probs = broadcast_all(total_count, probs)
        dist.total_count = dist.total_count.type_as(dist.probs)
    else:
        dist.total_count, dist.logits = broadcast_all(total_count, logits)
        dist.total_count = dist.total_count.type_as(dist.logits)
    dist._param = dist.probs if probs is not None else dist.logits
    return dist._param


def expand_count_and_param(dist, new, batch_shape) -> None:
    """``set_count_and_param``'s attributes of ``dist`` expanded onto ``new``."""
    new.total_count = dist.total_count.expand(batch_shape)
    if "probs" in dist.__dict__:
        new.probs = dist.probs.expand(batch_shape)
        new._param = new.probs
    if "logits" in dist.__dict__:
        new.logits = dist.logits.expand(batch_shape)
        new._param = new.logits
