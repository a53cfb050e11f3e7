"""``numtorch.nn``: modules, parameters, functional, init and utils, as torch.nn."""

from . import functional, init, parallel, parameter, utils  # noqa: F401
from .modules import *  # noqa: F403
from .modules import Module  # noqa: F401
from .parallel import DataParallel  # noqa: E402, F401
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
