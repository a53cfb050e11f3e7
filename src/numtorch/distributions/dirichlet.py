"""The Dirichlet distribution.

>>> import numtorch as torch
>>> from numtorch.distributions import Dirichlet
>>> Dirichlet(torch.tensor([1.0, 3.0])).mean
tensor([0.2500, 0.7500])
"""

from __future__ import annotations

import numtorch
from numtorch import Size, Tensor

from . import constraints
from ._samplers import sample_dirichlet
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """Dirichlet distribution over the simplex with ``concentration`` (last dim: categories).

    ``rsample`` normalises gamma draws from numtorch's generator (reproducible under
    ``manual_seed``, distributed as PyTorch's draws but not the same numbers); gradients reach
    ``concentration`` through the implicit gamma reparameterization.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Dirichlet
    >>> Dirichlet(torch.tensor([2.0, 2.0])).log_prob(torch.tensor([0.5, 0.5]))
    tensor(0.4055)
    >>> _ = torch.manual_seed(0)
    >>> Dirichlet(torch.tensor([2.0, 2.0, 1.0])).rsample((5,)).shape
    numtorch.Size([5, 3])
    """

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (
            numtorch.xlogy(self.concentration - 1.0, value).sum(-1)
            + numtorch.lgamma(self.concentration.sum(-1))
            - numtorch.lgamma(self.concentration).sum(-1)
        )

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self) -> Tensor:
        concentrationm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concentrationm1 / concentrationm1.sum(-1, True)
        # with every concentration below 1 the density peaks at a vertex of the simplex
        mask = (self.concentration < 1).all(dim=-1)
        mode[mask] = numtorch.nn.functional.one_hot(
            mode[mask].argmax(dim=-1), concentrationm1.shape[-1]
        ).to(mode)
        return mode

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (
            numtorch.lgamma(self.concentration).sum(-1)
            - numtorch.lgamma(a0)
            - (k - a0) * numtorch.digamma(a0)
            - ((self.concentration - 1.0) * numtorch.digamma(self.concentration)).sum(-1)
        )

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - numtorch.lgamma(x.sum(-1))
