"""torch.backends.mps: Apple's Metal backend, which numtorch does not have.

>>> numtorch.backends.mps.is_available(), numtorch.backends.mps.is_built()
(False, False)
"""

from __future__ import annotations

__all__ = ["is_available", "is_built", "is_macos13_or_newer", "is_macos_or_newer"]


def is_available() -> bool:
    """False: there is no MPS device for numtorch.

    >>> numtorch.backends.mps.is_available()
    False
    """
    return False


def is_built() -> bool:
    """False: numtorch is not built with MPS.

    >>> numtorch.backends.mps.is_built()
    False
    """
    return False


def is_macos_or_newer(major: int, minor: int) -> bool:
    """False without MPS, as torch answers on other systems.

    >>> numtorch.backends.mps.is_macos_or_newer(14, 0)
    False
    """
    return False


def is_macos13_or_newer(minor: int = 0) -> bool:
    """False without MPS.

    >>> numtorch.backends.mps.is_macos13_or_newer()
    False
    """
    return False
