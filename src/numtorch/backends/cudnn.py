"""torch.backends.cudnn: cuDNN is never available; its flags are kept for scripts that set them.

>>> numtorch.backends.cudnn.benchmark = True
>>> numtorch.backends.cudnn.is_available(), numtorch.backends.cudnn.version()
(False, None)
>>> numtorch.backends.cudnn.benchmark = False
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from . import FlagModule, bool_flag

__all__ = ["is_available", "version", "is_acceptable", "flags", "set_flags"]

_flags = {"enabled": True, "benchmark": False, "deterministic": False, "allow_tf32": True}
benchmark_limit: int | None = None  # torch leaves it None when cuDNN is not available
fp32_precision = "none"


def is_available() -> bool:
    """False: numtorch has no cuDNN.

    >>> numtorch.backends.cudnn.is_available()
    False
    """
    return False


def version() -> int | None:
    """None, the cuDNN version when cuDNN is not available.

    >>> numtorch.backends.cudnn.version() is None
    True
    """
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN would take ``tensor``: never, without cuDNN.

    >>> numtorch.backends.cudnn.is_acceptable(numtorch.zeros(1))
    False
    """
    return False


def set_flags(
    _enabled: bool | None = None,
    _benchmark: bool | None = None,
    _benchmark_limit: int | None = None,
    _deterministic: bool | None = None,
    _allow_tf32: bool | None = None,
) -> tuple:
    """Sets the given flags; returns the previous ones, in this order, for restoring.

    >>> old = numtorch.backends.cudnn.set_flags(_benchmark=True)
    >>> numtorch.backends.cudnn.benchmark
    True
    >>> _ = numtorch.backends.cudnn.set_flags(*old)
    """
    module = sys.modules[__name__]
    previous = (
        module.enabled,
        module.benchmark,
        None,  # benchmark_limit is only tracked when cuDNN is available
        module.deterministic,
        module.allow_tf32,
    )
    for name, value in (
        ("enabled", _enabled),
        ("benchmark", _benchmark),
        ("deterministic", _deterministic),
        ("allow_tf32", _allow_tf32),
    ):
        if value is not None:
            setattr(module, name, value)
    return previous


@contextmanager
def flags(
    enabled: bool = False,
    benchmark: bool = False,
    benchmark_limit: int = 10,
    deterministic: bool = False,
    allow_tf32: bool = True,
) -> Iterator[None]:
    """Sets every flag for the ``with`` block (defaults as torch's), then restores them.

    >>> with numtorch.backends.cudnn.flags(enabled=False, deterministic=True):
    ...     numtorch.backends.cudnn.deterministic
    True
    >>> numtorch.backends.cudnn.deterministic
    False
    """
    previous = set_flags(enabled, benchmark, benchmark_limit, deterministic, allow_tf32)
    try:
        yield
    finally:
        set_flags(*previous)


class CudnnModule(FlagModule):
    enabled = bool_flag("enabled", "set_enabled_cudnn")
    benchmark = bool_flag("benchmark", "set_benchmark_cudnn")
    deterministic = bool_flag("deterministic", "set_deterministic_cudnn")
    allow_tf32 = bool_flag("allow_tf32", "set_allow_tf32_cublas")


sys.modules[__name__].__class__ = CudnnModule
