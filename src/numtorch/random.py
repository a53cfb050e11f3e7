"""PyTorch's ``torch.random`` module: seeding and saving the default CPU generator.

The generator is PyTorch's own algorithm (see ``numtorch._random``), so states are byte-compatible
with ``torch.get_rng_state()`` and the same seed gives the same numbers.

>>> import numtorch
>>> with numtorch.random.fork_rng():
...     _ = numtorch.rand(3)   # draws inside do not disturb the stream outside
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator as _PyGenerator

from .ops.creation import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


@contextlib.contextmanager
def fork_rng(
    devices=None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str = "cuda",
) -> _PyGenerator[None, None, None]:
    """Forks the RNG: on exit the default generator's state is what it was on entry.

    ``devices`` names accelerator devices whose generators would be forked too; numtorch has
    none with random state of their own, so only the CPU generator is saved and restored.
    With ``enabled=False`` this is a no-op.

    >>> _ = numtorch.manual_seed(0)
    >>> with numtorch.random.fork_rng():
    ...     _ = numtorch.randn(5)
    >>> numtorch.rand(2)
    tensor([0.4963, 0.7682])
    """
    if not enabled:
        yield
        return
    cpu_state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(cpu_state)
