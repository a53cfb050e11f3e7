"""The Laplace distribution.

>>> from numtorch.distributions import Laplace
>>> Laplace(0.0, 1.0).variance
tensor(2.)
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor

from . import constraints
from .distribution import Distribution
from .utils import _finfo, _is_number, broadcast_all

__all__ = ["Laplace"]


class Laplace(Distribution):
    """Laplace distribution with location ``loc`` and scale ``scale``.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Laplace
    >>> Laplace(torch.tensor([0.0]), torch.tensor([1.0])).log_prob(torch.tensor([1.0]))
    tensor([-1.6931])
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 2 * self.scale.pow(2)

    @property
    def stddev(self) -> Tensor:
        return (2**0.5) * self.scale

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        if _is_number(loc) and _is_number(scale):
            batch_shape = Size()
        else:
            batch_shape = self.loc.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Laplace, _instance)
        batch_shape = Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        super(Laplace, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        # u in (-1, 1): the open lower end keeps log1p(-|u|) finite
        u = self.loc.new_empty(shape).uniform_(_finfo(self.loc.dtype)[0] - 1, 1)
        return self.loc - self.scale * u.sign() * numtorch.log1p(-u.abs())

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return -numtorch.log(2 * self.scale) - numtorch.abs(value - self.loc) / self.scale

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 - 0.5 * (value - self.loc).sign() * numtorch.expm1(
            -(value - self.loc).abs() / self.scale
        )

    def icdf(self, value):
        term = value - 0.5
        return self.loc - self.scale * (term).sign() * numtorch.log1p(-2 * term.abs())

    def entropy(self):
        return 1 + numtorch.log(2 * self.scale)
