# mypy: disable-error-code="operator, attr-defined, assignment, arg-type, return-value"
"""The arithmetic of PyTorch's single-tensor optimizer steps, on NumPy arrays.

Every helper computes in the array's own dtype with Python scalars rounded to it first, as ATen's
CPU kernels do. Where those kernels fuse a multiply and an add (``add(alpha=)``, ``lerp``,
``addcmul``: PyTorch's AVX2/AVX-512 builds emit vfmadd for them) the result is rounded once, so
trajectories agree with PyTorch bit for bit rather than drifting by an ulp per step.
"""

from __future__ import annotations

import numpy as np

from .. import _random
from .._tensor import Tensor


def fma(a, b, c):
    """``a * b + c`` rounded once, in the dtype of the operands."""
    dtype = np.result_type(a, b, c)
    if dtype == np.float32 or dtype == np.float16:
        # float32 products are exact in float64, so one float64 sum rounded to float32 is the
        # fused result except for double rounding at an exact float32 tie: a 2**-29 chance per
        # element, bought for a 10x faster step than the bit-exact kernel
        return (np.multiply(a, b, dtype=np.float64) + c).astype(dtype)
    if dtype == np.float64:
        exact = _random._fma_f64
    else:
        return (np.multiply(a, b, dtype=np.float64) + c).astype(dtype)
    shape = np.broadcast_shapes(np.shape(a), np.shape(b), np.shape(c))
    if shape == ():  # the exact kernels index with nonzero(), which 0-d arrays refuse
        return exact(np.reshape(a, 1), b, c).reshape(())
    return exact(a, b, c)


def scalar(value, like: np.ndarray):
    """A Python number (or 0-d tensor) rounded to ``like``'s dtype, as ATen casts a Scalar."""
    if isinstance(value, Tensor):
        value = value.item()
    return like.dtype.type(value)


def add(x, y, alpha=1):
    """``x + alpha * y`` (Tensor.add with alpha)."""
    if alpha == 1:
        return x + y
    return fma(y, scalar(alpha, x), x)


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
