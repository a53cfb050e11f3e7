"""``numtorch.nn``: modules, parameters, functional, init and utils, as torch.nn."""

from . import functional, init, parameter, utils  # noqa: F401
from .modules import *  # noqa: F403
from .modules import Module  # noqa: F401
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
