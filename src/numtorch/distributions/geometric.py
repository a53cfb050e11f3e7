"""The geometric distribution: the number of failures before the first success.

>>> from numtorch.distributions import Geometric
>>> Geometric(0.25).mean
tensor(3.)
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor
from numtorch.nn.functional import binary_cross_entropy_with_logits

from . import constraints
from .distribution import Distribution
from .utils import (
    _finfo,
    _is_number,
    broadcast_all,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)

__all__ = ["Geometric"]


class Geometric(Distribution):
    """Geometric distribution ``P(X=k) = (1-p)^k p`` for ``k = 0, 1, ...``.

    Give either ``probs`` (success probability, in ``(0, 1]``) or ``logits``. Unlike
    ``Tensor.geometric_``, which counts the trials, this counts the failures.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Geometric
    >>> _ = torch.manual_seed(0)
    >>> Geometric(torch.tensor([0.3])).sample()
    tensor([1.])
    >>> Geometric(torch.tensor([0.5])).log_prob(torch.tensor([2.0]))
    tensor([-2.0794])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.nonnegative_integer

    def __init__(self, probs=None, logits=None, validate_args: bool | None = None) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
        else:
            (self.logits,) = broadcast_all(logits)
        probs_or_logits = probs if probs is not None else logits
        batch_shape = Size() if _is_number(probs_or_logits) else probs_or_logits.size()
        super().__init__(batch_shape, validate_args=validate_args)
        # unit_interval admits 0, but a zero success probability has no distribution
        if self._validate_args and probs is not None:
            value = self.probs
            valid = value > 0
            if not bool(valid.all()):
                raise ValueError(
                    "Expected parameter probs "
                    f"({type(value).__name__} of shape {tuple(value.shape)}) "
                    f"of distribution {self!r} "
                    f"to be positive but found invalid values:\n{value.data[~valid]}"
                )

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Geometric, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
        super(Geometric, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return numtorch.zeros_like(self.probs)

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        tiny = _finfo(self.probs.dtype)[1]
        with numtorch.no_grad():
            # inverse-cdf sampling, with u kept off 0 so its log is finite
            u = self.probs.new(shape).uniform_(tiny, 1)
            return (u.log() / (-self.probs).log1p()).floor()

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value, probs = broadcast_all(value, self.probs)
        probs = probs.clone()
        # 0 * log(1 - 1) is nan; the probability of k = 0 when p = 1 is exactly 1
        probs[(probs == 1) & (value == 0)] = 0
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self):
        return (
            binary_cross_entropy_with_logits(self.logits, self.probs, reduction="none") / self.probs
        )
