"""The negative binomial distribution.

>>> import numtorch as torch
>>> from numtorch.distributions import NegativeBinomial
>>> NegativeBinomial(3.0, torch.tensor(0.5)).mean
tensor(3.)
"""

from __future__ import annotations

import numtorch
import numtorch.nn.functional as F
from numtorch import Size, Tensor

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import (
    expand_count_and_param,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
    set_count_and_param,
)

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Distribution):
    """Successes before ``total_count`` failures, each trial a success with ``probs``.

    ``sample`` is a gamma-Poisson mixture: ``Poisson(Gamma(total_count, exp(-logits)))``.

    >>> import numtorch as torch
    >>> from numtorch.distributions import NegativeBinomial
    >>> NegativeBinomial(2.0, torch.tensor([0.5])).log_prob(torch.tensor([1.0])).exp()
    tensor([0.2500])
    """

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer
    total_count: Tensor  # set (with probs or logits) by set_count_and_param
    _param: Tensor

    def __init__(
        self, total_count, probs=None, logits=None, validate_args: bool | None = None
    ) -> None:
        param = set_count_and_param(self, total_count, probs, logits)
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(NegativeBinomial, _instance)
        batch_shape = Size(batch_shape)
        expand_count_and_param(self, new, batch_shape)
        super(NegativeBinomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @property
    def mean(self) -> Tensor:
        return self.total_count * numtorch.exp(self.logits)

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / numtorch.sigmoid(-self.logits)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    @lazy_property
    def _gamma(self) -> Gamma:
        # unvalidated: total_count may be zero
        return Gamma(
            concentration=self.total_count, rate=numtorch.exp(-self.logits), validate_args=False
        )

    def sample(self, sample_shape=Size()):
        with numtorch.no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return numtorch.poisson(rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_unnormalized_prob = self.total_count * F.logsigmoid(
            -self.logits
        ) + value * F.logsigmoid(self.logits)
        log_normalization = (
            -numtorch.lgamma(self.total_count + value)
            + numtorch.lgamma(1.0 + value)
            + numtorch.lgamma(self.total_count)
        )
        # total_count == value == 0 has probability one, but lgamma(0) is infinite
        log_normalization = log_normalization.masked_fill(self.total_count + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
