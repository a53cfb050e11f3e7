"""Tensor creation: from data, factories (zeros, arange, eye ...) and random sampling.

Random functions draw from PyTorch's own CPU generator algorithm (``_random``), so the same
seed gives the same numbers as PyTorch.
"""

from __future__ import annotations

import builtins
import math
import warnings
from typing import Any

from .. import _dtype, _random
from .._backend import array_module
from .._backend import device as _device
from .._tensor import Tensor, make
from ._common import tensor_method, xp

_py_float, _py_int, _py_bool = builtins.float, builtins.int, builtins.bool
_py_range = builtins.range


# c10's demangled C++ type names, as "value cannot be converted to type X" names them in full()
_CXX_NAMES = {
    "bool": "bool",
    "uint8": "uint8_t",
    "int8": "int8_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _not_implemented(op: str, np_dtype) -> NotImplementedError:
    name = _dtype.SCALAR_NAMES[xp.dtype(np_dtype).name]
    return NotImplementedError(f"\"{op}\" not implemented for '{name}'")


def _np_dtype(dtype, fn: str = "tensor"):
    if dtype is None:
        return None
    if isinstance(dtype, str):
        raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not str")
    dt = _dtype.to_dtype(dtype)
    if dt._np is None:
        raise TypeError(f"{dt} is not supported: NumPy has no such type")
    return dt._np


def _finish(data, requires_grad, device=None) -> Tensor:
    if device is not None:
        array_module(device)  # raises for devices without a backend
    if requires_grad and data.dtype.kind not in "fc":
        from .._errors import hinted

        raise hinted(
            RuntimeError("Only Tensors of floating point and complex dtype can require gradients"),
            f"the data is {data.dtype.name} (integers or bools); gradients are only defined for "
            "floating point values. Pass float data (torch.tensor([1., 2.])) or "
            "dtype=torch.float32, or call .float() first.",
        )
    t = make(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


# -- tensor(): dtype inference and conversion of nested data -------------------------------------

_PY_SCALARS = frozenset((_py_bool, _py_int, _py_float, complex))
_PY_RANK = {_py_bool: 0, _py_int: 1, _py_float: 2, complex: 3}


def _py_scalar_dtype(rank: int) -> _dtype.dtype:
    if rank == 0:
        return _dtype.bool
    if rank == 1:
        return _dtype.int64
    if rank == 2:
        return _dtype.get_default_dtype()
    return _dtype.default_complex()


def _check_numpy_array(arr) -> _dtype.dtype:
    if not arr.dtype.isnative:
        raise ValueError(
            "given numpy array has byte order different from the native byte order. Conversion "
            "between byte orders is currently not supported."
        )
    dt = _dtype.from_numpy_dtype(arr.dtype)
    if any(s < 0 for s in arr.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    return dt


def _is_sequence(obj) -> builtins.bool:
    return isinstance(obj, (list, tuple, _py_range)) or (
        hasattr(obj, "__getitem__") and hasattr(obj, "__len__") and not isinstance(obj, dict)
    )


def _infer_dtype(obj) -> _dtype.dtype:
    """torch's infer_scalar_type: the promotion of the leaves' dtypes."""
    t = type(obj)
    if t in _PY_RANK:
        return _py_scalar_dtype(_PY_RANK[t])
    if isinstance(obj, Tensor):
        return obj.dtype
    if isinstance(obj, (xp.ndarray, xp.generic)):
        return _dtype.from_numpy_dtype(obj.dtype)
    if isinstance(obj, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{t.__name__}'")
    if isinstance(obj, (list, tuple)) or _is_sequence(obj):
        if len(obj) == 0:
            return _dtype.get_default_dtype()
        types = set(map(type, obj))
        if types <= _PY_SCALARS:
            return _py_scalar_dtype(max(_PY_RANK[k] for k in types))
        result: Any = None
        for item in obj:
            d = _infer_dtype(item)
            result = d if result is None else _dtype.promote_types(result, d)
            if result is _dtype.complex128:
                break
        return result
    raise RuntimeError(f"Could not infer dtype of {t.__name__}")


def _first_chain_sizes(obj) -> list:
    """compute_sizes: the lengths along the first elements (torch's guess of the shape)."""
    sizes = []
    while _is_sequence(obj) and not isinstance(obj, Tensor) and not isinstance(obj, xp.ndarray):
        sizes.append(len(obj))
        if isinstance(obj, (str, bytes)) and len(sizes) > 32:
            raise ValueError(f"too many dimensions '{type(obj).__name__}'")
        if len(obj) == 0:
            break
        obj = obj[0]
    if isinstance(obj, xp.ndarray) and obj.ndim:
        sizes.extend(obj.shape)
    return sizes


def _store_error(data, target: _dtype.dtype) -> Exception:
    """The error torch's recursive_store raises for a non-rectangular sequence."""
    sizes = _first_chain_sizes(data)

    def walk(obj, dim):
        if dim == len(sizes):
            if _is_sequence(obj) and not isinstance(obj, (Tensor, xp.ndarray)):
                name = type(obj).__name__
                if target._cat <= _dtype._INT:
                    return TypeError(f"'{name}' object cannot be interpreted as an integer")
                return TypeError(f"must be real number, not {name}")
            return None
        if isinstance(obj, (Tensor, xp.ndarray)):
            return None
        if not _is_sequence(obj):
            return TypeError("not a sequence")
        if len(obj) != sizes[dim]:
            return ValueError(
                f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(obj)})"
            )
        for item in obj:
            err = walk(item, dim + 1)
            if err is not None:
                return err
        return None

    return walk(data, 0) or ValueError("expected a rectangular nested sequence")


def _unwrap(data):
    """Nested sequences with tensors inside: tensors become their arrays (one-element tensors
    their single value, as torch reads them with ``item()``)."""
    if isinstance(data, Tensor):
        arr = data._data
        if arr.ndim and arr.size != 1:
            if arr.dtype.kind in "fc":
                raise ValueError("only one element tensors can be converted to Python scalars")
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return arr.reshape(()) if arr.ndim else arr
    if isinstance(data, (list, tuple)):
        if any(type(d) not in _PY_SCALARS for d in data):
            return [_unwrap(d) for d in data]
    return data


_INT_NAMES = {"uint8": "uint8", "int8": "int8", "int16": "int16", "int32": "int32"}


def _check_int_range(arr, np_dtype, name_table) -> None:
    """c10::checked_convert for integer targets (unsigned ones accept down to -max)."""
    info = xp.iinfo(np_dtype)
    low = -int(info.max) if info.min == 0 else int(info.min)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if arr.dtype.kind == "f":
            bad = ~xp.isfinite(arr) | (arr < low) | (arr > int(info.max))
        else:
            bad = (arr < low) | (arr > int(info.max))
    if xp.any(bad):
        name = name_table.get(xp.dtype(np_dtype).name, xp.dtype(np_dtype).name)
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


def _from_python(data, np_dtype):
    """Python scalars and (nested) sequences, as torch's internal_new_from_data."""
    if not isinstance(data, (list, tuple)) and type(data) not in _PY_SCALARS:
        data = list(data)
    sizes = _first_chain_sizes(data) if isinstance(data, (list, tuple)) else []
    if sizes and len(sizes) > 32:
        raise ValueError(f"too many dimensions '{type(data).__name__}'")
    inferred = _infer_dtype(data)
    target = _dtype.FROM_NP[xp.dtype(np_dtype)] if np_dtype is not None else inferred
    if inferred._cat == _dtype._COMPLEX and target._cat != _dtype._COMPLEX:
        raise TypeError("must be real number, not complex")
    cat = inferred._cat
    if np_dtype is not None and xp.dtype(np_dtype).kind in "fc":
        cat = max(cat, 2 if xp.dtype(np_dtype).kind == "f" else 3)
    wide = {0: xp.bool_, 1: xp.int64, 2: xp.float64, 3: xp.complex128}[cat]
    source = _unwrap(data)
    try:
        arr = xp.array(source, dtype=wide)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    except (ValueError, TypeError):
        raise _store_error(data, target) from None
    if sizes and arr.shape[: len(sizes)] != tuple(sizes):
        raise _store_error(data, target)
    if np_dtype is None:
        return arr.astype(inferred._np, copy=False)
    np_dtype = xp.dtype(np_dtype)
    if np_dtype.kind in "iu" and arr.dtype.kind in "iuf":
        _check_int_range(arr, np_dtype, _INT_NAMES)
        if arr.dtype.kind == "f":
            arr = xp.trunc(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return arr.astype(np_dtype)


def array_from_data(data, dtype=None):
    """A fresh array holding ``data`` (numbers, nested sequences, arrays, tensors)."""
    np_dtype = _np_dtype(dtype)
    if isinstance(data, Tensor):
        arr = data._data
        return arr.astype(np_dtype) if np_dtype is not None else arr.copy()
    if isinstance(data, xp.generic):
        _dtype.from_numpy_dtype(data.dtype)
        arr = xp.array(data)
        return arr.astype(np_dtype) if np_dtype is not None else arr
    if isinstance(data, xp.ndarray) or (
        not isinstance(data, (list, tuple)) and hasattr(data, "__array_interface__")
    ):
        arr = xp.asarray(data)
        _check_numpy_array(arr)
        arr = xp.array(arr)
        if np_dtype is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                return arr.astype(np_dtype, copy=False)
        return arr
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if type(data) in _PY_SCALARS or isinstance(data, (list, tuple)) or _is_sequence(data):
        return _from_python(data, np_dtype)
    raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data``; its dtype is inferred as PyTorch does.

    >>> numtorch.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> numtorch.tensor(2.5).dtype
    numtorch.float32
    """
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    return _finish(array_from_data(data, dtype), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a NumPy array or tensor when the dtype allows.

    >>> import numpy as np
    >>> a = np.zeros(2, dtype=np.float32); t = numtorch.as_tensor(a); a[0] = 1; t
    tensor([1., 0.])
    """
    np_dtype = _np_dtype(dtype, "as_tensor")
    if device is not None:
        array_module(device)
    if isinstance(data, Tensor):
        if np_dtype is None or data._data.dtype == np_dtype:
            return data
        return data.to(_dtype.FROM_NP[xp.dtype(np_dtype)])
    if isinstance(data, xp.ndarray):
        _check_numpy_array(data)
        if np_dtype is None or data.dtype == np_dtype:
            return make(data)
    return _finish(array_from_data(data, dtype), False, device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: shares memory with tensors and arrays unless ``copy`` (or a dtype change)
    requires a copy; ``copy=False`` raises where sharing is impossible.

    >>> numtorch.asarray([1, 2])
    tensor([1, 2])
    """
    np_dtype = _np_dtype(dtype, "asarray")
    if device is not None:
        array_module(device)
    if isinstance(obj, Tensor) or isinstance(obj, xp.ndarray):
        if isinstance(obj, xp.ndarray):
            _check_numpy_array(obj)
            base = make(obj)
        else:
            base = obj
        same = np_dtype is None or base._data.dtype == np_dtype
        if copy is False and not same:
            raise ValueError(
                f"can't alias tensor from device 'cpu' to 'cpu' with dtype "
                f"{base.dtype} to {_dtype.FROM_NP[xp.dtype(np_dtype)]}."
            )
        if same and not copy:
            out = base
        else:
            target = base._data.dtype if np_dtype is None else np_dtype
            out = make(base._data.astype(target, copy=True))
        if requires_grad:
            out = out.detach() if out is obj else out
            out.requires_grad_(True)
        return out
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor.")
    return _finish(array_from_data(obj, dtype), requires_grad, device)


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array.

    >>> import numpy as np
    >>> numtorch.from_numpy(np.array([1, 2]))
    tensor([1, 2])
    """
    if not isinstance(ndarray, xp.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _check_numpy_array(ndarray)
    return make(ndarray)


# -- factories -----------------------------------------------------------------------------------


def _is_int_like(value) -> builtins.bool:
    if isinstance(value, (_py_bool, xp.bool_)):
        return False
    if isinstance(value, (_py_int, xp.integer)):
        return True
    if isinstance(value, Tensor):
        return value._data.ndim == 0 and value._data.dtype.kind in "iu"
    return False


def _shape(size, fn: str = "zeros", allow_varargs: builtins.bool = True) -> tuple:
    """PyTorch's parsing of a ``size`` argument: ints (varargs), or one tuple/list/Size."""
    if len(size) == 1 and not (allow_varargs and _is_int_like(size[0])):
        arg = size[0]
        if not isinstance(arg, (tuple, list)):
            raise TypeError(
                f"{fn}(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(arg).__name__}"
            )
        size = tuple(arg)
    out = []
    for i, s in enumerate(size):
        if isinstance(s, (_py_bool, xp.bool_)):
            raise TypeError(
                f"{fn}(): argument 'size' (position 1) must be tuple of ints, but found element "
                f"of type {type(s).__name__} at pos {i}"
            )
        if not _is_int_like(s):
            raise TypeError(
                f"{fn}(): argument 'size' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            )
        out.append(_py_int(s))
    return tuple(out)


def _check_sizes(shape, fn: str) -> tuple:
    if any(s < 0 for s in shape):
        if fn == "zeros":
            raise RuntimeError("zeros: Dimension size must be non-negative.")
        bad = next(s for s in shape if s < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {list(shape)}")
    return shape


def _size_arg(fn, size, size_kw):
    if size_kw is not None:
        if size:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        size = (size_kw,)
    if not size:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    return _check_sizes(_shape(size, fn), fn)


def _float_np(dtype, fn: str = "tensor"):
    return _np_dtype(dtype, fn) if dtype is not None else _dtype.get_default_dtype()._np


def _fill_factory(fn, fill, size, size_kw, out, dtype, device, requires_grad):
    shape = _size_arg(fn, size, size_kw)
    if out is not None and dtype is None:
        np_dtype = out._data.dtype
    else:
        np_dtype = _float_np(dtype, fn)
    data = fill(shape, np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def zeros(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
    names=None,
    **kwargs,
):
    """A tensor of zeros.

    >>> numtorch.zeros(2)
    tensor([0., 0.])
    """
    size_kw = kwargs.pop("size", None)
    _no_kwargs("zeros", kwargs)
    return _fill_factory("zeros", xp.zeros, size, size_kw, out, dtype, device, requires_grad)


def ones(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
    names=None,
    **kwargs,
):
    """A tensor of ones.

    >>> numtorch.ones(2, dtype=numtorch.int64)
    tensor([1, 1])
    """
    size_kw = kwargs.pop("size", None)
    _no_kwargs("ones", kwargs)
    return _fill_factory("ones", xp.ones, size, size_kw, out, dtype, device, requires_grad)


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
    names=None,
    **kwargs,
):
    """An uninitialised tensor (numtorch fills it with zeros, which is reproducible)."""
    size_kw = kwargs.pop("size", None)
    _no_kwargs("empty", kwargs)
    return _fill_factory("empty", xp.zeros, size, size_kw, out, dtype, device, requires_grad)


def _no_kwargs(fn, kwargs) -> None:
    if kwargs:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{next(iter(kwargs))}'")


def _fill_value_array(shape, fill_value, np_dtype, check: builtins.bool = True):
    """``fill_`` with c10's overflow check of the scalar against the dtype."""
    np_dtype = xp.dtype(np_dtype)
    value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    if isinstance(value, xp.generic):
        value = value.item()
    if check and np_dtype != xp.bool_:
        name = _CXX_NAMES[np_dtype.name]
        error = RuntimeError(f"value cannot be converted to type {name} without overflow")
        if isinstance(value, complex) and np_dtype.kind != "c":
            if value.imag != 0:
                raise error
            value = value.real
        if np_dtype.kind in "iu" and isinstance(value, (_py_int, _py_float)):
            _check_int_range(xp.array([value]), np_dtype, _CXX_NAMES)
            value = _py_int(value)
        elif np_dtype.kind == "f" and isinstance(value, (_py_int, _py_float)):
            if math.isfinite(value) and abs(value) > float(xp.finfo(np_dtype).max):
                # c10 rejects values beyond the type's range (but not ones that round to it)
                if xp.isinf(xp.array(value, dtype=np_dtype)):
                    raise error
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return xp.full(shape, value, dtype=np_dtype)


def full(
    size,
    fill_value,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    names=None,
):
    """A tensor filled with ``fill_value``; the dtype follows the value (bool, int64, float).

    >>> numtorch.full((2,), 7)
    tensor([7, 7])
    """
    if fill_value is None or not (
        isinstance(fill_value, (_py_int, _py_float, complex, xp.number, xp.bool_))
        or (isinstance(fill_value, Tensor) and fill_value._data.ndim == 0)
    ):
        raise TypeError(
            f"full(): argument 'fill_value' (position 2) must be Number, not "
            f"{type(fill_value).__name__}"
        )
    shape = _check_sizes(_shape((size,), "full", allow_varargs=False), "full")
    if dtype is None:
        if out is not None:
            np_dtype = out._data.dtype
        else:
            value = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
            np_dtype = _dtype._scalar_dtype(value)._np
    else:
        np_dtype = _np_dtype(dtype, "full")
    data = _fill_value_array(shape, fill_value, np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def _like(fn_name, fill):
    def like(
        input,
        *,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        memory_format=None,
        pin_memory=False,
        **kwargs,
    ):
        _no_kwargs(fn_name, kwargs)
        dt = _np_dtype(dtype, fn_name) or input._data.dtype
        return _finish(fill(input._data.shape, dt), requires_grad, device)

    like.__name__ = like.__qualname__ = fn_name
    like.__doc__ = f"``{fn_name[:-5]}`` with ``input``'s shape and dtype."
    return like


zeros_like = _like("zeros_like", xp.zeros)
ones_like = _like("ones_like", xp.ones)
empty_like = _like("empty_like", xp.zeros)


def full_like(
    input,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
    pin_memory=False,
):
    """``full`` with ``input``'s shape and dtype.

    >>> numtorch.full_like(numtorch.zeros(2, dtype=numtorch.int64), 2.7)
    tensor([2, 2])
    """
    dt = _np_dtype(dtype, "full_like") or input._data.dtype
    return _finish(_fill_value_array(input._data.shape, fill_value, dt), requires_grad, device)


def _new_factory(fn, fill):
    def method(
        self,
        *size,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        pin_memory=False,
        **kwargs,
    ):
        size_kw = kwargs.pop("size", None)
        _no_kwargs(fn, kwargs)
        shape = _size_arg(fn, size, size_kw)
        data = fill(shape, _np_dtype(dtype, fn) or self._data.dtype)
        return _finish(data, requires_grad, device)

    method.__name__ = method.__qualname__ = fn
    method.__doc__ = f"``{fn[4:]}`` with this tensor's dtype (unless ``dtype`` is given)."
    setattr(Tensor, fn, method)
    return method


new_zeros = _new_factory("new_zeros", xp.zeros)
new_ones = _new_factory("new_ones", xp.ones)
new_empty = _new_factory("new_empty", xp.zeros)


@tensor_method()
def new_full(
    self,
    size,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """``full`` with this tensor's dtype (unless ``dtype`` is given)."""
    shape = _check_sizes(_shape((size,), "new_full", allow_varargs=False), "new_full")
    dt = _np_dtype(dtype, "new_full") or self._data.dtype
    return _finish(_fill_value_array(shape, fill_value, dt), requires_grad, device)


@tensor_method()
def new_tensor(
    self, data, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
):
    """A copy of ``data`` with this tensor's dtype (unless ``dtype`` is given)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than tensor.new_tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    dt = dtype if dtype is not None else self.dtype
    return _finish(array_from_data(data, dt), requires_grad, device)


# -- ranges --------------------------------------------------------------------------------------


def _number(value, fn: str, arg: str, position: int):
    if isinstance(value, Tensor):
        if value._data.ndim != 0 and value._data.size != 1:
            raise RuntimeError(
                f"{fn} only supports 0-dimensional start and end tensors, but got {arg} with "
                f"{value._data.ndim} dimension(s)."
            )
        return value.item()
    if isinstance(value, xp.generic):
        return value.item()
    if not isinstance(value, (_py_int, _py_float, complex)):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be Number, not "
            f"{type(value).__name__}"
        )
    return value


def _is_floating(value) -> builtins.bool:
    if isinstance(value, Tensor):
        return value._data.dtype.kind in "fc"
    if isinstance(value, xp.generic):
        return value.dtype.kind in "fc"
    return isinstance(value, (_py_float, complex))


def _fma(a, b, c, np_dtype):
    """Correctly rounded ``a * b + c`` in float32 or float64 (the AVX2 build contracts these)."""
    if xp.dtype(np_dtype) == xp.float32:
        return _random._fma_f32(a, b, c).astype(xp.float32)
    return _random._fma_f64(a, b, c)


def _arange_values(start, step, count: int, np_dtype) -> object:
    """arange_kernel's values: per block of two SIMD vectors a base ``start + step * idx`` then
    ``base + k * step`` (k < vector width); the tail element by element (all FMAs in the
    accumulate type: double for float/double, float for half; exact integers otherwise)."""
    np_dtype = xp.dtype(np_dtype)
    if np_dtype.kind in "iub":
        values = xp.int64(start) + xp.arange(count, dtype=xp.int64) * xp.int64(step)
        return values.astype(np_dtype)
    acc = xp.float32 if np_dtype == xp.float16 else xp.float64
    width = 32 // np_dtype.itemsize
    idx = xp.arange(count, dtype=xp.int64)
    vectorised = (count // (2 * width)) * (2 * width)
    acc_start, acc_step = acc(start), acc(step)
    scalar = _fma(acc_step, idx.astype(acc), acc_start, acc)
    out = scalar.astype(np_dtype)
    if vectorised:
        head = idx[:vectorised]
        lane = head % width
        base = scalar[:vectorised][head - lane].astype(np_dtype).astype(acc)
        values = _fma(lane.astype(acc), acc_step, base, acc)
        values = xp.where(lane == 0, base, values)
        out[:vectorised] = values.astype(np_dtype)
    return out


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Values from ``start`` to ``end`` (exclusive) by ``step``, bit for bit as PyTorch's CPU
    kernel computes them (for fewer than 32768 elements, where it runs on one thread).

    >>> numtorch.arange(1, 4)
    tensor([1, 2, 3])
    >>> numtorch.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    end_position = 2
    if end is None:
        start, end, end_position = 0, start, 1
    floating = any(_is_floating(v) for v in (start, end, step))
    start = _number(start, "arange", "start", 1)
    end = _number(end, "arange", "end", end_position)
    step = _number(step, "arange", "step", 3)
    if dtype is None:
        np_dtype = (
            out._data.dtype
            if out is not None
            else (_dtype.get_default_dtype()._np if floating else xp.dtype(xp.int64))
        )
    else:
        np_dtype = xp.dtype(_np_dtype(dtype, "arange"))
    if np_dtype.kind in "cb":
        raise _not_implemented("arange_cpu", np_dtype)
    for v in (start, end, step):
        if isinstance(v, complex):
            raise RuntimeError("value cannot be converted to type double without overflow")
    count = _range_count(start, end, step, np_dtype, inclusive=False)
    if np_dtype.kind in "iu":
        start, step = _py_int(start), _py_int(step)
    data = _arange_values(start, step, count, np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def _range_count(start, end, step, np_dtype, inclusive: builtins.bool) -> int:
    integer = np_dtype.kind in "iu"
    xstart: float
    xend: float
    xstep: float
    if integer:
        if step != 0 and _py_int(step) == 0:
            raise ValueError("step must be nonzero")
        xstart, xend, xstep = _py_int(start), _py_int(end), _py_int(step)
    else:
        acc = xp.float32 if np_dtype == xp.float16 else xp.float64
        xstart, xend, xstep = (float(acc(v)) for v in (start, end, step))
    if xstep == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(xstart) and math.isfinite(xend)):
        raise RuntimeError(f"unsupported range: {_fmt(xstart)} -> {_fmt(xend)}")
    if not ((xstep > 0 and xend >= xstart) or (xstep < 0 and xend <= xstart)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if inclusive:
        size_d = (
            math.floor((xend - xstart) / xstep) + 1
            if not integer
            else ((xend - xstart) // xstep + 1)
        )
        return _py_int(size_d)
    if np_dtype == xp.int64:
        sgn = (xstep > 0) - (xstep < 0)
        size_d = float((xend - xstart + xstep - sgn) // xstep)
    else:
        size_d = (float(end) - float(start)) / float(step)
        size_d = math.ceil(size_d) if math.isfinite(size_d) else size_d
    if not (0 <= size_d <= 2**63 - 1):
        raise RuntimeError("invalid size, possible overflow?")
    return _py_int(size_d)


def _fmt(value) -> str:
    if isinstance(value, _py_float):
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        if math.isnan(value):
            return "nan"
        if value == _py_int(value):
            return str(_py_int(value))
    return str(value)


def range(  # noqa: A001
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Deprecated in PyTorch: like arange but ``end`` is included; float by default."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        start, end = 0, start
    start = _number(start, "range", "start", 1)
    end = _number(end, "range", "end", 2)
    step = _number(step, "range", "step", 3)
    np_dtype = xp.dtype(_float_np(dtype, "range"))
    if np_dtype.kind in "cb":
        raise _not_implemented("range_cpu", np_dtype)
    count = _range_count(start, end, step, np_dtype, inclusive=True)
    if np_dtype.kind in "iu":
        values = (_py_int(start) + xp.arange(count, dtype=xp.int64) * _py_int(step)).astype(
            np_dtype
        )
    else:
        acc = xp.float32 if np_dtype == xp.float16 else xp.float64
        index = xp.arange(count, dtype=acc)
        values = (acc(start) + index * acc(step)).astype(np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(values))
    return _finish(values, requires_grad, device)


def _linspace_values(start, end, steps: int, np_dtype):
    """linspace_kernel: ``start + step * i`` for the first half, ``end - step * (steps - i - 1)``
    for the second, in the output type (FMAs for float/double; step in double for integers)."""
    np_dtype = xp.dtype(np_dtype)
    s: Any
    e: Any
    idx = xp.arange(steps, dtype=xp.int64)
    half = steps // 2
    if steps == 1:
        return _fill_value_array((1,), start, np_dtype, check=False)
    if np_dtype.kind == "c":
        s, e = complex(start), complex(end)
        real = xp.float32 if np_dtype == xp.complex64 else xp.float64
        parts = []
        for a, b in ((s.real, e.real), (s.imag, e.imag)):
            parts.append(_linspace_values(a, b, steps, real))
        return (parts[0] + 1j * parts[1].astype(np_dtype)).astype(np_dtype)
    if np_dtype.kind in "iu":
        s = _random._truncate_to_int(xp.array([float(start)]), xp.dtype(xp.int64))[0]
        e = _random._truncate_to_int(xp.array([float(end)]), xp.dtype(xp.int64))[0]
        s = xp.array(s).astype(np_dtype).astype(xp.float64)
        e = xp.array(e).astype(np_dtype).astype(xp.float64)
        step = (e - s) / (steps - 1)
        low = _fma(xp.float64(step), idx.astype(xp.float64), s, xp.float64)
        high = _fma(-xp.float64(step), (steps - idx - 1).astype(xp.float64), e, xp.float64)
        values = xp.where(idx < half, low, high)
        return _random._truncate_to_int(values, np_dtype)
    if np_dtype == xp.float16:
        h = xp.float16
        s, e = h(start), h(end)
        step = h(xp.float32(h(xp.float32(e) - xp.float32(s))) / xp.float32(h(steps - 1)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low = (s.astype(xp.float32) + (step * idx.astype(h)).astype(xp.float32)).astype(h)
            far = (steps - idx - 1).astype(h)
            high = (e.astype(xp.float32) - (step * far).astype(xp.float32)).astype(h)
        return xp.where(idx < half, low, high)
    t = np_dtype.type
    s, e = t(start), t(end)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        step = t(t(e - s) / t(steps - 1))
    low = _fma(step, idx.astype(np_dtype), s, np_dtype)
    high = _fma(-step, (steps - idx - 1).astype(np_dtype), e, np_dtype)
    return xp.where(idx < half, low, high).astype(np_dtype)


def _steps_arg(steps, fn) -> int:
    if isinstance(steps, Tensor) and steps._data.ndim == 0 and steps._data.dtype.kind in "iu":
        steps = steps.item()
    if not _is_int_like(steps):
        raise TypeError(
            f"{fn}(): argument 'steps' (position 3) must be int, not {type(steps).__name__}"
        )
    steps = _py_int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return steps


def _space_dtype(start, end, dtype, fn):
    complex_input = any(
        isinstance(v, complex)
        or (
            isinstance(v, (Tensor, xp.generic))
            and xp.dtype(getattr(v, "_data", v).dtype).kind == "c"
        )
        for v in (start, end)
    )
    if dtype is None:
        return xp.dtype(_dtype.default_complex()._np if complex_input else _float_np(None))
    np_dtype = xp.dtype(_np_dtype(dtype, fn))
    if complex_input and np_dtype.kind != "c":
        inferred = (
            "c10::complex<double>"
            if _dtype.default_complex() is _dtype.complex128
            else ("c10::complex<float>")
        )
        raise RuntimeError(
            f"torch.{fn}(): inferred dtype {inferred} can't be safely cast to passed dtype "
            f"{_dtype.SCALAR_NAMES[np_dtype.name]}"
        )
    if np_dtype.kind == "b":
        raise _not_implemented(f"{fn}_cpu", np_dtype)
    return np_dtype


def linspace(
    start,
    end,
    steps,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive (PyTorch's bits).

    >>> numtorch.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    steps = _steps_arg(steps, "linspace")
    np_dtype = _space_dtype(start, end, dtype, "linspace")
    start = _number(start, "linspace", "start", 1)
    end = _number(end, "linspace", "end", 2)
    data = _linspace_values(start, end, steps, np_dtype) if steps else xp.empty(0, np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def logspace(
    start,
    end,
    steps,
    base=10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """``base ** linspace(start, end, steps)``.

    >>> numtorch.logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    steps = _steps_arg(steps, "logspace")
    np_dtype = _space_dtype(start, end, dtype, "logspace")
    start = _number(start, "logspace", "start", 1)
    end = _number(end, "logspace", "end", 2)
    if not steps:
        data = xp.empty(0, np_dtype)
    elif steps == 1 and np_dtype.kind in "iu":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = xp.power(float(base), xp.array([float(start)]))
        data = _random._truncate_to_int(value, np_dtype)
    elif steps == 1 or np_dtype.kind == "c":
        data = xp.power(
            complex(base) if np_dtype.kind == "c" else float(base),
            _linspace_values(start, end, steps, np_dtype),
        ).astype(np_dtype)
    else:
        # logspace_kernel: the exponents as linspace's (without FMAs), then std::pow; integer
        # types truncate start, end and base first and work in double.
        idx = xp.arange(steps, dtype=xp.float64)
        if np_dtype.kind in "iu":
            s, e, b, work = float(_py_int(start)), float(_py_int(end)), float(_py_int(base)), None
        else:
            work = xp.float64 if np_dtype == xp.float64 else xp.float32
            s, e, b = (float(work(v)) for v in (start, end, base))
        step = (e - s) / (steps - 1)
        if work is xp.float32:
            step = float(xp.float32(xp.float32(e) - xp.float32(s)) / xp.float32(steps - 1))
        low = s + step * idx
        high = e - step * (steps - idx - 1)
        exponents = xp.where(idx < steps // 2, low, high)
        if work is xp.float32:
            exponents = xp.float32(s) + xp.float32(step) * idx.astype(xp.float32)
            high32 = xp.float32(e) - xp.float32(step) * (steps - idx - 1).astype(xp.float32)
            exponents = xp.where(idx < steps // 2, exponents, high32).astype(xp.float64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values = xp.power(b, exponents)
            if np_dtype.kind in "iu":
                data = _random._truncate_to_int(values, np_dtype)
            else:
                data = values.astype(np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def eye(
    n,
    m=None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """The identity matrix (``n`` x ``m``).

    >>> numtorch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    for name, value, pos in (("n", n, 1), ("m", m, 2)):
        if value is None:
            continue
        if not _is_int_like(value):
            raise TypeError(
                f"eye(): argument '{name}' (position {pos}) must be int, not {type(value).__name__}"
            )
        if _py_int(value) < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {_py_int(value)}")
    n = _py_int(n)
    m = n if m is None else _py_int(m)
    np_dtype = out._data.dtype if (out is not None and dtype is None) else _float_np(dtype, "eye")
    data = xp.eye(n, m, dtype=np_dtype)
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


# -- random -------------------------------------------------------------------------------------


class Generator:
    """A random generator with PyTorch's CPU algorithm, as torch.Generator.

    >>> g = numtorch.Generator().manual_seed(0)
    >>> numtorch.rand(2, generator=g)
    tensor([0.4963, 0.7682])
    """

    def __init__(self, device="cpu"):
        self._impl = _random.Generator()
        self.device = _device(device)

    def manual_seed(self, seed) -> Generator:
        self._impl.manual_seed(int(seed))
        return self

    def seed(self) -> int:
        return self._impl.seed()

    def initial_seed(self) -> int:
        return self._impl.initial_seed()

    def get_state(self) -> Tensor:
        return make(self._impl.get_state())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state._data.dtype != xp.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        self._impl.set_state(new_state._data)
        return self

    def __repr__(self) -> str:
        return f"<{__package__.split('.')[0]}._C.Generator object at {hex(id(self))}>"


default_generator = Generator.__new__(Generator)
default_generator._impl = _random.default_generator
default_generator.device = _device("cpu")


def _gen(generator):
    return (generator or default_generator)._impl


def manual_seed(seed) -> Generator:
    """Seeds the default generator (same stream as PyTorch's for the same seed).

    >>> _ = numtorch.manual_seed(0); numtorch.rand(2)
    tensor([0.4963, 0.7682])
    """
    default_generator.manual_seed(seed)
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state, as a uint8 tensor in PyTorch's byte layout."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _random_out(data, out, requires_grad, device):
    if out is not None:
        from ._common import write_out

        return write_out(out, make(data))
    return _finish(data, requires_grad, device)


def _random_float_dtype(dtype, out, op: str, fn: str):
    if dtype is None and out is not None:
        np_dtype = out._data.dtype
    else:
        np_dtype = xp.dtype(_float_np(dtype, fn))
    if np_dtype.kind not in "f":
        raise _not_implemented(op, np_dtype)
    return np_dtype


def rand(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    **kwargs,
):
    """Uniform samples in [0, 1).

    >>> _ = numtorch.manual_seed(0); numtorch.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    size_kw = kwargs.pop("size", None)
    _no_kwargs("rand", kwargs)
    shape = _size_arg("rand", size, size_kw)
    np_dtype = _random_float_dtype(dtype, out, "check_uniform_bounds", "rand")
    data = _random.uniform(_gen(generator), shape, np_dtype)
    return _random_out(data, out, requires_grad, device)


def randn(
    *size,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    **kwargs,
):
    """Standard normal samples.

    >>> _ = numtorch.manual_seed(0); numtorch.randn(3)
    tensor([ 1.5410, -0.2934, -2.1788])
    """
    size_kw = kwargs.pop("size", None)
    _no_kwargs("randn", kwargs)
    shape = _size_arg("randn", size, size_kw)
    np_dtype = _random_float_dtype(dtype, out, "normal_kernel_cpu", "randn")
    data = _random.normal(_gen(generator), shape, np_dtype)
    return _random_out(data, out, requires_grad, device)


def randint(
    low=0,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Integers uniform in ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)``.

    >>> _ = numtorch.manual_seed(0); numtorch.randint(10, (3,))
    tensor([4, 9, 3])
    """
    if size is None and isinstance(high, (tuple, list)):
        low, high, size = 0, low, high
    elif high is None and size is not None:
        low, high = 0, low
    if size is None or high is None:
        raise TypeError(
            "randint() received an invalid combination of arguments - got missing 'size'"
        )
    low, high = (
        _py_int(_number(low, "randint", "low", 1)),
        _py_int(_number(high, "randint", "high", 2)),
    )
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    shape = _check_sizes(_shape((size,), "randint", allow_varargs=False), "randint")
    if dtype is None:
        np_dtype = out._data.dtype if out is not None else xp.dtype(xp.int64)
    else:
        np_dtype = _np_dtype(dtype, "randint")
    data = _random.randint(_gen(generator), low, high, shape, np_dtype)
    return _random_out(data, out, requires_grad, device)


def randperm(
    n,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """A random permutation of ``0..n-1``."""
    if not _is_int_like(n):
        raise TypeError(
            f"randperm(): argument 'n' (position 1) must be int, not {type(n).__name__}"
        )
    if dtype is None:
        np_dtype = out._data.dtype if out is not None else xp.dtype(xp.int64)
    else:
        np_dtype = _np_dtype(dtype, "randperm")
    data = _random.randperm(_gen(generator), _py_int(n), np_dtype)
    return _random_out(data, out, requires_grad, device)


def rand_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(
    input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
):
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(
    input,
    low=0,
    high=None,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


def normal(
    mean,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
):
    """Normal samples: ``mean``/``std`` numbers (with ``size``) or tensors (elementwise)."""
    gen = _gen(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if isinstance(std, Tensor) and (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        data = _random.normal_tensor(
            gen,
            mean._data if isinstance(mean, Tensor) else mean,
            std._data if isinstance(std, Tensor) else std,
        )
        return make(data)
    if size is None:
        raise TypeError(
            "normal() received an invalid combination of arguments - got (float, "
            "float), but expected a size"
        )
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(float(std))}")
    shape = _check_sizes(_shape((size,), "normal", allow_varargs=False), "normal")
    np_dtype = _random_float_dtype(dtype, out, "normal_kernel_cpu", "normal")
    data = _random.normal(gen, shape, np_dtype, mean, std)
    return _random_out(data, out, requires_grad, device)


def _fill_random(self, values_fn):
    """Fills ``self`` in place with values produced in PyTorch's memory order."""
    data = self._data
    contiguous = data.flags.c_contiguous
    values = values_fn(contiguous)
    if not contiguous:
        strides = tuple(s // data.itemsize for s in data.strides)
        values = _random.scatter_in_memory_order(values, data.shape, strides)
    from ..autograd.grad_mode import no_grad

    with no_grad():
        self._check_inplace()
        xp.copyto(data, values.reshape(data.shape), casting="unsafe")
    self._vc[0] += 1
    return self


@tensor_method()
def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fills with uniform samples in ``[a, b)``."""
    if self._data.dtype.kind != "f":
        raise _not_implemented("check_uniform_bounds", self._data.dtype)
    self._check_inplace()
    return _fill_random(
        self,
        lambda contiguous: _random.uniform(
            _gen(generator), self._data.size, self._data.dtype, a, b
        ),
    )


@tensor_method()
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fills with normal samples."""
    if self._data.dtype.kind != "f":
        raise _not_implemented("normal_kernel_cpu", self._data.dtype)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(float(std))}")
    self._check_inplace()
    return _fill_random(
        self,
        lambda contiguous: _random.normal(
            _gen(generator), self._data.size, self._data.dtype, mean, std, contiguous
        ),
    )


@tensor_method()
def random_(self, from_=0, to=None, *, generator=None):
    """Fills with integers in ``[from, to)`` (the dtype's full range when no bounds)."""
    self._check_inplace()
    if to is None and from_ == 0:
        fn = lambda c: _random.random_(_gen(generator), self._data.size, self._data.dtype)  # noqa: E731
    else:
        if to is None:
            from_, to = 0, from_
        fn = lambda c: _random.randint(  # noqa: E731
            _gen(generator), from_, to, self._data.size, self._data.dtype
        )
    return _fill_random(self, fn)


@tensor_method()
def bernoulli_(self, p=0.5, *, generator=None):
    self._check_inplace()
    if isinstance(p, Tensor):
        values = _random.bernoulli(_gen(generator), xp.broadcast_to(p._data, self._data.shape))
        return _fill_random(self, lambda c: values.reshape(-1))
    return _fill_random(
        self,
        lambda c: _random.bernoulli_scalar(_gen(generator), self._data.size, self._data.dtype, p),
    )


@tensor_method()
def exponential_(self, lambd=1.0, *, generator=None):
    self._check_inplace()
    return _fill_random(
        self,
        lambda c: _random.exponential(_gen(generator), self._data.size, self._data.dtype, lambd),
    )


@tensor_method()
def geometric_(self, p, *, generator=None):
    """Fills with geometric samples: trials up to the first success of probability ``p``."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    self._check_inplace()
    return _fill_random(
        self, lambda c: _random.geometric(_gen(generator), self._data.size, self._data.dtype, p)
    )


@tensor_method()
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fills with Cauchy samples ``median + sigma * tan(pi * (u - 0.5))``."""
    self._check_inplace()
    return _fill_random(
        self,
        lambda c: _random.cauchy(_gen(generator), self._data.size, self._data.dtype, median, sigma),
    )


@tensor_method()
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fills with ``exp`` of normal samples of the given ``mean`` and ``std``."""
    if std <= 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(float(std))}")
    self._check_inplace()
    return _fill_random(
        self,
        lambda c: _random.log_normal(_gen(generator), self._data.size, self._data.dtype, mean, std),
    )


def bernoulli(input, p=None, *, generator=None, out=None):
    """Samples 1 with probability ``input`` (elementwise), else 0."""
    if p is not None:
        return zeros_like(input).bernoulli_(p, generator=generator)
    return make(_random.bernoulli(_gen(generator), input._data))


setattr(Tensor, "bernoulli", bernoulli)  # noqa: B010


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (unnormalised probabilities)."""
    return make(_random.multinomial(_gen(generator), input._data, num_samples, replacement))


setattr(Tensor, "multinomial", multinomial)  # noqa: B010


def poisson(input, generator=None):
    return make(_random.poisson(_gen(generator), input._data))
