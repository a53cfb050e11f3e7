"""numtorch.amp: automatic mixed precision, ``autocast`` and ``GradScaler``.

See :mod:`numtorch.amp.autocast_mode` for what autocast does (and does not re-cast) in numtorch.

>>> numtorch.amp.autocast is numtorch.autocast
True
"""

from __future__ import annotations

from . import autocast_mode, grad_scaler
from .autocast_mode import autocast, custom_bwd, custom_fwd, is_autocast_available
from .grad_scaler import GradScaler

__all__ = [
    "autocast",
    "autocast_mode",
    "custom_bwd",
    "custom_fwd",
    "grad_scaler",
    "is_autocast_available",
    "GradScaler",
]
