"""numtorch.testing: ``assert_close`` (PyTorch's tolerances and messages) and ``make_tensor``.

>>> numtorch.testing.assert_close(numtorch.tensor([1.0, 2.0]), numtorch.tensor([1.0, 2.0]))
>>> expected = numtorch.tensor([1.0, 2.0, 3.1])
>>> numtorch.testing.assert_close(numtorch.tensor([1.0, 2.0, 3.0]), expected)
Traceback (most recent call last):
AssertionError: Tensor-likes are not close!
<BLANKLINE>
Mismatched elements: 1 / 3 (33.3%)
Greatest absolute difference: 0.09999990463256836 at index (2,) (up to 1e-05 allowed)
Greatest relative difference: 0.032258033752441406 at index (2,) (up to 1.3e-06 allowed)
"""

from __future__ import annotations

import cmath
import collections.abc
import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtype
from .._backend import ndarray
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..ops import creation as _creation
from ..ops import elementwise as _elementwise

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) by dtype, as torch.testing: integers and bools must be equal
_DEFAULT_TOLERANCES = {
    _dtype.float16: (1e-3, 1e-5),
    _dtype.bfloat16: (1.6e-2, 1e-5),
    _dtype.float32: (1.3e-6, 1e-5),
    _dtype.float64: (1e-7, 1e-7),
    _dtype.complex64: (1.3e-6, 1e-5),
    _dtype.complex128: (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: _dtype.int64, float: _dtype.float64, complex: _dtype.complex128}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise, its message, and where it failed."""

    def __init__(self, kind: type[Exception], msg: str, path: tuple = ()) -> None:
        super().__init__(msg)
        self.kind, self.msg, self.path = kind, msg, path

    def to_error(self, msg: str | Callable[[str], str] | None) -> Exception:
        if isinstance(msg, str):
            return self.kind(msg)
        text = self.msg
        if self.path:
            text += "\n\nThe failure occurred for item " + "".join(str([k]) for k in self.path)
        return self.kind(msg(text) if callable(msg) else text)


def _tolerances(*dtypes: Any) -> tuple[float, float]:
    pairs = [_DEFAULT_TOLERANCES.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(
    identifier: str, extra: str | None, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol
) -> str:
    equality = rtol == 0 and atol == 0

    def diff_line(kind: str, diff, idx, tol) -> str:
        if idx is None:
            line = f"{kind.title()} difference: {diff}"
        else:
            line = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            line += f" (up to {tol} allowed)"
        return line + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_line("absolute", abs_diff, abs_idx, atol)
    msg += diff_line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    extra = f"Expected {expected} but got {actual}."
    return _mismatch_msg("Scalars", extra, abs_diff, None, atol, rel_diff, None, rtol)


def _greatest(flat: Tensor) -> tuple[Any, int]:
    """Value and first index of the maximum, NaN winning as in torch.max."""
    nan = _elementwise.isnan(flat)
    index = int(nan.to(_dtype.int64).argmax() if bool(nan.any()) else flat.argmax())
    return flat[index].item(), index


def _unravel(index: int, shape: tuple) -> tuple:
    coords = []
    for size in reversed(shape):
        coords.append(index % size)
        index //= size
    return tuple(reversed(coords))


def _tensor_mismatch_msg(actual: Tensor, expected: Tensor, matches: Tensor, rtol, atol) -> str:
    total = matches.numel()
    mismatched = total - int(matches.sum().item())
    extra = f"Mismatched elements: {mismatched} / {total} ({mismatched / total:.1%})"
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if not (actual.dtype.is_floating_point or actual.dtype.is_complex):
        a, e = a.to(_dtype.int64), e.to(_dtype.int64)
    abs_diff = (a - e).abs()
    abs_diff = abs_diff.masked_fill(m, 0)
    rel_diff = (abs_diff / e.abs()).masked_fill(m, 0)
    max_abs, abs_idx = _greatest(abs_diff)
    max_rel, rel_idx = _greatest(rel_diff)
    shape = tuple(actual.shape)
    return _mismatch_msg(
        "Tensor-likes",
        extra,
        max_abs,
        _unravel(abs_idx, shape),
        atol,
        max_rel,
        _unravel(rel_idx, shape),
        rtol,
    )


def _isclose(actual: Tensor, expected: Tensor, rtol, atol, equal_nan: bool) -> Tensor:
    """torch.isclose, computed in the inputs' dtype: equal, or finite and within tolerance."""
    equal = actual == expected
    if rtol == 0 and atol == 0:
        close = equal
    else:
        allowed = atol + rtol * expected.abs()
        within = (actual - expected).abs() <= allowed
        finite = _elementwise.isfinite(actual) & _elementwise.isfinite(expected)
        close = equal | (finite & within)
    if equal_nan:
        close = close | (_elementwise.isnan(actual) & _elementwise.isnan(expected))
    return close


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride, path):
    if isinstance(actual, ndarray):
        actual, expected = _creation.as_tensor(actual), _creation.as_tensor(expected)

    def attribute_mismatch(name: str, a, e) -> _Mismatch:
        return _Mismatch(
            AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", path
        )

    if actual.shape != expected.shape:
        raise attribute_mismatch("shape", actual.shape, expected.shape)
    if check_dtype and actual.dtype != expected.dtype:
        raise attribute_mismatch("dtype", actual.dtype, expected.dtype)
    if check_stride and actual.stride() != expected.stride():
        raise attribute_mismatch("stride()", actual.stride(), expected.stride())
    if rtol is None:
        rtol, atol = _tolerances(actual.dtype, expected.dtype)
    with no_grad():
        actual, expected = actual.detach(), expected.detach()
        if actual.dtype != expected.dtype:
            common = _dtype.promote_types(actual.dtype, expected.dtype)
            actual, expected = actual.to(common), expected.to(common)
        matches = _isclose(actual, expected, rtol, atol, equal_nan)
        if bool(matches.all()):
            return
        if actual.dim() == 0:
            msg = _scalar_mismatch_msg(actual.item(), expected.item(), rtol, atol)
        else:
            msg = _tensor_mismatch_msg(actual, expected, matches, rtol, atol)
    raise _Mismatch(AssertionError, msg, path)


def _is_number(x: Any) -> bool:
    return isinstance(x, numbers.Number) and not isinstance(x, bool)


def _is_bool(x: Any) -> bool:
    return isinstance(x, bool) or type(x).__name__ == "bool_"


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype, path) -> None:
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
            path,
        )
    if rtol is None:
        rtol, atol = _tolerances(
            _NUMBER_DTYPES.get(type(actual)), _NUMBER_DTYPES.get(type(expected))
        )
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_mismatch_msg(actual, expected, rtol, atol), path)


def _compare(actual, expected, path: tuple, **options) -> None:
    is_str = isinstance(actual, (str, bytes)) or isinstance(expected, (str, bytes))
    if (
        not is_str
        and isinstance(actual, collections.abc.Sequence)
        and isinstance(expected, collections.abc.Sequence)
    ):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                path,
            )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            _compare(a, e, (*path, i), **options)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(
        expected, collections.abc.Mapping
    ):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            missing = sorted(expected_keys - actual_keys, key=repr)
            additional = sorted(actual_keys - expected_keys, key=repr)
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {missing}\n"
                f"Additional keys in the actual mapping: {additional}",
                path,
            )
        for key in actual:
            _compare(actual[key], expected[key], (*path, key), **options)
        return
    rtol, atol, equal_nan = options["rtol"], options["atol"], options["equal_nan"]
    check_dtype = options["check_dtype"]
    if actual is None or expected is None:
        if not (actual is None and expected is None):
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", path)
        return
    if _is_bool(actual) and _is_bool(expected):
        if bool(actual) is not bool(expected):
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}", path)
        return
    if _is_number(actual) and _is_number(expected):
        _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype, path)
        return
    both_tensors = isinstance(actual, Tensor) and isinstance(expected, Tensor)
    both_arrays = isinstance(actual, ndarray) and isinstance(expected, ndarray)
    if both_tensors or both_arrays:
        _compare_tensors(
            actual, expected, rtol, atol, equal_nan, check_dtype, options["check_stride"], path
        )
        return
    raise _Mismatch(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and "
        f"{type(expected)}.",
        path,
    )


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Asserts ``actual`` and ``expected`` are close, as ``torch.testing.assert_close``.

    Tensors (and NumPy arrays) must match in shape and dtype (unless ``check_dtype=False``),
    then elementwise ``|actual - expected| <= atol + rtol * |expected|``, with per-dtype
    defaults (float32: rtol 1.3e-6, atol 1e-5; float64: 1e-7 both; integers exact). Numbers,
    sequences and mappings are compared item by item. Every tensor is on the CPU and strided,
    so the device and layout checks always pass.

    >>> numtorch.testing.assert_close(1.0, 1.0 + 1e-9)
    >>> numtorch.testing.assert_close({"w": numtorch.ones(2)}, {"w": numtorch.ones(2)})
    >>> numtorch.testing.assert_close(numtorch.tensor([1, 2]), numtorch.tensor([1, 3]))
    Traceback (most recent call last):
    AssertionError: Tensor-likes are not equal!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 1 at index (1,)
    Greatest relative difference: 0.3333333432674408 at index (1,)
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}."
        )
    try:
        _compare(
            actual,
            expected,
            (),
            rtol=rtol,
            atol=atol,
            equal_nan=equal_nan,
            check_dtype=check_dtype,
            check_stride=check_stride,
        )
    except _Mismatch as mismatch:
        raise mismatch.to_error(msg) from None


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """Deprecated (warns, as torch): ``assert_close`` without dtype checks, NaNs equal.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.testing.assert_allclose(numtorch.tensor([1.0]), [1.0])
    """
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning,
        stacklevel=2,
    )
    if not isinstance(actual, Tensor):
        actual = _creation.tensor(actual)
    if not isinstance(expected, Tensor):
        expected = _creation.tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        # the old defaults: the looser of the two dtypes'
        rtol, atol = _tolerances(actual.dtype, expected.dtype)
    assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_dtype=False,
        msg=msg or None,
    )


def make_tensor(
    *shape: Any,
    dtype: _dtype.dtype,
    device: Any = None,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """A random tensor of ``shape`` and ``dtype`` for tests, drawn as torch draws: floats
    uniformly in [-9, 9), integers in [-9, 10) (unsigned from 0), bools either value.

    >>> t = numtorch.testing.make_tensor(2, 3, dtype=numtorch.float32, device="cpu")
    >>> t.shape, t.dtype
    (numtorch.Size([2, 3]), numtorch.float32)
    """
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    if low is not None and high is not None and low > high:
        raise ValueError(f"`low` must be less than or equal to `high`, but got {low} > {high}")
    if dtype is _dtype.bool:
        result = _creation.randint(0, 2, shape).to(_dtype.bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else low
        hi = 9.0 if high is None else high
        real = _dtype.float64 if dtype in (_dtype.float64, _dtype.complex128) else _dtype.float32
        result = _creation.rand(shape, dtype=real) * (hi - lo) + lo
        if dtype.is_complex:
            imag = _creation.rand(shape, dtype=real) * (hi - lo) + lo
            result = _elementwise.complex(result, imag)
        result = result.to(dtype)
    else:
        lo_default = 0 if dtype is _dtype.uint8 else -9
        lo = lo_default if low is None else math.ceil(low)
        hi = 10 if high is None else math.floor(high) + (1 if high == math.floor(high) else 0)
        result = _creation.randint(int(lo), int(max(hi, lo + 1)), shape, dtype=dtype)
    if exclude_zero:
        replacement = 1 if not (dtype.is_floating_point or dtype.is_complex) else 1e-3
        result = result.masked_fill(result == 0, replacement)
    if requires_grad:
        result.requires_grad_(True)
    return result
