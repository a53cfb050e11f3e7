"""numtorch.cuda: no CUDA backend yet, so nothing is available (code that checks still runs)."""

from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "current_device"]


def is_available() -> bool:
    """False: numtorch runs on NumPy (CPU) until a CuPy backend exists.

    >>> numtorch.cuda.is_available()
    False
    """
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Silently ignored without CUDA, as in PyTorch."""


def manual_seed_all(seed: int) -> None:
    """Silently ignored without CUDA, as in PyTorch."""


def current_device() -> int:
    raise RuntimeError("Torch not compiled with CUDA enabled")


def synchronize(device=None) -> None:
    raise RuntimeError("Torch not compiled with CUDA enabled")
