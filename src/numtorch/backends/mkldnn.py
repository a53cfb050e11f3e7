"""torch.backends.mkldnn: numtorch does not use oneDNN (MKL-DNN); its flags are kept.

>>> numtorch.backends.mkldnn.is_available()
False
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from . import FlagModule, bool_flag

__all__ = ["is_available", "flags", "set_flags"]

_flags = {"enabled": True, "deterministic": False, "allow_tf32": False}


def is_available() -> bool:
    """False: numtorch computes with NumPy, not oneDNN.

    >>> numtorch.backends.mkldnn.is_available()
    False
    """
    return False


def set_flags(
    _enabled: bool | None = None,
    _deterministic: bool | None = None,
    _allow_tf32: bool | None = None,
) -> tuple:
    """Sets the given flags; returns the previous ones for restoring.

    >>> old = numtorch.backends.mkldnn.set_flags(_enabled=False)
    >>> _ = numtorch.backends.mkldnn.set_flags(*old)
    """
    module = sys.modules[__name__]
    previous = (module.enabled, module.deterministic, module.allow_tf32)
    for name, value in (
        ("enabled", _enabled),
        ("deterministic", _deterministic),
        ("allow_tf32", _allow_tf32),
    ):
        if value is not None:
            setattr(module, name, value)
    return previous


@contextmanager
def flags(
    enabled: bool = False, deterministic: bool = False, allow_tf32: bool = True
) -> Iterator[None]:
    """Sets the flags for the ``with`` block, then restores them.

    >>> with numtorch.backends.mkldnn.flags(enabled=False):
    ...     numtorch.backends.mkldnn.enabled
    False
    """
    previous = set_flags(enabled, deterministic, allow_tf32)
    try:
        yield
    finally:
        set_flags(*previous)


class MkldnnModule(FlagModule):
    enabled = bool_flag("enabled", "set_enabled_mkldnn")
    deterministic = bool_flag("deterministic", "set_deterministic_mkldnn")
    allow_tf32 = bool_flag("allow_tf32", "set_allow_tf32_onednn")


sys.modules[__name__].__class__ = MkldnnModule
