"""numtorch.distributions: probability distributions with PyTorch's API and random streams.

Samples drawn after ``manual_seed`` match PyTorch's; ``rsample`` and ``log_prob`` are built
from numtorch ops, so gradients flow to the parameters.

>>> import numtorch as torch
>>> from numtorch.distributions import Normal, kl_divergence
>>> _ = torch.manual_seed(0)
>>> loc = torch.tensor([0.0, 1.0], requires_grad=True)
>>> d = Normal(loc, torch.ones(2))
>>> d.rsample()
tensor([1.5410, 0.7066], grad_fn=<AddBackward0>)
>>> d.log_prob(torch.tensor([0.5, 0.5])).sum().backward()
>>> loc.grad
tensor([ 0.5000, -0.5000])
>>> kl_divergence(d, Normal(torch.zeros(2), torch.ones(2)))
tensor([0.0000, 0.5000], grad_fn=<MulBackward0>)
"""

from __future__ import annotations

from . import constraints, transforms
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .independent import Independent
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .log_normal import LogNormal
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical, OneHotCategoricalStraightThrough
from .poisson import Poisson
from .transformed_distribution import TransformedDistribution
from .transforms import (
    AbsTransform,
    AffineTransform,
    ComposeTransform,
    ExpTransform,
    IndependentTransform,
    LowerCholeskyTransform,
    PowerTransform,
    ReshapeTransform,
    SigmoidTransform,
    SoftmaxTransform,
    SoftplusTransform,
    StickBreakingTransform,
    TanhTransform,
    Transform,
    identity_transform,
)
from .uniform import Uniform

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "Bernoulli",
    "Categorical",
    "ComposeTransform",
    "Distribution",
    "ExpTransform",
    "Exponential",
    "ExponentialFamily",
    "Independent",
    "IndependentTransform",
    "Laplace",
    "LogNormal",
    "LowerCholeskyTransform",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Poisson",
    "PowerTransform",
    "ReshapeTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StickBreakingTransform",
    "TanhTransform",
    "Transform",
    "TransformedDistribution",
    "Uniform",
    "constraints",
    "identity_transform",
    "kl_divergence",
    "register_kl",
    "transforms",
]
