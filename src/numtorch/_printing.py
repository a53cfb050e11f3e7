"""Tensor printing that matches PyTorch's ``repr(tensor)`` character for character.

The rules are PyTorch's (``torch/_tensor_str.py``): one formatter per tensor (two for complex:
real and imaginary parts) decides, from the values that will actually be shown, between integer
mode (``1.``), fixed point (``0.8329``) and scientific notation (``1.0000e-05``) and the common
column width; the nested brackets are then laid out under the ``linewidth`` budget, summarized
with ``...`` above ``threshold`` elements, and followed by the ``size=``/``dtype=``/``grad_fn=``
suffixes.

Elements are formatted through Python's own ``format`` on Python numbers (as PyTorch does via
``.tolist()``/``.item()``), so rounding is identical; only the printed edge items of a summarized
tensor are ever looked at.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import _dtype

__all__ = [
    "PRINT_OPTS",
    "set_printoptions",
    "get_printoptions",
    "printoptions",
    "tensor_repr",
]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

# profile name -> (precision, threshold, edgeitems, linewidth), as torch.set_printoptions
_PROFILES: dict[str, tuple[int, float, int, int]] = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set printing options, as ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") resets the four numeric options first; explicit
    arguments then override it. ``sci_mode`` is always assigned, so leaving it out restores
    automatic choice of scientific notation, exactly as in PyTorch.
    """
    if profile is not None and profile in _PROFILES:
        (
            PRINT_OPTS.precision,
            PRINT_OPTS.threshold,
            PRINT_OPTS.edgeitems,
            PRINT_OPTS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options as a dict that can be passed back to ``set_printoptions(**opts)``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (same arguments as ``set_printoptions``)."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """Formats the elements of one real tensor so that they line up in a common column width.

    It is built from the values that will be printed (the edge items when summarizing), which is
    what PyTorch does, so e.g. a hidden 1e-9 in the middle of a big tensor does not switch the
    printed part to scientific notation.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        self.precision = PRINT_OPTS.precision

        if not self.floating:
            if values.size:
                # str() length of an int is monotone in the value on each side of zero, and
                # False is longer than True, so the extremes give the widest element.
                widest = max(len(str(values.min().item())), len(str(values.max().item())))
                self.max_width = max(self.max_width, widest)
            return

        finite_nonzero = values[np.isfinite(values) & (values != 0)]
        if finite_nonzero.size == 0:
            # PyTorch keeps integer mode and never switches to scientific notation here, even
            # when sci_mode is forced on: tensor([0., nan]) prints "0." and "nan".
            return

        magnitudes = np.abs(finite_nonzero).astype(np.float64)
        smallest = float(magnitudes.min())
        largest = float(magnitudes.max())
        self.int_mode = bool(np.all(finite_nonzero == np.ceil(finite_nonzero)))
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)

        if self.sci_mode:
            spec, extra = f".{self.precision}e", 0
        elif self.int_mode:
            # room for the trailing "." that marks integer-valued floats
            spec, extra = ".0f", 1
        else:
            spec, extra = f".{self.precision}f", 0
        for value in _width_candidates(finite_nonzero):
            self.max_width = max(self.max_width, len(format(value, spec)) + extra)

    def width(self) -> int:
        return self.max_width

    def format(self, value: Any) -> str:
        """One element (a Python number) padded on the left to the common width."""
        if self.floating:
            if self.sci_mode:
                text = f"{value:{self.max_width}.{self.precision}e}"
            elif self.int_mode:
                text = f"{value:.0f}"
                if math.isfinite(value):
                    text += "."
            else:
                text = f"{value:.{self.precision}f}"
        else:
            text = f"{value}"
        return text.rjust(self.max_width)


def _width_candidates(values: np.ndarray) -> list[float]:
    """The values whose formatted text can be the longest among finite nonzero ``values``.

    Correctly rounded fixed-point text only grows with the magnitude, and the exponent of
    scientific text is most extreme at the largest or the smallest magnitude, so the smallest
    and largest magnitude of each sign cover every format; no need to format all values.
    """
    candidates: list[float] = []
    for part in (values[values > 0], values[values < 0]):
        if part.size:
            candidates += [part.min().item(), part.max().item()]
    return candidates


class _ElementWriter:
    """Writes one element of a real or complex tensor using the tensor's formatter(s)."""

    def __init__(self, real: _Formatter, imag: _Formatter | None = None) -> None:
        self.real = real
        self.imag = imag
        # text width plus the ", " that separates elements on a line
        self.element_length = real.width() + 2
        if imag is not None:
            # plus the imaginary part and its "j"
            self.element_length += imag.width() + 1

    def __call__(self, value: Any) -> str:
        if self.imag is None:
            return self.real.format(value)
        real_text = self.real.format(value.real)
        imag_text = (self.imag.format(value.imag) + "j").lstrip()
        # a negative imaginary part (also -0.) brings its own sign; others need a "+"
        if imag_text[0] in "+-":
            return real_text + imag_text
        return real_text + "+" + imag_text


def _printed_values(data: np.ndarray, summarize: bool) -> np.ndarray:
    """The elements that will appear in the output, flattened (PyTorch's get_summarized_data)."""
    edge = PRINT_OPTS.edgeitems
    if not summarize or data.ndim == 0:
        return data.reshape(-1)
    if edge <= 0:
        # only "..." is printed, so nothing needs formatting
        return data.reshape(-1)[:0]
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            # basic slices are views; np.take would first copy a non-contiguous input whole
            before = (slice(None),) * axis
            head = data[before + (slice(None, edge),)]
            tail = data[before + (slice(-edge, None),)]
            data = np.concatenate([head, tail], axis=axis)
    return data.reshape(-1)


def _vector_str(
    row: np.ndarray, indent: int, summarize: bool, write: Callable[[Any], str], length: int
) -> str:
    edge = PRINT_OPTS.edgeitems
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / length))
    if summarize and not edge:
        texts = ["..."]
    elif summarize and row.shape[0] > 2 * edge:
        texts = (
            [write(value) for value in row[:edge].tolist()]
            + [" ..."]
            + [write(value) for value in row[-edge:].tolist()]
        )
    else:
        texts = [write(value) for value in row.tolist()]
    lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(data: np.ndarray, indent: int, summarize: bool, writer: _ElementWriter) -> str:
    if data.ndim == 0:
        return writer(data.item())
    if data.ndim == 1:
        return _vector_str(data, indent, summarize, writer, writer.element_length)

    edge = PRINT_OPTS.edgeitems
    count = data.shape[0]
    if summarize and count > 2 * edge:
        slices = (
            [_nested_str(data[i], indent + 1, summarize, writer) for i in range(edge)]
            + ["..."]
            + [
                _nested_str(data[i], indent + 1, summarize, writer)
                for i in range(count - edge, count)
            ]
        )
    else:
        slices = [_nested_str(data[i], indent + 1, summarize, writer) for i in range(count)]
    # one blank line between 2-D blocks of a 3-D tensor, two between 3-D blocks, ...
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _data_str(data: np.ndarray, indent: int) -> str:
    """The bracketed values of a non-empty array, laid out as PyTorch's ``_tensor_str``."""
    summarize = data.size > PRINT_OPTS.threshold
    if data.dtype.kind == "c":
        writer = _ElementWriter(
            _Formatter(_printed_values(data.real, summarize)),
            _Formatter(_printed_values(data.imag, summarize)),
        )
    else:
        writer = _ElementWriter(_Formatter(_printed_values(data, summarize)))
    return _nested_str(data, indent, summarize, writer)


def _measured_len(suffix: str) -> int:
    """The length PyTorch's ``_add_suffixes`` sees for ``suffix``.

    PyTorch's dtype suffix says "torch." where ours says "numtorch."; measuring ours as theirs
    keeps suffixes wrapping at the same place, so the outputs differ only by the package name.
    """
    package = f"{__package__ or 'numtorch'}."
    return len(suffix.replace(package, "torch.")) if suffix.startswith("dtype=") else len(suffix)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # PyTorch's measure runs two characters long (it counts from the "\n" plus one); kept so
    # that suffixes wrap at exactly the same place.
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = _measured_len(suffix)
        if last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
        else:
            parts.append(", " + suffix)
            last_line_len += suffix_len + 2
    parts.append(")")
    return "".join(parts)


def _class_names(t: Any) -> tuple[str, set[str]]:
    cls = type(t)
    return cls.__name__, {base.__name__ for base in cls.__mro__[1:]}


def _is_plain(t: Any) -> bool:
    """Whether ``t`` prints as ``tensor(...)``: a Tensor or Parameter, not a user subclass.

    Classes are told apart by name so that this module needs no import of the Tensor class;
    anything not derived from a class named Tensor (a duck-typed stand-in) counts as plain.
    """
    name, bases = _class_names(t)
    return name in ("Tensor", "Parameter") or "Tensor" not in bases


def _grad_suffix(t: Any) -> str | None:
    try:
        grad_fn = getattr(t, "grad_fn", None)
    except RuntimeError:
        # PyTorch prints this when reading grad_fn fails (an invalid in-place view)
        return "grad_fn=<Invalid>"
    if grad_fn is not None:
        return f"grad_fn=<{type(grad_fn).__name__}>"
    if getattr(t, "requires_grad", False):
        return "requires_grad=True"
    return None


def tensor_repr(t: Any, *, tensor_contents: Any = None) -> str:
    """``repr(tensor)`` / ``str(tensor)``, identical to PyTorch's output.

    ``tensor_contents`` replaces the bracketed values (the suffixes are still computed), as the
    argument of the same name of ``torch.Tensor.__repr__`` that subclasses use.
    """
    plain = _is_plain(t)
    prefix = "tensor(" if plain else f"{type(t).__name__}("
    indent = len(prefix)
    data = np.asarray(t._data)
    dtype = t.dtype
    default_float = _dtype.get_default_dtype()
    suffixes: list[str] = []

    device = getattr(t, "device", None)
    if device is not None and getattr(device, "type", "cpu") != "cpu":
        suffixes.append(f"device='{device}'")

    if data.size == 0:
        # the shape cannot be read off "[]" unless it is (0,)
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        # nor can the dtype, so anything but the default float is named, int64 and bool too
        if dtype != default_float:
            suffixes.append(f"dtype={dtype}")
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        # these dtypes are the ones the printed values already imply
        implied = (default_float, _dtype.default_complex(), _dtype.int64, _dtype.bool)
        if dtype not in implied:
            suffixes.append(f"dtype={dtype}")

    if tensor_contents is not None:
        body = str(tensor_contents)
    elif data.size == 0:
        body = "[]"
    else:
        body = _data_str(data, indent)

    grad_suffix = _grad_suffix(t)
    if grad_suffix is not None:
        suffixes.append(grad_suffix)

    text = _add_suffixes(prefix + body, suffixes, indent)
    if not plain and "Parameter" in _class_names(t)[1]:
        text = f"Parameter({text})"
    return text
