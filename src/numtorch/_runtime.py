"""Top-level runtime switches of the torch namespace: compile, determinism, matmul precision,
autocast, default device and tensor type, anomaly mode.

numtorch runs eagerly on NumPy, so ``compile`` hands back the model (wrapped as torch wraps
it), and switches with nothing to switch in NumPy (deterministic algorithms, TF32) are kept
as state that reads back as set: NumPy's kernels are deterministic and never use TF32.
"""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable
from typing import Any

from . import _dtype
from ._backend import array_module
from ._backend import device as _device
from ._tensor import Tensor
from .amp.autocast_mode import (
    autocast,
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .autograd.anomaly_mode import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import STATE as _GRAD_STATE
from .backends import _MATMUL_PRECISION, MATMUL_PRECISIONS
from .nn.modules.module import Module

__all__ = [
    "compile",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_deterministic_debug_mode",
    "get_deterministic_debug_mode",
    "set_warn_always",
    "is_warn_always_enabled",
    "set_flush_denormal",
    "autocast",
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
    "is_inference",
    "typename",
    "get_default_device",
    "set_default_device",
    "set_default_tensor_type",
    "is_anomaly_enabled",
    "set_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]

_SWITCHES: dict[str, Any] = {"deterministic": 0, "warn_always": False, "default_device": None}
_DEBUG_MODES = ("default", "warn", "error")


class OptimizedModule(Module):
    """What ``torch.compile(module)`` returns: the module under ``_orig_mod``, called as is.

    Reads and writes of attributes the wrapper does not define go to the original module,
    ``training`` included, and state_dict keys carry the ``_orig_mod.`` prefix, as torch's.
    """

    _own_attributes = frozenset({"_orig_mod", "forward"})

    def __init__(self, mod: Module) -> None:
        super().__init__()
        self._orig_mod = mod

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._modules["_orig_mod"](*args, **kwargs)

    def _wraps(self) -> builtins.bool:
        modules = self.__dict__.get("_modules")
        return modules is not None and "_orig_mod" in modules

    @property  # type: ignore[override]
    def training(self) -> builtins.bool:
        if not self._wraps():
            return self.__dict__.get("_training", True)
        return self._modules["_orig_mod"].training

    @training.setter
    def training(self, mode: builtins.bool) -> None:
        if self._wraps():
            self._modules["_orig_mod"].training = mode
        else:  # Module.__init__ sets it before the original module is in place
            self.__dict__["_training"] = mode

    def __getattr__(self, name: str) -> Any:
        if name == "_orig_mod":
            return self._modules["_orig_mod"]
        return getattr(self._modules["_orig_mod"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        if not self._wraps() or name in self._own_attributes or hasattr(type(self), name):
            super().__setattr__(name, value)
        else:
            setattr(self._modules["_orig_mod"], name, value)

    def __len__(self) -> builtins.int:
        original = self._modules["_orig_mod"]
        if not hasattr(type(original), "__len__"):
            raise TypeError(f"{type(original).__name__} does not support len()")
        return len(original)

    def __delattr__(self, name: str) -> None:
        if name in self._own_attributes or hasattr(type(self), name):
            super().__delattr__(name)
        else:
            delattr(self._modules["_orig_mod"], name)


def compile(
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable | None = None,
    mode: str | None = None,
    options: dict | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Any:
    """``torch.compile``: numtorch runs eagerly, so the model runs as it is.

    A module comes back wrapped as torch's ``OptimizedModule`` (printing and ``state_dict``
    keys as torch's); a function comes back unchanged. Works as ``@numtorch.compile`` and
    ``@numtorch.compile(mode=...)``.

    >>> f = numtorch.compile(lambda x: x + 1)
    >>> f(numtorch.tensor(1))
    tensor(2)
    >>> numtorch.compile(numtorch.nn.Linear(1, 1))
    OptimizedModule(
      (_orig_mod): Linear(in_features=1, out_features=1, bias=True)
    )
    """
    if model is None:

        def decorate(fn: Callable) -> Any:
            return compile(
                fn,
                fullgraph=fullgraph,
                dynamic=dynamic,
                backend=backend,
                mode=mode,
                options=options,
                name=name,
                disable=disable,
                recompile_limit=recompile_limit,
                isolate_recompiles=isolate_recompiles,
                shapes_spec=shapes_spec,
            )

        return decorate
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable or not isinstance(model, Module):
        return model
    return OptimizedModule(model)


def set_float32_matmul_precision(precision: str) -> None:
    """Sets float32 matmul's internal precision: "highest", "high" or "medium".

    NumPy always multiplies in full float32, so numtorch only records the choice (and
    ``torch.backends.cuda.matmul.allow_tf32`` reads it). Unknown values warn and change
    nothing, as in torch.

    >>> numtorch.set_float32_matmul_precision("high")
    >>> numtorch.get_float32_matmul_precision()
    'high'
    >>> numtorch.set_float32_matmul_precision("highest")
    """
    if not isinstance(precision, str):
        raise RuntimeError(
            f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}"
        )
    if precision not in MATMUL_PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _MATMUL_PRECISION["value"] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision set last ("highest" unless changed).

    >>> numtorch.get_float32_matmul_precision()
    'highest'
    """
    return _MATMUL_PRECISION["value"]


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Asks for deterministic algorithms; NumPy's kernels already are, so this is recorded.

    >>> numtorch.use_deterministic_algorithms(True)
    >>> numtorch.are_deterministic_algorithms_enabled()
    True
    >>> numtorch.use_deterministic_algorithms(False)
    """
    if not isinstance(mode, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
            f"{type(mode).__name__}"
        )
    if not isinstance(warn_only, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'warn_only' must be bool, not "
            f"{type(warn_only).__name__}"
        )
    _SWITCHES["deterministic"] = (1 if warn_only else 2) if mode else 0


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` is on.

    >>> numtorch.are_deterministic_algorithms_enabled()
    False
    """
    return _SWITCHES["deterministic"] != 0


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether deterministic mode only warns (``warn_only=True``).

    >>> numtorch.is_deterministic_algorithms_warn_only_enabled()
    False
    """
    return _SWITCHES["deterministic"] == 1


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """Deterministic mode by name or number: "default" (0), "warn" (1), "error" (2).

    >>> numtorch.set_deterministic_debug_mode("warn")
    >>> numtorch.get_deterministic_debug_mode()
    1
    >>> numtorch.set_deterministic_debug_mode(0)
    """
    if not isinstance(debug_mode, (builtins.int, str)) or isinstance(debug_mode, builtins.bool):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, "
                f"but got {debug_mode}"
            )
        debug_mode = _DEBUG_MODES.index(debug_mode)
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )
    _SWITCHES["deterministic"] = debug_mode


def get_deterministic_debug_mode() -> int:
    """0 (off), 1 (warn only) or 2 (deterministic algorithms on).

    >>> numtorch.get_deterministic_debug_mode()
    0
    """
    return _SWITCHES["deterministic"]


def set_warn_always(b: bool) -> None:
    """Whether warnings torch gives once per process are given every time (recorded).

    >>> numtorch.set_warn_always(False)
    """
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _SWITCHES["warn_always"] = b


def is_warn_always_enabled() -> bool:
    """Whether :func:`set_warn_always` is on.

    >>> numtorch.is_warn_always_enabled()
    False
    """
    return _SWITCHES["warn_always"]


def set_flush_denormal(mode: bool) -> bool:
    """Whether denormal floats could be flushed to zero: False, as torch answers on a CPU
    without the feature, since NumPy offers no way to set the CPU's flush-to-zero flags.

    >>> numtorch.set_flush_denormal(True)
    False
    """
    return False


def is_inference(input: Tensor) -> bool:
    """Whether ``input`` was made under ``inference_mode`` (``Tensor.is_inference``).

    >>> numtorch.is_inference(numtorch.zeros(1))
    False
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            "is_inference(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    method = getattr(type(input), "is_inference", None)
    return bool(method(input)) if method is not None else False


def typename(obj: Any) -> str:
    """The type of ``obj`` as a string: ``x.type()`` for tensors, else module.qualname.

    >>> numtorch.typename(numtorch.zeros(1, dtype=numtorch.int64))
    'numtorch.LongTensor'
    >>> numtorch.typename(3)
    'int'
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in ("", "builtins"):
        return qualname
    return f"{module}.{qualname}"


def get_default_device() -> _device:
    """The device factories make tensors on: the CPU.

    >>> numtorch.get_default_device()
    device(type='cpu')
    """
    current = _SWITCHES["default_device"]
    return _device("cpu") if current is None else current


def set_default_device(device: str | _device | None) -> None:
    """Sets the default device; numtorch has only the CPU, and refuses any other device
    right away (torch would fail at the first tensor made there).

    >>> numtorch.set_default_device("cpu")
    >>> numtorch.set_default_device(None)
    """
    if device is None:
        _SWITCHES["default_device"] = None
        return
    chosen = _device(device)
    array_module(chosen)  # raises for every device numtorch has no arrays for
    _SWITCHES["default_device"] = chosen


_LEGACY_DTYPES = {
    "FloatTensor": "float32",
    "DoubleTensor": "float64",
    "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16",
    "LongTensor": "int64",
    "IntTensor": "int32",
    "ShortTensor": "int16",
    "CharTensor": "int8",
    "ByteTensor": "uint8",
    "BoolTensor": "bool",
}


def set_default_tensor_type(t: type | str) -> None:
    """Deprecated (warns, as torch): sets the default dtype from a tensor type such as
    ``numtorch.DoubleTensor`` or the string ``"torch.DoubleTensor"``.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.set_default_tensor_type("torch.FloatTensor")
    >>> numtorch.get_default_dtype()
    numtorch.float32
    """
    if isinstance(t, str):
        module, _, type_name = t.rpartition(".")
        if module not in ("torch", "numtorch") or type_name not in _LEGACY_DTYPES:
            raise ModuleNotFoundError(f"No module named '{module or t}'")
        dtype = getattr(_dtype, _LEGACY_DTYPES[type_name])
    elif isinstance(t, type) and issubclass(t, Tensor) and hasattr(t, "_legacy_dtype"):
        dtype = t._legacy_dtype
    else:
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    warnings.warn(
        "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
        UserWarning,
        stacklevel=2,
    )
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.set_default_dtype(dtype)


def set_anomaly_enabled(enabled: bool, check_nan: bool = True) -> None:
    """Turns anomaly detection on or off for good (``detect_anomaly`` is its ``with`` form).

    >>> numtorch.set_anomaly_enabled(True)
    >>> numtorch.is_anomaly_enabled()
    True
    >>> numtorch.set_anomaly_enabled(False)
    """
    _GRAD_STATE.anomaly = bool(enabled)
    _GRAD_STATE.anomaly_check_nan = bool(check_nan)
