"""The Poisson distribution.

>>> from numtorch.distributions import Poisson
>>> Poisson(4.0).variance
tensor(4.)
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor

from . import constraints
from .exp_family import ExponentialFamily
from .utils import _is_number, broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """Poisson distribution with rate ``rate``.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Poisson
    >>> _ = torch.manual_seed(0)
    >>> Poisson(torch.tensor([4.0])).sample()
    tensor([7.])
    >>> Poisson(torch.tensor([4.0])).log_prob(torch.tensor([2.0]))
    tensor([-1.9206])
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def __init__(self, rate, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if _is_number(rate) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Poisson, _instance)
        batch_shape = Size(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Poisson, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        with numtorch.no_grad():
            return numtorch.poisson(self.rate.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (numtorch.log(self.rate),)

    def _log_normalizer(self, x):
        return numtorch.exp(x)
