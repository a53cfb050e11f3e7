"""torch.backends.mkl: numtorch does not call Intel MKL itself.

>>> numtorch.backends.mkl.is_available()
False
"""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: numtorch calls NumPy, whatever BLAS that NumPy was built with.

    >>> numtorch.backends.mkl.is_available()
    False
    """
    return False
