"""The binomial distribution.

>>> import numtorch as torch
>>> from numtorch.distributions import Binomial
>>> Binomial(10, torch.tensor(0.5)).mean
tensor(5.)
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor

from . import constraints
from ._samplers import binomial
from .distribution import Distribution
from .utils import (
    expand_count_and_param,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
    set_count_and_param,
)

__all__ = ["Binomial"]


def _clamp_by_zero(x):
    # clamp(x, min=0) whose gradient at 0 is 0.5, as torch's is
    return (x.clamp(min=0) + x - x.clamp(max=0)) / 2


class Binomial(Distribution):
    """Number of successes in ``total_count`` Bernoulli trials with ``probs`` or ``logits``.

    ``sample`` uses PyTorch's algorithms (inversion for small ``n * p``, BTRS rejection for
    large) on numtorch's generator: distributed exactly as PyTorch's draws, not the same numbers.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Binomial
    >>> d = Binomial(4, torch.tensor([0.5]))
    >>> d.log_prob(torch.tensor([2.0])).exp()
    tensor([0.3750])
    >>> d.enumerate_support().flatten()
    tensor([0., 1., 2., 3., 4.])
    >>> _ = torch.manual_seed(0)
    >>> d.sample((2,)).shape
    numtorch.Size([2, 1])
    """

    arg_constraints = {
        "total_count": constraints.nonnegative_integer,
        "probs": constraints.unit_interval,
        "logits": constraints.real,
    }
    has_enumerate_support = True
    total_count: Tensor  # set (with probs or logits) by set_count_and_param
    _param: Tensor

    def __init__(
        self, total_count=1, probs=None, logits=None, validate_args: bool | None = None
    ) -> None:
        param = set_count_and_param(self, total_count, probs, logits)
        super().__init__(param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Binomial, _instance)
        batch_shape = Size(batch_shape)
        expand_count_and_param(self, new, batch_shape)
        super(Binomial, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return ((self.total_count + 1) * self.probs).floor().clamp(max=self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with numtorch.no_grad():
            return binomial(self.total_count.expand(shape), self.probs.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_factorial_n = numtorch.lgamma(self.total_count + 1)
        log_factorial_k = numtorch.lgamma(value + 1)
        log_factorial_nmk = numtorch.lgamma(self.total_count - value + 1)
        # n * log(1 + exp(logits)), written to stay finite for large |logits|
        normalize_term = (
            self.total_count * _clamp_by_zero(self.logits)
            + self.total_count * numtorch.log1p(numtorch.exp(-numtorch.abs(self.logits)))
            - log_factorial_n
        )
        return value * self.logits - log_factorial_k - log_factorial_nmk - normalize_term

    def entropy(self):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError("Inhomogeneous total count not supported by `entropy`.")
        log_prob = self.log_prob(self.enumerate_support(False))
        return -(numtorch.exp(log_prob) * log_prob).sum(0)

    def enumerate_support(self, expand=True):
        total_count = int(self.total_count.max())
        if not self.total_count.min() == total_count:
            raise NotImplementedError(
                "Inhomogeneous total count not supported by `enumerate_support`."
            )
        values = numtorch.arange(1 + total_count, dtype=self._param.dtype)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + self._batch_shape)
        return values
