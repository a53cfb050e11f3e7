# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""The arithmetic of PyTorch's single-tensor optimizer steps, on NumPy arrays.

Every helper computes in the array's own dtype with Python scalars rounded to it first, as ATen's
CPU kernels do. Where those kernels fuse a multiply and an add (``add(alpha=)``, ``lerp``,
``addcmul``: PyTorch's AVX2/AVX-512 builds emit vfmadd for them) the result is rounded once, so
trajectories agree with PyTorch bit for bit rather than drifting by an ulp per step.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _blas, _random
from .._tensor import Tensor

_CHUNK = 1 << 15  # elements per float64 block: the scratch stays in the L2 cache


def fma(a, b, c, out=None):
    """``a * b + c`` rounded once, in the dtype of the operands (into ``out`` if given, which
    may be one of them)."""
    dtype = np.result_type(a, b, c)
    if c.__class__ is np.ndarray and (out is None or out is c) and c.dtype == dtype:
        result = _blas_fma(a, b, c, out)
        if result is not None:
            return result
    if dtype == np.float32 or dtype == np.float16:
        # float32 products are exact in float64, so one float64 sum rounded to float32 is the
        # fused result except for double rounding at an exact float32 tie: a 2**-29 chance per
        # element, bought for a 10x faster step than the bit-exact kernel
        flat = _flat_operands(a, b, c, out)
        if flat is not None:
            result = _fma_blocks(*flat)  # written straight into out, when given
            return result if out is None else out
        result = (np.multiply(a, b, dtype=np.float64) + c).astype(dtype)
        if out is None:
            return result
        np.copyto(out, result, casting="unsafe")
        return out
    if out is not None:
        np.copyto(out, fma(a, b, c), casting="unsafe")
        return out
    if dtype == np.float64:
        exact = _random._fma_f64
    else:
        return (np.multiply(a, b, dtype=np.float64) + c).astype(dtype)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    if shape == ():  # the exact kernels index with nonzero(), which 0-d arrays refuse
        return exact(np.reshape(a, 1), b, c).reshape(())
    return exact(a, b, c)


def _blas_fma(a, b, c, out):
    """``fma`` through the BLAS's fused axpy, when one factor is an array shaped like ``c`` and
    the other a scalar of its dtype; None when the BLAS cannot take it."""
    x, alpha = (a, b) if a.__class__ is np.ndarray else (b, a)
    if (
        x.__class__ is not np.ndarray
        or alpha.__class__ is not c.dtype.type  # a Python float multiplies unrounded
        or c.dtype.kind != "f"
        or x.shape != c.shape
        or x.size < _blas.AXPY_CHUNK
    ):
        return None
    if x is not c and np.may_share_memory(x, c):  # axpy reads x while it writes c
        return None
    target = c if out is not None else c.copy()
    flat_x, flat_target = x.reshape(-1), target.reshape(-1)
    done = _blas.axpy(alpha, flat_x, flat_target)
    if not done:
        return None
    if done < flat_target.size:
        fma(flat_x[done:], alpha, flat_target[done:], out=flat_target[done:])
    return target


def _flat_operands(a, b, c, out):
    """The operands as 1-D views (scalars kept), when all arrays are C-contiguous and of one
    shape, large enough to be worth the blocks; else None."""
    shape = None
    flat = []
    for x in (a, b, c, out):
        if isinstance(x, np.ndarray) and x.ndim:
            if not x.flags.c_contiguous or (shape is not None and x.shape != shape):
                return None
            shape = x.shape
            flat.append(x.reshape(-1))
        else:
            flat.append(x)
    if shape is None or math.prod(shape) < 2 * _CHUNK:
        return None
    if out is None:
        flat[3] = np.empty(math.prod(shape), np.result_type(a, b, c))
    return flat, shape


def _fma_blocks(flat, shape):
    a, b, c, out = flat
    n = out.shape[0]
    scratch = np.empty(min(n, _CHUNK), np.float64)
    for start in range(0, n, _CHUNK):
        stop = min(start + _CHUNK, n)
        tmp = scratch[: stop - start]
        np.multiply(_part(a, start, stop), _part(b, start, stop), out=tmp, dtype=np.float64)
        np.add(tmp, _part(c, start, stop), out=tmp)
        np.copyto(out[start:stop], tmp, casting="unsafe")
    return out.reshape(shape)


def _part(x, start, stop):
    return x[start:stop] if x.__class__ is np.ndarray and x.ndim else x


def scalar(value, like: np.ndarray):
    """A Python number (or 0-d tensor) rounded to ``like``'s dtype, as ATen casts a Scalar."""
    if isinstance(value, Tensor):
        value = value.item()
    return like.dtype.type(value)


def add(x, y, alpha=1, out=None):
    """``x + alpha * y`` (Tensor.add with alpha), into ``out`` if given (which may be x)."""
    if alpha == 1:
        return np.add(x, y, out=out)
    return fma(y, scalar(alpha, x), x, out=out)


def add_(tensor: Tensor, y, alpha=1) -> None:
    """``tensor.add_(y, alpha=alpha)`` on the real view of its data; bumps its version."""
    x = real(tensor._data)
    add(x, y, alpha, out=x)
    tensor._vc[0] += 1


def mul(x, value):
    return x * scalar(value, x)


def lerp(start, end, weight):
    """``start + weight * (end - start)`` with ATen's two-sided formula (exact at weight 1)."""
    w = scalar(weight, start)
    diff = end - start
    if abs(w) < 0.5:
        return fma(w, diff, start)
    return fma(w - w.dtype.type(1), diff, end)


def addcmul(x, t1, t2, value=1):
    """``x + value * t1 * t2``."""
    return fma(scalar(value, x) * t1, t2, x)


def addcdiv(x, t1, t2, value=1):
    """``x + value * t1 / t2`` (no fusion: the division comes last)."""
    return x + scalar(value, x) * t1 / t2


def real(array):
    """A real view of a complex array (``torch.view_as_real``); real arrays pass through."""
    if array.dtype.kind != "c":
        return array
    return np.expand_dims(array, -1).view(array.real.dtype)


def write(tensor: Tensor, values) -> None:
    """Stores ``values`` into ``tensor`` in place and bumps its version counter."""
    np.copyto(real(tensor._data), values, casting="unsafe")
    tensor._vc[0] += 1


def new_tensor(like: Tensor, values) -> Tensor:
    """A fresh tensor of ``like``'s dtype and shape holding ``values`` (given in the real view
    for complex ``like``)."""
    from .._tensor import make

    values = np.array(values, dtype=real(like._data).dtype)
    if like._data.dtype.kind == "c":
        values = values.view(like._data.dtype).reshape(like._data.shape)
    return make(values)


def value(x):
    """A hyperparameter as a Python number (a 0-d/1-element tensor gives its item)."""
    return x.item() if isinstance(x, Tensor) else x
