"""torch.backends.openmp: numtorch does not parallelise with OpenMP itself.

>>> numtorch.backends.openmp.is_available()
False
"""

from __future__ import annotations

__all__ = ["is_available"]


def is_available() -> bool:
    """False: numtorch is pure Python; threads are NumPy's BLAS's own.

    >>> numtorch.backends.openmp.is_available()
    False
    """
    return False
