"""All layer classes, re-exported as ``numtorch.nn.X`` (PyTorch's module files)."""

# ruff: noqa: F401  (re-exports)

from .activation import *  # noqa: F403
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .distance import CosineSimilarity, PairwiseDistance
from .flatten import Flatten, Unflatten
from .lazy import LazyModuleMixin
from .linear import Bilinear, Identity, LazyLinear, Linear
from .loss import *  # noqa: F403
from .module import Module

# layers that live in their own engineer's files; each is optional until it exists
try:
    from .conv import *  # noqa: F403
except ImportError:
    pass
try:
    from .pooling import *  # noqa: F403
except ImportError:
    pass
try:
    from .batchnorm import *  # noqa: F403
except ImportError:
    pass
try:
    from .normalization import *  # noqa: F403
except ImportError:
    pass
try:
    from .dropout import *  # noqa: F403
except ImportError:
    pass
try:
    from .sparse import *  # noqa: F403
except ImportError:
    pass
try:
    from .rnn import *  # noqa: F403
except ImportError:
    pass
try:
    from .transformer import *  # noqa: F403
except ImportError:
    pass
try:
    from .upsampling import *  # noqa: F403
except ImportError:
    pass
try:
    from .pixelshuffle import *  # noqa: F403
except ImportError:
    pass
from . import batchnorm as _batchnorm
from ._extra_modules import *  # noqa: E402, F403
from ._sync_batchnorm import SyncBatchNorm
from .adaptive import AdaptiveLogSoftmaxWithLoss
from .channelshuffle import ChannelShuffle
from .fold import Fold, Unfold
from .padding import *  # noqa: F403

# PyTorch's path for it (its own file here: it builds on batchnorm's classes)
SyncBatchNorm.__module__ = "numtorch.nn.modules.batchnorm"
_batchnorm.SyncBatchNorm = SyncBatchNorm  # type: ignore[attr-defined]
