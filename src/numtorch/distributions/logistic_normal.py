"""The logistic-normal distribution on the simplex.

>>> import numtorch as torch
>>> from numtorch.distributions import LogisticNormal
>>> LogisticNormal(torch.zeros(3), torch.ones(3)).event_shape
numtorch.Size([4])
"""

from __future__ import annotations

from typing import cast

from numtorch import Tensor

from . import constraints
from .independent import Independent
from .normal import Normal
from .transformed_distribution import TransformedDistribution
from .transforms import StickBreakingTransform

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    """A :class:`Normal` (``loc``, ``scale``) pushed through :class:`StickBreakingTransform`.

    >>> import numtorch as torch
    >>> from numtorch.distributions import LogisticNormal
    >>> _ = torch.manual_seed(0)
    >>> float(LogisticNormal(torch.zeros(2), torch.ones(2)).sample().sum())
    1.0
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.simplex
    has_rsample = True
    base_dist: Independent

    def __init__(self, loc, scale, validate_args: bool | None = None) -> None:
        base_dist = Normal(loc, scale, validate_args=validate_args)
        if not base_dist.batch_shape:
            base_dist = base_dist.expand([1])
        super().__init__(base_dist, StickBreakingTransform(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(LogisticNormal, _instance)
        return super().expand(batch_shape, _instance=new)

    @property
    def loc(self) -> Tensor:
        return cast(Normal, self.base_dist.base_dist).loc

    @property
    def scale(self) -> Tensor:
        return cast(Normal, self.base_dist.base_dist).scale
