"""Helpers shared by the op families: Tensor-method registration, argument checks, errors."""

from __future__ import annotations

from .. import _backend, _dtype
from .._errors import hinted
from .._tensor import Tensor, make

xp = _backend.numpy  # the CPU module; ops receive their own through ctx.xp


def tensor_method(*names):
    """Registers a function as Tensor method(s) too: ``x.sum()`` is ``numtorch.sum(x)``."""

    def register(fn):
        for name in names or (fn.__name__,):
            setattr(Tensor, name, fn)
        return fn

    return register


def to_tensor(value, like: Tensor | None = None) -> Tensor:
    """A Python number or sequence as a tensor (numbers keep PyTorch's scalar dtypes)."""
    if isinstance(value, Tensor):
        return value
    from .creation import tensor

    return tensor(value)


def shape_str(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def broadcast_error(a_shape, b_shape) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast."""
    a, b = tuple(a_shape), tuple(b_shape)
    n = max(len(a), len(b))
    a2 = (1,) * (n - len(a)) + a
    b2 = (1,) * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if a2[i] != b2[i] and a2[i] != 1 and b2[i] != 1:
            return hinted(
                RuntimeError(
                    f"The size of tensor a ({a2[i]}) must match the size of tensor b ({b2[i]}) "
                    f"at non-singleton dimension {i}"
                ),
                f"shapes {list(a)} and {list(b)} are lined up from their last dimension: at "
                f"dimension {i} one has {a2[i]} and the other {b2[i]}, and broadcasting needs "
                "equal sizes or a 1. Reshape one so they fit (.unsqueeze(-1) or .view(...) adds "
                "a size-1 dimension), or transpose it if its dimensions are in the other order.",
            )
    return RuntimeError(f"shapes {list(a)} and {list(b)} are not broadcastable")


def wrap_dim(dim: int, ndim: int) -> int:
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if dim < low or dim > high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % ndim if ndim else 0


def wrap_dims(dim, ndim: int) -> tuple:
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        d = next(d for d in out if out.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


def float_array(x):
    """Integer and bool arrays become the default float dtype (PyTorch's int -> float ops)."""
    if x.dtype.kind in "biu":
        return x.astype(_dtype.get_default_dtype()._np)
    return x


def check_out(out, name: str, *inputs) -> None:
    if out is not None and any(getattr(t, "_requires_grad", False) for t in inputs):
        from ..autograd.grad_mode import STATE

        if STATE.grad_enabled:
            raise RuntimeError(
                f"{name}(): functions with out=... arguments don't support automatic "
                "differentiation, but one of the arguments requires grad."
            )


def write_out(out: Tensor, result: Tensor) -> Tensor:
    """Copies ``result`` into the ``out=`` tensor, resizing it when the shape differs."""
    if out._data.dtype != result._data.dtype:
        from .._dtype import FROM_NP, can_cast
        from .._tensor import _short_name

        if not can_cast(FROM_NP[result._data.dtype], FROM_NP[out._data.dtype]):
            raise RuntimeError(
                f"result type {_short_name(result._data.dtype)} can't be cast to the desired "
                f"output type {_short_name(out._data.dtype)}"
            )
    if out._data.shape != result._data.shape:
        if out._data.size:
            import warnings

            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(result._data.shape)}. This behavior is deprecated, and in a future "
                "PyTorch release outputs will not be resized unless they have zero elements. "
                "You can explicitly reuse an out tensor t by resizing it, inplace, to zero "
                "elements with t.resize_(0). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)",
                UserWarning,
                stacklevel=3,
            )
        out._data = xp.empty(result._data.shape, out._data.dtype)
    xp.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


__all__ = [
    "Tensor",
    "make",
    "tensor_method",
    "to_tensor",
    "broadcast_error",
    "wrap_dim",
    "wrap_dims",
    "float_array",
    "check_out",
    "write_out",
    "shape_str",
    "xp",
]
