"""``torch.cuda.amp``: the deprecated CUDA spellings of ``torch.amp``.

Each warns with torch's FutureWarning, then behaves as torch does without a GPU: autocast and
GradScaler warn that CUDA is not available and disable themselves.

>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     numtorch.cuda.amp.GradScaler().is_enabled()
False
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtype
from ..amp import autocast_mode as _autocast_mode
from ..amp import grad_scaler as _grad_scaler

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"`{old}(args...)` is deprecated. Please use `{new}('cuda', args...)` instead.",
        FutureWarning,
        stacklevel=3,
    )


class autocast(_autocast_mode.autocast):
    """``torch.amp.autocast("cuda", ...)``, deprecated: warns, and disables itself here.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     with numtorch.cuda.amp.autocast():
    ...         numtorch.is_autocast_enabled("cuda")
    False
    """

    def __init__(
        self,
        enabled: bool = True,
        dtype: _dtype.dtype = _dtype.float16,
        cache_enabled: bool = True,
    ) -> None:
        _deprecated("torch.cuda.amp.autocast", "torch.amp.autocast")
        super().__init__("cuda", enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


class GradScaler(_grad_scaler.GradScaler):
    """``torch.amp.GradScaler("cuda", ...)``, deprecated: warns, and disables itself here.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.cuda.amp.GradScaler(enabled=False).get_scale()
    1.0
    """

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        _deprecated("torch.cuda.amp.GradScaler", "torch.amp.GradScaler")
        super().__init__(
            "cuda",
            init_scale=init_scale,
            growth_factor=growth_factor,
            backoff_factor=backoff_factor,
            growth_interval=growth_interval,
            enabled=enabled,
        )


def custom_fwd(fwd: Callable | None = None, *, cast_inputs: _dtype.dtype | None = None) -> Callable:
    """``torch.amp.custom_fwd(device_type="cuda")``, deprecated (warns).

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     f = numtorch.cuda.amp.custom_fwd(lambda ctx, x: x)
    """
    warnings.warn(
        "`torch.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
        "`torch.amp.custom_fwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return _autocast_mode.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd: Callable | None = None) -> Any:
    """``torch.amp.custom_bwd(device_type="cuda")``, deprecated (warns).

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     b = numtorch.cuda.amp.custom_bwd(lambda ctx, g: g)
    """
    warnings.warn(
        "`torch.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
        "`torch.amp.custom_bwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return _autocast_mode.custom_bwd(bwd, device_type="cuda")
