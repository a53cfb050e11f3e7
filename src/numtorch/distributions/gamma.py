"""The Gamma distribution.

>>> from numtorch.distributions import Gamma
>>> Gamma(2.0, 4.0).mean
tensor(0.5000)
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor

from . import constraints
from ._samplers import standard_gamma
from .exp_family import ExponentialFamily
from .utils import _finfo, _is_number, broadcast_all

__all__ = ["Gamma"]


class Gamma(ExponentialFamily):
    """Gamma distribution with shape ``concentration`` and ``rate`` (1 / scale).

    ``rsample`` draws with Marsaglia and Tsang's method from numtorch's generator (reproducible
    under ``manual_seed``, distributed exactly as PyTorch's draws but not the same numbers) and
    is differentiable in both parameters; ``concentration`` gets the implicit reparameterization
    gradient, as in PyTorch.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Gamma
    >>> Gamma(torch.tensor([2.0]), torch.tensor([1.0])).log_prob(torch.tensor([1.0]))
    tensor([-1.])
    >>> _ = torch.manual_seed(0)
    >>> Gamma(torch.tensor([2.0, 3.0]), 1.0).rsample((4,)).shape
    numtorch.Size([4, 2])
    """

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if _is_number(concentration) and _is_number(rate):
            batch_shape = Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # a huge rate can push draws under the smallest normal number: keep them positive, out
        # of the autograd graph, as PyTorch does
        value.detach().clamp_(min=_finfo(value.dtype)[1])
        return value

    def log_prob(self, value):
        value = numtorch.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (
            numtorch.xlogy(self.concentration, self.rate)
            + numtorch.xlogy(self.concentration - 1, value)
            - self.rate * value
            - numtorch.lgamma(self.concentration)
        )

    def entropy(self):
        return (
            self.concentration
            - numtorch.log(self.rate)
            + numtorch.lgamma(self.concentration)
            + (1.0 - self.concentration) * numtorch.digamma(self.concentration)
        )

    @property
    def _natural_params(self) -> tuple[Tensor, Tensor]:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return numtorch.lgamma(x + 1) + (x + 1) * numtorch.log(-y.reciprocal())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return numtorch.special.gammainc(self.concentration, self.rate * value)
