"""torch.backends.opt_einsum: contraction-order optimisation for einsum (not used by numtorch).

>>> numtorch.backends.opt_einsum.is_available()
False
"""

from __future__ import annotations

__all__ = ["is_available", "get_opt_einsum", "enabled", "strategy"]

# torch reports these values when the opt_einsum package is not used
enabled = False
strategy: str | None = None


def is_available() -> bool:
    """False: numtorch does not hand einsum to the opt_einsum package.

    >>> numtorch.backends.opt_einsum.is_available()
    False
    """
    return False


def get_opt_einsum() -> None:
    """None: the opt_einsum package is not used.

    >>> numtorch.backends.opt_einsum.get_opt_einsum() is None
    True
    """
    return None
