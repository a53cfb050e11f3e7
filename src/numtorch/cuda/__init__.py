"""numtorch.cuda: no CUDA backend yet, so nothing is available (code that checks still runs)."""

from __future__ import annotations

__all__ = [
    "is_available",
    "is_initialized",
    "device_count",
    "manual_seed",
    "manual_seed_all",
    "seed",
    "seed_all",
    "current_device",
    "synchronize",
    "empty_cache",
    "memory_allocated",
    "max_memory_allocated",
    "memory_reserved",
    "max_memory_reserved",
    "is_bf16_supported",
    "get_rng_state_all",
    "set_rng_state",
    "set_rng_state_all",
    "device",
]

_NO_CUDA = "Torch not compiled with CUDA enabled"


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


def is_initialized() -> bool:
    return False


def seed() -> None:
    """Silently ignored without CUDA, as in PyTorch."""


def seed_all() -> None:
    """Silently ignored without CUDA, as in PyTorch."""


def empty_cache() -> None:
    """Nothing is cached without CUDA: a no-op, as in PyTorch.

    >>> numtorch.cuda.empty_cache()
    """


def memory_allocated(device=None) -> int:
    """0: no CUDA memory is in use (as PyTorch answers without a GPU)."""
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def get_rng_state_all() -> list:
    return []


def set_rng_state(new_state, device="cuda") -> None:
    """Ignored without CUDA, as in PyTorch."""


def set_rng_state_all(new_states) -> None:
    """Ignored without CUDA, as in PyTorch."""


def _unavailable(*args, **kwargs):
    raise AssertionError(_NO_CUDA)


# what PyTorch's CPU build refuses with an AssertionError
get_device_name = get_device_capability = get_device_properties = _unavailable
get_rng_state = initial_seed = mem_get_info = ipc_collect = current_stream = _unavailable
set_device = reset_peak_memory_stats = reset_max_memory_allocated = _unavailable


class device:
    """``with numtorch.cuda.device(0):``: accepted, and nothing changes (no CUDA devices)."""

    def __init__(self, device) -> None:
        self.idx = device

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


from . import amp  # noqa: E402, F401
