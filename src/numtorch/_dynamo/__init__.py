"""``torch._dynamo``: the switches training scripts set around ``torch.compile``.

numtorch's ``compile`` runs eagerly, so there is nothing to configure or reset; the settings
are kept so that scripts which set them (``torch._dynamo.config.suppress_errors = True``) run.

>>> numtorch._dynamo.config.suppress_errors = True
>>> numtorch._dynamo.disable(lambda x: x + 1)(1)
2
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import config

__all__ = ["config", "disable", "explain", "mark_dynamic", "mark_static", "optimize", "reset"]


def reset() -> None:
    """Clears compiled code (there is none: numtorch's compile is eager)."""


def disable(fn: Callable | None = None, recursive: bool = True, *, reason: str | None = None):
    """``fn`` as it is (usable as ``@disable`` and ``@disable()``): nothing is compiled."""
    if fn is None:
        return lambda f: f
    return fn


def optimize(backend: Any = "inductor", *, nopython: bool = False, **kwargs: Any):
    """A decorator that returns the function as it is (eager, as numtorch's compile)."""
    return lambda f: f


def mark_dynamic(t: Any, index: Any, **kwargs: Any) -> None:
    """Accepted and ignored: eager code has no static shapes to relax."""


def mark_static(t: Any, index: Any = None) -> None:
    """Accepted and ignored."""


def explain(fn: Callable, *args: Any, **kwargs: Any):
    """Not available: numtorch compiles nothing, so there are no graphs or breaks to explain."""
    raise NotImplementedError(
        "torch._dynamo.explain: numtorch's torch.compile runs eagerly, so there are no graphs "
        "or graph breaks to explain"
    )
