"""numtorch.distributed: numtorch runs in one process, so distributed training is not available.

``is_available()`` and ``is_initialized()`` are False, which is what scripts check before
using it; ``get_rank``/``get_world_size`` fail as torch's do without a process group, and
``init_process_group`` says numtorch has no distributed backend.

>>> numtorch.distributed.is_available(), numtorch.distributed.is_initialized()
(False, False)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_available",
    "is_initialized",
    "init_process_group",
    "get_rank",
    "get_world_size",
    "barrier",
    "destroy_process_group",
]

_NO_GROUP = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


def is_available() -> bool:
    """False: numtorch has no distributed package.

    >>> numtorch.distributed.is_available()
    False
    """
    return False


def is_initialized() -> bool:
    """False: no process group can be initialized.

    >>> numtorch.distributed.is_initialized()
    False
    """
    return False


def init_process_group(*args: Any, **kwargs: Any) -> None:
    """Raises RuntimeError: numtorch has no distributed backend (gloo, nccl, mpi)."""
    raise RuntimeError(
        "numtorch has no distributed backend (torch.distributed.is_available() is False): "
        "train in one process"
    )


def get_rank(group: Any = None) -> int:
    """Raises ValueError, as torch without an initialized process group."""
    raise ValueError(_NO_GROUP)


def get_world_size(group: Any = None) -> int:
    """Raises ValueError, as torch without an initialized process group."""
    raise ValueError(_NO_GROUP)


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None) -> None:
    """Raises ValueError, as torch without an initialized process group."""
    raise ValueError(_NO_GROUP)


def destroy_process_group(group: Any = None) -> None:
    """Raises ValueError, as torch without an initialized process group."""
    raise ValueError(_NO_GROUP)


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(
        f"module 'numtorch.distributed' has no attribute '{name}': numtorch runs in one "
        "process and has no distributed package (check torch.distributed.is_available())"
    )
