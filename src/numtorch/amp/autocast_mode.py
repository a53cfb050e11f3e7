"""``torch.autocast``: mixed-precision regions, and the per-device autocast state.

numtorch keeps the whole autocast state (enabled, dtype, cache flag, nesting) per device type
exactly as torch does, warns and disables where torch does, but computes in the inputs' own
dtype: NumPy has no bfloat16 (CPU autocast's default), so no op is re-cast inside a region.
Results are therefore float32 where torch's CPU autocast would give bfloat16.

>>> with numtorch.autocast("cpu"):
...     numtorch.is_autocast_enabled("cpu")
True
"""

from __future__ import annotations

import functools
import threading
import warnings
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from .. import _dtype
from .._dtype import dtype as _dtype_cls

__all__ = [
    "autocast",
    "is_autocast_available",
    "is_autocast_enabled",
    "set_autocast_enabled",
    "get_autocast_dtype",
    "set_autocast_dtype",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
    "autocast_increment_nesting",
    "autocast_decrement_nesting",
    "is_autocast_cpu_enabled",
    "get_autocast_cpu_dtype",
    "get_autocast_gpu_dtype",
    "custom_fwd",
    "custom_bwd",
]

F = TypeVar("F", bound=Callable[..., Any])

# every device type torch.device parses; autocast exists for the first group only
_AUTOCAST_DEVICES = ("cpu", "cuda", "mps", "xpu", "hpu", "xla", "ipu", "mtia", "maia")
_OTHER_DEVICES = "mkldnn opengl opencl ideep hip ve fpga lazy vulkan meta privateuseone".split()
_DEVICE_LIST = (
    "cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, "
    "mps, meta, hpu, mtia, privateuseone"
)
_BF16_DEFAULT = ("cpu", "xpu", "maia", "xla")


class _AutocastState(threading.local):
    """Thread-local, as torch's: a region entered in one thread does not cast in another."""

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtypes: dict[str, _dtype_cls] = {}
        self.cache_enabled = True
        self.nesting = 0


_STATE = _AutocastState()


def _check_device_type(device_type: str) -> str:
    """The device type without an index; torch's RuntimeError for unknown strings."""
    name = device_type.partition(":")[0]
    if name not in _AUTOCAST_DEVICES and name not in _OTHER_DEVICES:
        raise RuntimeError(
            f"Expected one of {_DEVICE_LIST} device type at start of device string: {device_type}"
        )
    return name


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used on ``device_type`` (torch's list, whatever is installed).

    >>> numtorch.amp.is_autocast_available("cpu"), numtorch.amp.is_autocast_available("meta")
    (True, False)
    """
    return _check_device_type(device_type) in _AUTOCAST_DEVICES


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` (CUDA's state when none is given, as torch).

    >>> numtorch.is_autocast_enabled("cpu")
    False
    """
    name = "cuda" if device_type is None else _check_device_type(device_type)
    return _STATE.enabled.get(name, False)


def set_autocast_enabled(device_type: str, enabled: bool) -> None:
    """Turns autocast on or off for ``device_type`` outside any ``with`` block.

    >>> numtorch.set_autocast_enabled("cpu", False)
    """
    _STATE.enabled[_check_device_type(device_type)] = bool(enabled)


def get_autocast_dtype(device_type: str) -> _dtype_cls:
    """The dtype autocast casts to on ``device_type``: bfloat16 for the CPU, float16 for CUDA.

    >>> numtorch.get_autocast_dtype("cpu")
    numtorch.bfloat16
    """
    name = _check_device_type(device_type)
    default = _dtype.bfloat16 if name in _BF16_DEFAULT else _dtype.float16
    return _STATE.dtypes.get(name, default)


def set_autocast_dtype(device_type: str, dtype: _dtype_cls) -> None:
    """Sets the dtype autocast would cast to on ``device_type``.

    >>> numtorch.set_autocast_dtype("cpu", numtorch.bfloat16)
    """
    _STATE.dtypes[_check_device_type(device_type)] = dtype


def is_autocast_cache_enabled() -> bool:
    """Whether autocast caches the casts of weights (a flag only in numtorch).

    >>> numtorch.is_autocast_cache_enabled()
    True
    """
    return _STATE.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Sets the autocast weight-cache flag.

    >>> numtorch.set_autocast_cache_enabled(True)
    """
    _STATE.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Empties the autocast weight cache; numtorch keeps none.

    >>> numtorch.clear_autocast_cache()
    """


def autocast_increment_nesting() -> int:
    """Counts one more open autocast region; returns the new depth.

    >>> numtorch.autocast_increment_nesting(), numtorch.autocast_decrement_nesting()
    (1, 0)
    """
    _STATE.nesting += 1
    return _STATE.nesting


def autocast_decrement_nesting() -> int:
    """Counts one autocast region closed; returns the new depth."""
    _STATE.nesting -= 1
    return _STATE.nesting


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"{old} is deprecated. Please use {new} instead.", DeprecationWarning, 3)


def is_autocast_cpu_enabled() -> bool:
    """Deprecated spelling of ``is_autocast_enabled("cpu")`` (warns, as torch)."""
    _deprecated("torch.is_autocast_cpu_enabled()", "torch.is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype() -> _dtype_cls:
    """Deprecated spelling of ``get_autocast_dtype("cpu")`` (warns, as torch)."""
    _deprecated("torch.get_autocast_cpu_dtype()", "torch.get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype() -> _dtype_cls:
    """Deprecated spelling of ``get_autocast_dtype("cuda")`` (warns, as torch)."""
    _deprecated("torch.get_autocast_gpu_dtype()", "torch.get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


class autocast:
    """A mixed-precision region, as ``with`` block or decorator: torch's signature and state.

    On "cuda" (not available here) it warns and stays disabled, as torch on a machine without
    a GPU. On "cpu" only bfloat16 and float16 are accepted; any other dtype warns and disables.
    numtorch records the state but does not re-cast ops (see the module docstring).

    >>> with numtorch.autocast("cpu", enabled=False):
    ...     numtorch.is_autocast_enabled("cpu")
    False
    >>> @numtorch.autocast("cpu")
    ... def forward():
    ...     return numtorch.get_autocast_dtype("cpu")
    >>> forward()
    numtorch.bfloat16
    """

    def __init__(
        self,
        device_type: str,
        dtype: _dtype_cls | None = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{self.device}'"
            )
        self._cache_enabled = (
            is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        )
        if enabled:
            if self.device == "cuda":
                warnings.warn(
                    "CUDA is not available or torch_xla is imported. Disabling autocast.",
                    stacklevel=2,
                )
                enabled = False
            elif self.fast_dtype not in (_dtype.bfloat16, _dtype.float16):
                name = self.device.upper()
                warnings.warn(
                    f"In {name} autocast, but the target dtype is not supported. Disabling "
                    f"autocast.\n{name} Autocast only supports dtypes of {_dtype.bfloat16}, "
                    f"{_dtype.float16} currently.",
                    stacklevel=2,
                )
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> Literal[False]:
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: F) -> F:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)"
            )

        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorate_autocast  # type: ignore[return-value]


def custom_fwd(
    fwd: Callable | None = None,
    *,
    device_type: str,
    cast_inputs: _dtype_cls | None = None,
) -> Callable:
    """Decorator for a custom ``Function.forward``: runs it with autocast's state as torch does.

    With ``cast_inputs`` it runs the forward with autocast off (numtorch does not re-cast the
    inputs, see the module docstring); otherwise it remembers whether autocast was on for
    :func:`custom_bwd`.

    >>> f = numtorch.amp.custom_fwd(lambda ctx, x: x, device_type="cpu")
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        with autocast(device_type=device_type, enabled=False):
            return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd: Callable | None = None, *, device_type: str) -> Callable:
    """Decorator for a custom ``Function.backward``: runs it with the forward's autocast state.

    >>> b = numtorch.amp.custom_bwd(lambda ctx, g: g, device_type="cpu")
    """
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
