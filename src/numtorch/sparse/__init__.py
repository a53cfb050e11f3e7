"""``numtorch.sparse``: sparse COO tensors, as torch.sparse (the subset GNN code uses).

``sparse_coo_tensor``, ``Tensor.to_sparse``/``to_dense``, ``coalesce``, ``sparse.mm``/``spmm``
(differentiable in both operands, without densifying the sparse one), ``sparse.sum``, sparse
+ sparse, * scalar or dense, ``t()``, and the legacy ``sparse.FloatTensor``/``DoubleTensor``.

Importing this module also gives dense tensors the methods of the sparse API
(``to_sparse``, ``to_dense``, ``sparse_dim``, ``dense_dim``, ``layout`` ...), as in PyTorch.

>>> s = numtorch.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
>>> s.layout
numtorch.sparse_coo
"""

from __future__ import annotations

from typing import Any

from .._tensor import Size, Tensor
from ._coo import (
    SparseCooTensor,
    _raw,
    _warn_once,
    check_sparse_tensor_invariants,
    mm,
    sparse_coo_tensor,
    sparse_sum,
    spmm,
    to_sparse,
)
from ._coo import xp as _xp
from ._layout import layout, sparse_bsc, sparse_bsr, sparse_coo, sparse_csc, sparse_csr, strided

__all__ = [
    "SparseCooTensor",
    "check_sparse_tensor_invariants",
    "mm",
    "spmm",
    "sum",
    "sparse_coo_tensor",
    "FloatTensor",
    "DoubleTensor",
    "layout",
    "strided",
    "sparse_coo",
    "sparse_csr",
    "sparse_csc",
    "sparse_bsr",
    "sparse_bsc",
]

sum = sparse_sum  # torch.sparse.sum; the builtin is not used in this module


def _empty(size: tuple, np_dtype: Any) -> SparseCooTensor:
    return _raw(_xp.zeros((len(size), 0), _xp.int64), _xp.zeros((0,), np_dtype), size, True)


class _LegacyMeta(type):
    _np_dtype: Any

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, SparseCooTensor) and obj._sp_val.dtype == cls._np_dtype

    def __repr__(cls) -> str:
        return f"<class '{cls.__module__}.{cls.__name__}'>"


_TRIGGER = "(Triggered internally at /__w/pytorch/pytorch/torch/csrc/utils/tensor_new.cpp:{})"


class _LegacySparse(metaclass=_LegacyMeta):
    """Base of the deprecated ``sparse.FloatTensor(indices, values[, size])`` constructors."""

    _np_dtype: Any = None

    def __new__(cls, *args: Any, size: Any = None, device: Any = None) -> Any:  # type: ignore[misc]
        np_dtype = cls._np_dtype
        if (
            args
            and all(isinstance(a, int) and not isinstance(a, bool) for a in args)
            or (len(args) == 1 and isinstance(args[0], Size))
        ):
            shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(args)
            _warn_once(
                "legacy-size",
                "torch.sparse.SparseTensor(shape, *, device=) is deprecated.  Please use "
                "torch.sparse_coo_tensor(shape, dtype=, device=). " + _TRIGGER.format(684),
            )
            return _empty(shape, np_dtype)
        if len(args) == 2 and size is None:
            _warn_once(
                "legacy-2",
                "torch.sparse.SparseTensor(indices, values, *, device=) is deprecated.  Please "
                "use torch.sparse_coo_tensor(indices, values, dtype=, device=). "
                + _TRIGGER.format(641),
            )
            return sparse_coo_tensor(*args, check_invariants=False)
        if len(args) == 3 or (len(args) == 2 and size is not None):
            indices, values = args[0], args[1]
            shape = args[2] if len(args) == 3 else size
            _warn_once(
                "legacy-3",
                "torch.sparse.SparseTensor(indices, values, shape, *, device=) is deprecated.  "
                "Please use torch.sparse_coo_tensor(indices, values, shape, dtype=, device=). "
                + _TRIGGER.format(653),
            )
            return sparse_coo_tensor(indices, values, shape, check_invariants=False)
        raise TypeError(f"{cls.__name__}(): invalid arguments")


class FloatTensor(_LegacySparse):
    """Deprecated: ``sparse.FloatTensor(indices, values, size)`` is ``sparse_coo_tensor``.

    >>> s = numtorch.sparse_coo_tensor([[0]], [1.0], (2,))
    >>> isinstance(s, numtorch.sparse.FloatTensor), isinstance(s, numtorch.sparse.DoubleTensor)
    (True, False)
    """

    _np_dtype = _xp.dtype(_xp.float32)


class DoubleTensor(_LegacySparse):
    """Deprecated: as ``FloatTensor``, for float64 values."""

    _np_dtype = _xp.dtype(_xp.float64)


# -- the sparse API on dense tensors, as PyTorch's strided tensors have it ------------------


def _strided_error(name: str) -> RuntimeError:
    return RuntimeError(f"{name} expected sparse coordinate tensor layout but got Strided")


def _dense_to_dense(self: Tensor, dtype: Any = None, *, masked_grad: Any = None) -> Tensor:
    """A dense tensor's ``to_dense()`` is itself (cast when ``dtype`` is given)."""
    return self if dtype is None or dtype is self.dtype else self.to(dtype)


def _dense_raiser(name: str, message: str) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(message)

    method.__name__ = method.__qualname__ = name
    return method


_ATTACH: dict[str, Any] = {
    "to_sparse": to_sparse,
    "to_sparse_coo": to_sparse,
    "to_dense": _dense_to_dense,
    "sparse_dim": lambda self: 0,
    "dense_dim": lambda self: self.dim(),
    "coalesce": _dense_raiser("coalesce", str(_strided_error("coalesce"))),
    "is_coalesced": _dense_raiser("is_coalesced", str(_strided_error("is_coalesced"))),
    "indices": _dense_raiser("indices", str(_strided_error("indices"))),
    "_indices": _dense_raiser("_indices", str(_strided_error("_indices"))),
    "values": _dense_raiser("values", "values expected sparse tensor layout but got Strided"),
    "_values": _dense_raiser("_values", "_values expected sparse tensor layout but got Strided"),
}
for _name, _fn in _ATTACH.items():
    if _name not in Tensor.__dict__:  # never replace a method another module defines
        setattr(Tensor, _name, _fn)
# a layout object, not a string, so ``x.layout == numtorch.strided`` holds
Tensor.layout = property(lambda self: strided)  # type: ignore[method-assign,assignment]
