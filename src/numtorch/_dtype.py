"""dtype objects and PyTorch's type promotion (which is not NumPy's).

A numtorch dtype wraps a NumPy dtype. Promotion follows PyTorch's three-tier rule: tensors
with dimensions outrank 0-d tensors, which outrank Python scalars, but only *within* a
category (bool < integer < floating < complex); a lower tier can still lift the category, and
then lands on the default dtype of that category (int64 tensor * 2.5 -> float32).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

__all__ = [
    "dtype",
    "float16",
    "half",
    "bfloat16",
    "float32",
    "float",
    "float64",
    "double",
    "complex64",
    "cfloat",
    "complex128",
    "cdouble",
    "uint8",
    "int8",
    "int16",
    "short",
    "int32",
    "int",
    "int64",
    "long",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
    "can_cast",
]

_py_bool, _py_int, _py_float, _py_complex = bool, int, float, complex

# category ranks: bool < integer < floating < complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, as torch.dtype. ``str(numtorch.float32) == 'numtorch.float32'``."""

    __slots__ = ("_name", "_np", "itemsize", "is_floating_point", "is_complex", "is_signed", "_cat")

    _np: Any  # a NumPy dtype (None only for bfloat16, which NumPy lacks)

    def __init__(self, name: str, np_dtype, category: builtins.int):
        self._name = name
        self._np = np.dtype(np_dtype) if np_dtype is not None else None
        self.itemsize = self._np.itemsize if self._np is not None else 2
        self.is_floating_point = category == _FLOAT
        self.is_complex = category == _COMPLEX
        self.is_signed = category != _BOOL and name != "uint8"
        self._cat = category

    def __repr__(self) -> str:
        return f"{__package__}.{self._name}"

    def __reduce__(self):
        return (_dtype_by_name, (self._name,))

    def to_real(self) -> dtype:
        return {"complex64": float32, "complex128": float64}.get(self._name, self)

    def to_complex(self) -> dtype:
        return {"float32": complex64, "float64": complex128, "float16": complex64}.get(
            self._name, self
        )


float16 = half = dtype("float16", np.float16, _FLOAT)
# NumPy has no bfloat16; the object exists so code that names it imports, and using it raises.
bfloat16 = dtype("bfloat16", None, _FLOAT)
float32 = float = dtype("float32", np.float32, _FLOAT)  # noqa: A001
float64 = double = dtype("float64", np.float64, _FLOAT)
complex64 = cfloat = dtype("complex64", np.complex64, _COMPLEX)
complex128 = cdouble = dtype("complex128", np.complex128, _COMPLEX)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = short = dtype("int16", np.int16, _INT)
int32 = int = dtype("int32", np.int32, _INT)  # noqa: A001
int64 = long = dtype("int64", np.int64, _INT)
bool = dtype("bool", np.bool_, _BOOL)  # noqa: A001

ALL = (float16, float32, float64, complex64, complex128, uint8, int8, int16, int32, int64, bool)
_BY_NAME = {d._name: d for d in (*ALL, bfloat16)}
FROM_NP = {d._np: d for d in ALL}


# PyTorch's messages name a scalar type in two ways: ATen's short name ("expected scalar type
# Float") and c10's C++ type name ("expected m1 and m2 to have the same dtype: float != double")
SCALAR_NAMES = {
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}
CPP_NAMES = {
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}


def scalar_name(np_dtype) -> str:
    """ATen's short name of a NumPy dtype: 'Float', 'Long' ..."""
    name = np.dtype(np_dtype).name
    return SCALAR_NAMES.get(name, name)


def cpp_name(np_dtype) -> str:
    """c10's C++ name of a NumPy dtype: 'float', 'long int' ..."""
    name = np.dtype(np_dtype).name
    return CPP_NAMES.get(name, name)


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


def from_numpy_dtype(np_dtype) -> dtype:
    """The numtorch dtype of a NumPy dtype; TypeError (PyTorch's text) for ones without one."""
    np_dtype = np.dtype(np_dtype)
    try:
        return FROM_NP[np_dtype]
    except KeyError:
        pass
    name = np_dtype.type.__name__
    if np_dtype.kind == "u":
        # PyTorch has these; NumPy-backed numtorch does not implement them.
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{name}: numtorch does not support "
            f"torch.{name} (supported: float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint8, and bool)."
        )
    raise TypeError(
        f"can't convert np.ndarray of type numpy.{name}. The only supported types are: float64, "
        "float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
        "uint16, uint8, and bool."
    )


_state = {"float": float32}


def get_default_dtype() -> dtype:
    """The dtype Python floats and float factories get, float32 unless changed.

    >>> numtorch.get_default_dtype()
    numtorch.float32
    """
    return _state["float"]


def set_default_dtype(d: dtype) -> None:
    """Sets the default floating dtype (float32 or float64, as torch.set_default_dtype)."""
    if not isinstance(d, dtype) or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _state["float"] = d
    _RESULT_CACHE.clear()


def default_complex() -> dtype:
    return complex128 if _state["float"] is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """PyTorch's promotion lattice for two dtypes (torch.promote_types)."""
    if a is b:
        return a
    ca, cb = a._cat, b._cat
    if ca == _BOOL:
        return b
    if cb == _BOOL:
        return a
    if ca == cb == _INT:
        return FROM_NP[np.promote_types(a._np, b._np)]
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi._cat == _COMPLEX and lo._cat == _FLOAT and lo.itemsize > hi.itemsize // 2:
            return complex128
        return hi
    return a if a.itemsize >= b.itemsize else b


def _combine_categories(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # c10's combine_categories: the higher-priority tier wins unless the lower one lifts the
    # category (int tensor + float scalar), in which case the two are promoted.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(value) -> dtype:
    t = type(value)
    if t is _py_bool or t is np.bool_:
        return bool
    if t is _py_int or isinstance(value, np.integer):
        return int64
    if t is _py_float or isinstance(value, np.floating):
        return _state["float"]
    if t is _py_complex or isinstance(value, np.complexfloating):
        return default_complex()
    raise TypeError(f"unsupported scalar type {t.__name__}")


def result_type(*operands) -> dtype:
    """PyTorch's result dtype for a mix of tensors and Python scalars (torch.result_type)."""
    dim_result = zero_result = scalar_result = None
    for op in operands:
        data = getattr(op, "_data", None)
        if data is None:
            if isinstance(op, dtype):
                dim_result = op if dim_result is None else promote_types(dim_result, op)
                continue
            d = _scalar_dtype(op)
            scalar_result = d if scalar_result is None else promote_types(scalar_result, d)
        elif data.ndim:
            d = FROM_NP[data.dtype]
            dim_result = d if dim_result is None else promote_types(dim_result, d)
        else:
            d = FROM_NP[data.dtype]
            zero_result = d if zero_result is None else promote_types(zero_result, d)
    out = _combine_categories(dim_result, _combine_categories(zero_result, scalar_result))
    assert out is not None
    return out


_RESULT_CACHE: dict = {}


def binary_result_np(x, y):
    """Result NumPy dtype of a binary op on array ``x`` and array-or-scalar ``y``, by PyTorch's
    rules; cached on the (dtype, 0-d) pairs, since this sits on every binary op's path."""
    if y.__class__ is _py_float:
        if x.dtype.kind == "f" or x.dtype.kind == "c":
            return x.dtype
        key = (x.dtype, _py_float)
    elif y.__class__ is _py_int:
        if x.dtype.kind not in "b":
            return x.dtype
        key = (x.dtype, _py_int)
    elif hasattr(y, "dtype") and hasattr(y, "ndim"):
        if x.dtype == y.dtype:
            return x.dtype
        key = (x.dtype, x.ndim == 0, y.dtype, y.ndim == 0)
    else:
        key = (x.dtype, type(y))
    hit = _RESULT_CACHE.get(key)
    if hit is None:
        xd = FROM_NP[x.dtype]
        if len(key) == 4:
            yd = FROM_NP[y.dtype]
            if key[1] == key[3]:
                hit = promote_types(xd, yd)
            elif key[1]:
                hit = _combine_categories(yd, xd)
            else:
                hit = _combine_categories(xd, yd)
        else:
            hit = _combine_categories(xd, _scalar_dtype(y))
        hit = hit._np
        _RESULT_CACHE[key] = hit
    return hit


def can_cast(from_: dtype, to: dtype) -> builtins.bool:
    """Whether PyTorch's casting rules allow an in-place op to write ``from_`` into ``to``."""
    return from_._cat <= to._cat


def to_dtype(value) -> dtype:
    """Accepts a numtorch dtype, a NumPy dtype or a Python type as PyTorch does."""
    if isinstance(value, dtype):
        return value
    if value is _py_float:
        return float64
    if value is _py_int:
        return int64
    if value is _py_bool:
        return bool
    if value is _py_complex:
        return complex128
    return from_numpy_dtype(value)
