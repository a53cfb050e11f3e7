"""numtorch.optim: optimizers and learning-rate schedulers at PyTorch's module paths.

>>> w = numtorch.tensor([1.0, 2.0], requires_grad=True)
>>> opt = numtorch.optim.SGD([w], lr=0.1)
>>> (w * w).sum().backward(); opt.step(); w
tensor([0.8000, 1.6000], requires_grad=True)
"""

from __future__ import annotations

from . import lr_scheduler
from ._adafactor import Adafactor
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = [
    "Adafactor",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Adamax",
    "AdamW",
    "ASGD",
    "LBFGS",
    "lr_scheduler",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SGD",
    "SparseAdam",
]
# PyTorch presents its private-module Adafactor as torch.optim.Adafactor
Adafactor.__module__ = "numtorch.optim"
from . import swa_utils  # noqa: E402, F401  (torch.optim.swa_utils is an attribute after import)
