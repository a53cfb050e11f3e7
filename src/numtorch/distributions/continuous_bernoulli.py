"""The continuous Bernoulli distribution on ``[0, 1]``.

>>> import numtorch as torch
>>> from numtorch.distributions import ContinuousBernoulli
>>> ContinuousBernoulli(torch.tensor([0.3]))
ContinuousBernoulli(probs: tensor([0.3000]))
"""

from __future__ import annotations

import math

import numtorch
from numtorch import Size, Tensor
from numtorch.nn.functional import binary_cross_entropy_with_logits

from . import constraints
from .exp_family import ExponentialFamily
from .utils import (
    _is_number,
    broadcast_all,
    clamp_probs,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
)

__all__ = ["ContinuousBernoulli"]


class ContinuousBernoulli(ExponentialFamily):
    """Continuous Bernoulli (Loaiza-Ganem and Cunningham, 2019) with ``probs`` or ``logits``.

    ``probs`` is not a probability here, only the shape parameter in ``(0, 1)``; near ``0.5``
    (inside ``lims``) Taylor expansions replace the closed forms, which cancel there.
    ``rsample`` is ``icdf`` of uniform draws, equal to PyTorch's for the same seed.

    >>> import numtorch as torch
    >>> from numtorch.distributions import ContinuousBernoulli
    >>> ContinuousBernoulli(torch.tensor([0.2])).mean
    tensor([0.3880])
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.unit_interval
    _mean_carrier_measure = 0
    has_rsample = True

    def __init__(
        self,
        probs=None,
        logits=None,
        lims: tuple[float, float] = (0.499, 0.501),
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            is_scalar = _is_number(probs)
            (self.probs,) = broadcast_all(probs)
            # checked here, before clamping would hide values outside [0, 1]
            if validate_args is not None:
                if not self.arg_constraints["probs"].check(self.probs).all():
                    raise ValueError("The parameter probs has invalid values")
            self.probs = clamp_probs(self.probs)
        else:
            is_scalar = _is_number(logits)
            (self.logits,) = broadcast_all(logits)
        self._param = self.probs if probs is not None else self.logits
        batch_shape = Size() if is_scalar else self._param.size()
        self._lims = lims
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(ContinuousBernoulli, _instance)
        new._lims = self._lims
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        super(ContinuousBernoulli, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)

    def _outside_unstable_region(self):
        return numtorch.max(
            numtorch.le(self.probs, self._lims[0]), numtorch.gt(self.probs, self._lims[1])
        )

    def _cut_probs(self):
        return numtorch.where(
            self._outside_unstable_region(),
            self.probs,
            self._lims[0] * numtorch.ones_like(self.probs),
        )

    def _cont_bern_log_norm(self):
        """The log normalizing constant as a function of ``probs``."""
        cut_probs = self._cut_probs()
        cut_probs_below_half = numtorch.where(
            numtorch.le(cut_probs, 0.5), cut_probs, numtorch.zeros_like(cut_probs)
        )
        cut_probs_above_half = numtorch.where(
            numtorch.ge(cut_probs, 0.5), cut_probs, numtorch.ones_like(cut_probs)
        )
        log_norm = numtorch.log(
            numtorch.abs(numtorch.log1p(-cut_probs) - numtorch.log(cut_probs))
        ) - numtorch.where(
            numtorch.le(cut_probs, 0.5),
            numtorch.log1p(-2.0 * cut_probs_below_half),
            numtorch.log(2.0 * cut_probs_above_half - 1.0),
        )
        x = numtorch.pow(self.probs - 0.5, 2)
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * x) * x
        return numtorch.where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        cut_probs = self._cut_probs()
        mus = cut_probs / (2.0 * cut_probs - 1.0) + 1.0 / (
            numtorch.log1p(-cut_probs) - numtorch.log(cut_probs)
        )
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * numtorch.pow(x, 2)) * x
        return numtorch.where(self._outside_unstable_region(), mus, taylor)

    @property
    def stddev(self) -> Tensor:
        return numtorch.sqrt(self.variance)

    @property
    def variance(self) -> Tensor:
        cut_probs = self._cut_probs()
        vars_ = cut_probs * (cut_probs - 1.0) / numtorch.pow(
            1.0 - 2.0 * cut_probs, 2
        ) + 1.0 / numtorch.pow(numtorch.log1p(-cut_probs) - numtorch.log(cut_probs), 2)
        x = numtorch.pow(self.probs - 0.5, 2)
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * x) * x
        return numtorch.where(self._outside_unstable_region(), vars_, taylor)

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        return clamp_probs(logits_to_probs(self.logits, is_binary=True))

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def sample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        u = numtorch.rand(shape, dtype=self.probs.dtype, device=self.probs.device)
        with numtorch.no_grad():
            return self.icdf(u)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        u = numtorch.rand(shape, dtype=self.probs.dtype, device=self.probs.device)
        return self.icdf(u)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return (
            -binary_cross_entropy_with_logits(logits, value, reduction="none")
            + self._cont_bern_log_norm()
        )

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        cut_probs = self._cut_probs()
        cdfs = (
            numtorch.pow(cut_probs, value) * numtorch.pow(1.0 - cut_probs, 1.0 - value)
            + cut_probs
            - 1.0
        ) / (2.0 * cut_probs - 1.0)
        unbounded_cdfs = numtorch.where(self._outside_unstable_region(), cdfs, value)
        return numtorch.where(
            numtorch.le(value, 0.0),
            numtorch.zeros_like(value),
            numtorch.where(numtorch.ge(value, 1.0), numtorch.ones_like(value), unbounded_cdfs),
        )

    def icdf(self, value):
        cut_probs = self._cut_probs()
        return numtorch.where(
            self._outside_unstable_region(),
            (
                numtorch.log1p(-cut_probs + value * (2.0 * cut_probs - 1.0))
                - numtorch.log1p(-cut_probs)
            )
            / (numtorch.log(cut_probs) - numtorch.log1p(-cut_probs)),
            value,
        )

    def entropy(self):
        log_probs0 = numtorch.log1p(-self.probs)
        log_probs1 = numtorch.log(self.probs)
        return self.mean * (log_probs0 - log_probs1) - self._cont_bern_log_norm() - log_probs0

    @property
    def _natural_params(self) -> tuple[Tensor]:
        return (self.logits,)

    def _log_normalizer(self, x):
        """The log normalizing constant as a function of the natural parameter."""
        out_unst_reg = numtorch.max(
            numtorch.le(x, self._lims[0] - 0.5), numtorch.gt(x, self._lims[1] - 0.5)
        )
        cut_nat_params = numtorch.where(
            out_unst_reg, x, (self._lims[0] - 0.5) * numtorch.ones_like(x)
        )
        log_norm = numtorch.log(numtorch.abs(numtorch.expm1(cut_nat_params))) - numtorch.log(
            numtorch.abs(cut_nat_params)
        )
        taylor = 0.5 * x + numtorch.pow(x, 2) / 24.0 - numtorch.pow(x, 4) / 2880.0
        return numtorch.where(out_unst_reg, log_norm, taylor)
