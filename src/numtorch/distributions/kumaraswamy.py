"""The Kumaraswamy distribution.

>>> from numtorch.distributions import Kumaraswamy
>>> Kumaraswamy(1.0, 1.0).mean
tensor(0.5000)
"""

from __future__ import annotations

import math

import numtorch
from numtorch import Tensor

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform
from .utils import broadcast_all, euler_constant

__all__ = ["Kumaraswamy"]


def _moments(a, b, n):
    """The n-th moment ``b * B(1 + n/a, b)``, through lgamma to stay finite."""
    arg1 = 1 + n / a
    log_value = numtorch.lgamma(arg1) + numtorch.lgamma(b) - numtorch.lgamma(arg1 + b)
    return b * numtorch.exp(log_value)


class Kumaraswamy(TransformedDistribution):
    """Kumaraswamy distribution on ``(0, 1)``: ``(1 - U ** (1/b)) ** (1/a)``, ``U`` uniform.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Kumaraswamy
    >>> _ = torch.manual_seed(0)
    >>> Kumaraswamy(torch.tensor([1.0]), torch.tensor([1.0])).sample()
    tensor([0.5037])
    """

    arg_constraints = {
        "concentration1": constraints.positive,
        "concentration0": constraints.positive,
    }
    support = constraints.unit_interval
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base_dist = Uniform(
            numtorch.full_like(self.concentration0, 0),
            numtorch.full_like(self.concentration0, 1),
            validate_args=validate_args,
        )
        transforms = [
            PowerTransform(exponent=self.concentration0.reciprocal()),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=self.concentration1.reciprocal()),
        ]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self) -> Tensor:
        return _moments(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        log_mode = (
            self.concentration0.reciprocal() * (-self.concentration0).log1p()
            - (-self.concentration0 * self.concentration1).log1p()
        )
        # no interior mode unless both concentrations are at least 1
        log_mode[(self.concentration0 < 1) | (self.concentration1 < 1)] = math.nan
        return log_mode.exp()

    @property
    def variance(self) -> Tensor:
        return _moments(self.concentration1, self.concentration0, 2) - numtorch.pow(self.mean, 2)

    def entropy(self):
        t1 = 1 - self.concentration1.reciprocal()
        t0 = 1 - self.concentration0.reciprocal()
        H0 = numtorch.digamma(self.concentration0 + 1) + euler_constant
        return t0 + t1 * H0 - numtorch.log(self.concentration1) - numtorch.log(self.concentration0)
