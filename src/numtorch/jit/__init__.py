"""numtorch.jit: TorchScript's Python API, running everything eagerly.

numtorch has no TorchScript compiler: ``script`` and ``trace`` return the function or module
they are given (with torch 2.13's DeprecationWarning), the decorators return what they
decorate, and ``is_scripting()`` is False, so code written for TorchScript runs as plain
Python. ``save`` and ``load`` cannot write or read TorchScript archives and say so.

>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     double = numtorch.jit.script(lambda x: x * 2)
>>> double(numtorch.tensor(3))
tensor(6)
"""

from __future__ import annotations

import contextlib
import os
import typing
import warnings
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple, TypeVar

from ..nn.modules.module import Module

__all__ = [
    "Attribute",
    "Error",
    "Final",
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "annotate",
    "export",
    "fork",
    "freeze",
    "fuser",
    "ignore",
    "interface",
    "is_scripting",
    "is_tracing",
    "load",
    "optimize_for_inference",
    "optimized_execution",
    "save",
    "script",
    "script_if_tracing",
    "script_method",
    "trace",
    "trace_module",
    "unused",
    "wait",
]

T = TypeVar("T")
Final = typing.Final


class Error(RuntimeError):
    """``torch.jit.Error``: what TorchScript raises for a failed ``raise`` or assertion."""


class Attribute(NamedTuple):
    """``torch.jit.Attribute(value, type)``: a typed attribute; here just the value.

    >>> numtorch.jit.Attribute(3, int).value
    3
    """

    value: Any
    type: Any


class ScriptModule(Module):
    """Base class of TorchScript modules: here an ordinary ``nn.Module``."""


class ScriptFunction:
    """Type of a scripted function in torch; numtorch's ``script`` returns the function itself,
    so no object is ever of this type."""


def _deprecated(api: str) -> None:
    warnings.warn(
        f"`torch.jit.{api}` is deprecated. Please switch to `torch.compile` or `torch.export`.",
        DeprecationWarning,
        stacklevel=1,  # torch attributes it to its own module, hidden from users by default
    )


def script(
    obj: T,
    optimize: None = None,
    _frames_up: int = 0,
    _rcb: Callable | None = None,
    example_inputs: Any = None,
) -> T:
    """Returns ``obj`` (function, module or class) unchanged: numtorch runs it eagerly.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     model = numtorch.jit.script(numtorch.nn.Identity())
    >>> model
    Identity()
    """
    _deprecated("script")
    return obj


def script_method(fn: T) -> T:
    """Marks a ``ScriptModule`` method for compilation; here it returns ``fn``."""
    _deprecated("script_method")
    return fn


def trace(
    func: T,
    example_inputs: Any = None,
    optimize: None = None,
    check_trace: bool = True,
    check_inputs: Any = None,
    check_tolerance: float = 1e-5,
    strict: bool = True,
    _force_outplace: bool = False,
    _module_class: Any = None,
    _compilation_unit: Any = None,
    example_kwarg_inputs: dict | None = None,
    _store_inputs: bool = True,
) -> T:
    """Returns ``func`` (a function or module) unchanged instead of a traced graph.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", DeprecationWarning)
    ...     f = numtorch.jit.trace(lambda x: x + 1, numtorch.zeros(1))
    >>> f(numtorch.zeros(1))
    tensor([1.])
    """
    _deprecated("trace")
    return func


def trace_module(mod: T, inputs: Any, *args: Any, **kwargs: Any) -> T:
    """Returns ``mod`` unchanged instead of tracing its methods."""
    _deprecated("trace_module")
    return mod


def ignore(drop: Any = False, **kwargs: Any) -> Any:
    """Leaves a function to Python in TorchScript; here every function is, so it returns it.

    >>> f = numtorch.jit.ignore(len)
    >>> f is len
    True
    """
    if callable(drop):
        return drop
    if drop:
        warnings.warn(
            "ignore(True) has been deprecated. TorchScript will now drop the function call on "
            "compilation. Use torch.jit.unused now. {}",
            category=FutureWarning,
            stacklevel=1,
        )

    def decorator(fn: T) -> T:
        return fn

    return decorator


def unused(fn: T) -> T:
    """Marks a function TorchScript should not compile; returns it.

    >>> numtorch.jit.unused(len) is len
    True
    """
    return fn


def export(fn: T) -> T:
    """Marks a method for TorchScript export; returns it.

    >>> numtorch.jit.export(len) is len
    True
    """
    return fn


def interface(obj: T) -> T:
    """Declares a TorchScript interface class; returns it."""
    return obj


def script_if_tracing(fn: T) -> T:
    """Scripts ``fn`` when tracing; numtorch never traces, so returns it."""
    return fn


def is_scripting() -> bool:
    """False: numtorch code always runs as Python.

    >>> numtorch.jit.is_scripting()
    False
    """
    return False


def is_tracing() -> bool:
    """False: numtorch never traces.

    >>> numtorch.jit.is_tracing()
    False
    """
    return False


def annotate(the_type: Any, the_value: T) -> T:
    """Gives TorchScript the type of a value; returns the value.

    >>> numtorch.jit.annotate(list, [])
    []
    """
    return the_value


class Future:
    """The result of :func:`fork`: the call already ran, ``wait()`` returns its value."""

    def __init__(self, value: Any) -> None:
        self._value = value

    def wait(self) -> Any:
        return self._value

    def value(self) -> Any:
        return self._value

    def done(self) -> bool:
        return True


def fork(func: Callable, *args: Any, **kwargs: Any) -> Future:
    """Runs ``func`` now (torch may run it asynchronously) and returns its :class:`Future`.

    >>> numtorch.jit.wait(numtorch.jit.fork(abs, -2))
    2
    """
    return Future(func(*args, **kwargs))


def wait(future: Future) -> Any:
    """The value of a :func:`fork`."""
    return future.wait()


def freeze(mod: T, preserved_attrs: list | None = None, optimize_numerics: bool = True) -> T:
    """Returns ``mod``: there is no TorchScript graph to freeze."""
    return mod


def optimize_for_inference(mod: T, other_methods: list | None = None) -> T:
    """Returns ``mod``: there is no TorchScript graph to optimize."""
    return mod


@contextlib.contextmanager
def optimized_execution(should_optimize: bool) -> Iterator[None]:
    """A no-op ``with`` block (TorchScript's optimizer switch).

    >>> with numtorch.jit.optimized_execution(False):
    ...     pass
    """
    yield


@contextlib.contextmanager
def fuser(name: str) -> Iterator[None]:
    """A no-op ``with`` block (TorchScript's fuser choice).

    >>> with numtorch.jit.fuser("fuser0"):
    ...     pass
    """
    yield


_NO_TORCHSCRIPT = (
    "numtorch has no TorchScript, so it cannot {verb} TorchScript archives; save and load the "
    "weights instead: torch.save(model.state_dict(), f) and "
    "model.load_state_dict(torch.load(f))."
)


def save(m: Any, f: Any, _extra_files: dict | None = None) -> None:
    """Cannot write a TorchScript archive: raises NotImplementedError pointing at
    ``torch.save(model.state_dict(), f)``.

    >>> numtorch.jit.save(numtorch.nn.Identity(), "model.pt")
    Traceback (most recent call last):
    NotImplementedError: numtorch has no TorchScript, so it cannot write TorchScript archives; ...
    """
    raise NotImplementedError(_NO_TORCHSCRIPT.format(verb="write"))


def load(
    f: Any, map_location: Any = None, _extra_files: dict | None = None, _restore_shapes=False
) -> Any:
    """Cannot read a TorchScript archive: raises NotImplementedError (ValueError, as torch,
    when the file does not exist).

    >>> numtorch.jit.load("missing.pt")  # doctest: +SKIP
    Traceback (most recent call last):
    ValueError: The provided filename missing.pt does not exist
    """
    warnings.warn(
        "`torch.jit.load` is deprecated. Please switch to `torch.export`.",
        DeprecationWarning,
        stacklevel=1,
    )
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f"The provided filename {f} does not exist")
        if os.path.isdir(f):
            raise ValueError(f"The provided filename {f} is a directory")
    raise NotImplementedError(_NO_TORCHSCRIPT.format(verb="read"))
