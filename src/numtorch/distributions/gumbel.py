"""The Gumbel distribution.

>>> from numtorch.distributions import Gumbel
>>> Gumbel(0.0, 1.0).mode
tensor(0.)
"""

from __future__ import annotations

import math

import numtorch
from numtorch import Tensor

from . import constraints
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, ExpTransform
from .uniform import Uniform
from .utils import _finfo, _is_number, broadcast_all, euler_constant

__all__ = ["Gumbel"]


class Gumbel(TransformedDistribution):
    """Gumbel distribution with location ``loc`` and scale ``scale``.

    Samples are ``loc - scale * log(-log(U))`` with ``U`` uniform, drawn as PyTorch draws them.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Gumbel
    >>> _ = torch.manual_seed(0)
    >>> Gumbel(torch.tensor([1.0]), torch.tensor([2.0])).sample()
    tensor([1.7115])
    >>> Gumbel(0.0, 1.0).mean
    tensor(0.5772)
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        eps, tiny, _ = _finfo(self.loc.dtype)
        # the uniform stays inside (0, 1) so neither log below can reach 0 or -inf
        if _is_number(loc) and _is_number(scale):
            base_dist = Uniform(tiny, 1 - eps, validate_args=validate_args)
        else:
            base_dist = Uniform(
                numtorch.full_like(self.loc, tiny),
                numtorch.full_like(self.loc, 1 - eps),
                validate_args=validate_args,
            )
        transforms = [
            ExpTransform().inv,
            AffineTransform(loc=0, scale=-numtorch.ones_like(self.scale)),
            ExpTransform().inv,
            AffineTransform(loc=loc, scale=-self.scale),
        ]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gumbel, _instance)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        y = (self.loc - value) / self.scale
        return (y - y.exp()) - self.scale.log()

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * euler_constant

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev.pow(2)

    def entropy(self):
        return self.scale.log() + (1 + euler_constant)
