"""The chi-squared distribution.

>>> from numtorch.distributions import Chi2
>>> Chi2(4.0).mean
tensor(4.)
"""

from __future__ import annotations

from numtorch import Tensor

from . import constraints
from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """Chi-squared with ``df`` degrees of freedom: ``Gamma(0.5 * df, 0.5)``.

    Sampled (with reparameterized gradients) as its :class:`Gamma`.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Chi2
    >>> Chi2(torch.tensor([2.0])).log_prob(torch.tensor([2.0]))
    tensor([-1.6931])
    """

    arg_constraints = {"df": constraints.positive}

    def __init__(self, df, validate_args: bool | None = None) -> None:
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self) -> Tensor:
        return self.concentration * 2
