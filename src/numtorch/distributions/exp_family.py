"""Exponential families: entropy (and KL) from the log-normalizer via autograd.

>>> from numtorch.distributions import ExponentialFamily, Normal
>>> issubclass(Normal, ExponentialFamily)
True
"""

from __future__ import annotations

import numtorch
from numtorch import Tensor

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Base of exponential-family distributions ``p(x) = h(x) exp(<t(x), theta> - F(theta))``.

    Subclasses give ``_natural_params``, ``_log_normalizer`` and ``_mean_carrier_measure``;
    the entropy is then the Bregman divergence of ``F``, differentiated with autograd.

    >>> import numtorch as torch
    >>> from numtorch.distributions import Poisson
    >>> Poisson(torch.tensor([2.0]))._natural_params
    (tensor([0.6931]),)
    """

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params):
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self) -> float:
        raise NotImplementedError

    def entropy(self):
        result = -self._mean_carrier_measure
        nparams = [p.detach().requires_grad_() for p in self._natural_params]
        lg_normal = self._log_normalizer(*nparams)
        gradients = numtorch.autograd.grad(lg_normal.sum(), nparams, create_graph=True)
        result += lg_normal
        for np_, g in zip(nparams, gradients, strict=False):
            result -= (np_ * g).reshape(self._batch_shape + (-1,)).sum(-1)
        return result
