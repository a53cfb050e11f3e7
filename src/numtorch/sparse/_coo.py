"""Sparse COO tensors: a ``Tensor`` subclass holding ``indices`` and ``values``.

A :class:`SparseCooTensor` is a real ``numtorch.Tensor`` (``isinstance`` checks, autograd,
``requires_grad_``, ``.grad`` all work), so its ``_data`` slot must hold an array with the
right shape and dtype: the engine and ``Function.apply`` read them there. That array is a
:class:`_Placeholder`, a read-only zero-strided view of one zero element (no memory per
element) whose every NumPy computation raises PyTorch's "Could not run 'aten::...' with
arguments from the 'SparseCPU' backend" error. Dense ops that this module does not override
therefore fail loudly instead of computing on zeros.

Gradients follow PyTorch: ``torch.sparse.mm`` gives a sparse leaf a sparse gradient masked to
its pattern, ``torch.spmm``/``mm``/``@`` a dense one, and values passed to
``sparse_coo_tensor`` get one gradient per stored entry (duplicates included).
"""

from __future__ import annotations

import sys
import warnings
import weakref
from typing import Any

from .. import _dtype
from .._printing import PRINT_OPTS, _data_str
from .._tensor import Size, Tensor, make
from ..autograd.function import Function
from ..autograd.grad_mode import STATE
from ..ops._common import xp
from . import _kernels as K
from ._layout import sparse_coo

__all__ = [
    "SparseCooTensor",
    "sparse_coo_tensor",
    "check_sparse_tensor_invariants",
    "spmm",
    "mm",
    "sparse_sum",
    "to_sparse",
]

_PKG = (__package__ or "numtorch.sparse").split(".")[0]

_BACKEND_TAIL = (
    " with arguments from the 'SparseCPU' backend. This could be because the operator "
    "doesn't exist for this backend, or was omitted during the selective/custom build process "
    "(if using custom build)."
)
# NumPy's names where ATen's differ, for the error of a dense op reaching a sparse tensor
_ATEN_NAMES = {
    "add": "add.Tensor",
    "subtract": "sub.Tensor",
    "multiply": "mul.Tensor",
    "true_divide": "div.Tensor",
    "divide": "div.Tensor",
    "negative": "neg",
    "equal": "eq.Tensor",
    "not_equal": "ne.Tensor",
    "less": "lt.Tensor",
    "greater": "gt.Tensor",
    "maximum": "maximum",
    "absolute": "abs",
}


def backend_error(name: str) -> NotImplementedError:
    """PyTorch's error for an op with no SparseCPU kernel."""
    return NotImplementedError(f"Could not run 'aten::{name}'{_BACKEND_TAIL}")


def _op_name_from_stack(fallback: str) -> str:
    """The ATen-style name of the built-in op whose forward touched a sparse tensor's data.

    Ops run ``forward(ctx, ...)`` with ``ctx`` a node of class ``<Op>Backward<n>``; its name is
    the op's. Only the error path pays for this walk."""
    frame: Any = sys._getframe(2)
    for _ in range(8):
        if frame is None:
            break
        ctx = frame.f_locals.get("ctx")
        cls = getattr(ctx, "_forward_cls", None)
        if cls is not None:
            name = cls.__name__.rstrip("0123456789")
            snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
            return snake
        frame = frame.f_back
    return _ATEN_NAMES.get(fallback, fallback)


class _Placeholder(xp.ndarray):
    """The ``_data`` of a sparse tensor: shape and dtype only. Any computation raises."""

    _owner: Any = None  # weakref to the sparse tensor, for the engine's in-place .grad sum

    def __array_finalize__(self, obj: Any) -> None:
        if isinstance(obj, _Placeholder):
            # a view, copy or cast of a sparse tensor's data: a dense op got a sparse input
            raise backend_error(_op_name_from_stack("view"))

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if ufunc is xp.add and method == "__call__" and out is not None and len(inputs) == 2:
            # the engine accumulates a second gradient into .grad with ``old._data += new``
            return _accumulate_into(out[0], inputs[0], inputs[1])
        raise backend_error(_op_name_from_stack(ufunc.__name__))

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise backend_error(_op_name_from_stack(func.__name__))

    def tolist(self) -> Any:  # type: ignore[override]
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    def item(self, *args: Any) -> Any:  # type: ignore[override]
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")


def _owner_of(data: Any) -> Any:
    if isinstance(data, _Placeholder) and data._owner is not None:
        return data._owner()
    return None


def _accumulate_into(out: Any, a: Any, b: Any) -> Any:
    old, new = _owner_of(a), _owner_of(b)
    if old is not None and out is a:
        if new is None:
            raise RuntimeError("cannot add a dense gradient to a sparse .grad in place")
        total = _raw_add(old, new)
        old._set_parts(total._sp_idx, total._sp_val, total._sp_coal)
        return out
    if new is not None and out is a and old is None:  # a dense .grad plus a sparse gradient
        _scatter_add(a, new)
        return out
    raise backend_error("add.Tensor")


def _scatter_add(dense: Any, sp: SparseCooTensor) -> None:
    xp.add.at(dense, tuple(sp._sp_idx), sp._sp_val)


def _placeholder(shape: tuple, np_dtype: Any) -> _Placeholder:
    one = xp.zeros(1, np_dtype)  # one element backs every position: zero strides
    arr = xp.ndarray(shape, np_dtype, buffer=one, strides=(0,) * len(shape))
    ph = arr.view(_Placeholder)
    ph.flags.writeable = False
    return ph


def _wrap(values: Any) -> Tensor:
    return make(values)


def _sparse_only(name: str) -> NotImplementedError:
    return NotImplementedError(
        f"{name} on a sparse COO tensor is not implemented in numtorch (PyTorch supports it); "
        "call .to_dense() first"
    )


class SparseCooTensor(Tensor):
    """A sparse tensor in coordinate format, as a PyTorch tensor of layout ``sparse_coo``.

    Made by :func:`numtorch.sparse_coo_tensor`, ``Tensor.to_sparse()`` or the legacy
    ``numtorch.sparse.FloatTensor(indices, values, size)``.

    >>> s = numtorch.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
    >>> s.to_dense()
    tensor([[0., 2.],
            [3., 0.]])
    """

    __slots__ = ()

    # instance fields (in __dict__), set by _set_parts
    _sp_idx: Any
    _sp_val: Any
    _sp_coal: bool

    def __new__(cls, *args: Any, **kwargs: Any) -> SparseCooTensor:
        raise TypeError(
            "SparseCooTensor cannot be constructed directly; use numtorch.sparse_coo_tensor"
        )

    def _set_parts(self, indices: Any, values: Any, coalesced: bool) -> None:
        self._sp_idx = indices
        self._sp_val = values
        self._sp_coal = bool(coalesced)

    # -- metadata ---------------------------------------------------------------------------
    @property
    def is_sparse(self) -> bool:
        return True

    @property
    def layout(self):
        return sparse_coo

    def sparse_dim(self) -> int:
        return int(self._sp_idx.shape[0])

    def dense_dim(self) -> int:
        return int(self._sp_val.ndim - 1)

    def _nnz(self) -> int:
        return int(self._sp_idx.shape[1])

    def is_coalesced(self) -> bool:
        return self._sp_coal

    def _sparse_sizes(self) -> tuple:
        return tuple(self._data.shape[: self.sparse_dim()])

    def _indices(self) -> Tensor:
        """The stored indices, duplicates and all (no autograd), as ``Tensor._indices``."""
        return _wrap(self._sp_idx)

    def _values(self) -> Tensor:
        """The stored values (detached), as ``Tensor._values``."""
        return _wrap(self._sp_val)

    def indices(self) -> Tensor:
        if not self._sp_coal:
            raise RuntimeError(
                "Cannot get indices on an uncoalesced tensor, please call .coalesce() first"
            )
        return _wrap(self._sp_idx)

    def values(self) -> Tensor:
        """The values of a coalesced tensor; differentiable, as ``Tensor.values``.

        >>> numtorch.sparse_coo_tensor([[0, 0]], [1.0, 2.0], (3,)).coalesce().values()
        tensor([3.])
        """
        if not self._sp_coal:
            raise RuntimeError(
                "Cannot get values on an uncoalesced tensor, please call .coalesce() first"
            )
        if STATE.grad_enabled and self._requires_grad:
            return _Values.apply(self)
        return _wrap(self._sp_val)

    # -- conversions ------------------------------------------------------------------------
    def coalesce(self) -> SparseCooTensor:
        """Sorted unique indices with duplicates summed; ``self`` when already coalesced.

        >>> numtorch.sparse_coo_tensor([[1, 0, 1]], [1.0, 2.0, 3.0], (2,)).coalesce().values()
        tensor([2., 4.])
        """
        if self._sp_coal:
            return self
        return _Coalesce.apply(self)

    def to_dense(self, dtype: Any = None, *, masked_grad: Any = None) -> Tensor:
        """The dense tensor this sparse tensor represents (duplicates summed).

        >>> numtorch.sparse_coo_tensor([[0, 0]], [1.0, 2.0], (2,)).to_dense()
        tensor([3., 0.])
        """
        out = _ToDense.apply(self)
        return out if dtype is None else out.to(dtype)

    def to_sparse(self, sparse_dim: Any = None, *, layout: Any = None, **kwargs: Any) -> Any:
        if layout not in (None, sparse_coo):
            raise _sparse_only(f"to_sparse(layout={layout})")
        if sparse_dim is not None and sparse_dim != self.sparse_dim():
            raise RuntimeError(
                f"to_sparse: conversion from Sparse to Sparse with sparse_dim argument != "
                f"self.sparse_dim() is not supported (got {sparse_dim} and "
                f"{self.sparse_dim()})"
            )
        return self

    to_sparse_coo = to_sparse

    def detach(self) -> SparseCooTensor:
        return _raw(self._sp_idx, self._sp_val, self.shape, self._sp_coal)

    def clone(self, *, memory_format: Any = None) -> SparseCooTensor:
        if STATE.grad_enabled and self._requires_grad:
            return _MapValues.run(self, "Clone", lambda v: v.copy(), lambda g: g)
        return _raw(self._sp_idx.copy(), self._sp_val.copy(), self.shape, self._sp_coal)

    @property  # type: ignore[override]
    def data(self) -> SparseCooTensor:
        return self.detach()

    @data.setter
    def data(self, value: Any) -> None:
        if not isinstance(value, SparseCooTensor):
            raise RuntimeError("data set to a tensor that requires gradients must be sparse")
        self._data = _placeholder(tuple(value.shape), value._sp_val.dtype)
        self._data._owner = weakref.ref(self)
        self._set_parts(value._sp_idx, value._sp_val, value._sp_coal)

    def to(self, *args: Any, **kwargs: Any) -> SparseCooTensor:
        """Casts the values (devices other than the CPU raise as for dense tensors)."""
        cast = self._values().to(*args, **kwargs)
        if cast.dtype is self.dtype:
            return self
        return self._cast(cast._data.dtype)

    def _cast(self, np_dtype: Any) -> SparseCooTensor:
        if np_dtype == self._sp_val.dtype:
            return self
        if STATE.grad_enabled and self._requires_grad:
            old = self._sp_val.dtype
            return _MapValues.run(
                self, "ToCopy", lambda v: v.astype(np_dtype), lambda g: g._to_np_dtype(old)
            )
        return _raw(self._sp_idx, self._sp_val.astype(np_dtype), self.shape, self._sp_coal)

    def float(self, memory_format: Any = None) -> SparseCooTensor:
        return self._cast(xp.float32)

    def double(self, memory_format: Any = None) -> SparseCooTensor:
        return self._cast(xp.float64)

    def cpu(self, memory_format: Any = None) -> SparseCooTensor:
        return self

    def type(self, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
        if dtype is None:
            from .._tensor import legacy_type_name

            return legacy_type_name(self._sp_val.dtype).replace(f"{_PKG}.", f"{_PKG}.sparse.")
        return self.to(dtype)

    # -- shape ops --------------------------------------------------------------------------
    def t(self) -> SparseCooTensor:
        """The transpose of a 2-D sparse tensor (its indices' rows swapped).

        >>> numtorch.sparse_coo_tensor([[0], [1]], [1.0], (2, 3)).t().shape
        numtorch.Size([3, 2])
        """
        if self.sparse_dim() > 2 or self.dense_dim() != 0:
            raise RuntimeError(
                "t() expects a tensor with <= 2 sparse and 0 dense dimensions, but got "
                f"{self.sparse_dim()} sparse and {self.dense_dim()} dense dimensions"
            )
        if self.dim() < 2:
            return self
        return _Transpose.apply(self, 0, 1)

    def transpose(self, dim0: int, dim1: int) -> SparseCooTensor:
        d0, d1 = self._wrap_dim(dim0), self._wrap_dim(dim1)
        sd = self.sparse_dim()
        if d0 == d1:
            return self
        if d0 >= sd or d1 >= sd:
            raise _sparse_only("transpose of dense dimensions")
        return _Transpose.apply(self, d0, d1)

    def reshape(self, *shape: Any) -> Tensor:
        raise RuntimeError("reshape is not implemented for sparse tensors")

    def view(self, *shape: Any) -> Tensor:
        raise backend_error("view")

    def contiguous(self, memory_format: Any = None) -> Tensor:
        raise RuntimeError("unsupported memory format option Contiguous")

    def __getitem__(self, key: Any) -> Tensor:
        raise _sparse_only("indexing")

    def __setitem__(self, key: Any, value: Any) -> None:
        raise _sparse_only("index assignment")

    def __iter__(self) -> Any:
        raise _sparse_only("iteration")

    # -- numbers and arrays -----------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> Any:
        raise TypeError("can't convert Sparse layout tensor to numpy. Use Tensor.to_dense() first.")

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        self.numpy()

    def tolist(self) -> Any:
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    def data_ptr(self) -> int:
        raise RuntimeError("Cannot access data pointer of Tensor that doesn't have storage")

    def item(self) -> Any:
        if self.numel() != 1:
            raise RuntimeError(
                f"a Tensor with {self.numel()} elements cannot be converted to Scalar"
            )
        return self._sp_val.sum().item()

    # -- arithmetic -------------------------------------------------------------------------
    def add(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if isinstance(other, SparseCooTensor):
            _check_same_size(self, other, "add")
            return _Add.apply(self, other, alpha)
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")

    def __add__(self, other: Any) -> Tensor:
        return self.add(other)

    def __radd__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):  # dense + sparse: dense, as PyTorch
            _check_same_size(other, self, "add")
            return _DenseAddSparse.apply(other, self, 1)
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")

    def sub(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if isinstance(other, SparseCooTensor):
            return self.add(other, alpha=-alpha)
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")

    def __sub__(self, other: Any) -> Tensor:
        return self.sub(other)

    def __rsub__(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            _check_same_size(other, self, "sub")
            return _DenseAddSparse.apply(other, self, -1)
        raise RuntimeError("add(sparse, dense) is not supported. Use add(dense, sparse) instead.")

    def mul(self, other: Any) -> Any:
        if isinstance(other, SparseCooTensor):
            _check_same_size(self, other, "mul")
            return _MulSparse.apply(self, other)
        if isinstance(other, Tensor):
            if other.dim() == 0:
                return _MulScalar.apply(self, other.item())
            if tuple(other.shape) != tuple(self.shape):
                raise _sparse_only("broadcasting multiplication by a dense tensor")
            return _MulDense.apply(self, other)
        if isinstance(other, (bool, int, float, complex)):
            return _MulScalar.apply(self, other)
        return NotImplemented

    __mul__ = mul

    def __rmul__(self, other: Any) -> Any:
        return self.mul(other)

    def div(self, other: Any, *, rounding_mode: Any = None) -> SparseCooTensor:
        if isinstance(other, Tensor):
            if other.dim() != 0:
                raise RuntimeError(
                    "Sparse division requires a scalar or zero-dim dense tensor divisor (got "
                    f"shape {list(other.shape)} for divisor)"
                )
            other = other.item()
        if rounding_mode is not None:
            raise _sparse_only(f"div(rounding_mode={rounding_mode!r})")
        return _DivScalar.apply(self, other)

    __truediv__ = div

    def neg(self) -> SparseCooTensor:
        return _MapValues.run(self, "Neg", lambda v: -v, lambda g: -g)

    __neg__ = neg
    negative = neg

    # -- products and reductions ------------------------------------------------------------
    def mm(self, mat2: Any) -> Tensor:
        return _mm(self, mat2, sparse_grad=False)

    def matmul(self, other: Any) -> Tensor:
        if isinstance(other, Tensor) and not other.is_sparse and other.dim() == 1:
            return _mm(self, other.unsqueeze(1), sparse_grad=False).squeeze(1)
        return _mm(self, other, sparse_grad=False)

    __matmul__ = matmul

    def __rmatmul__(self, other: Any) -> Tensor:
        return _mm(other, self, sparse_grad=False)

    def sum(self, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        if keepdim:
            raise _sparse_only("sum(keepdim=True)")
        return sparse_sum(self, dim, dtype=dtype)

    # -- Python protocol --------------------------------------------------------------------
    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        return _sparse_repr(self, tensor_contents)

    def __deepcopy__(self, memo: dict) -> SparseCooTensor:
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment.  If you were attempting to deepcopy a module, this may "
                "be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        new = _raw(self._sp_idx.copy(), self._sp_val.copy(), self.shape, self._sp_coal)
        new._requires_grad = self._requires_grad
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol: Any) -> Any:
        return (_rebuild, (self._sp_idx, self._sp_val, tuple(self.shape), self._sp_coal))


def _rebuild(indices: Any, values: Any, size: tuple, coalesced: bool) -> SparseCooTensor:
    return _raw(indices, values, size, coalesced)


def _raw(indices: Any, values: Any, size: Any, coalesced: bool) -> SparseCooTensor:
    """A sparse tensor from its parts, without checks or history."""
    t = object.__new__(SparseCooTensor)
    ph = _placeholder(tuple(size), values.dtype)
    t._data = ph
    t._vc = [0]
    ph._owner = weakref.ref(t)
    t._set_parts(indices, values, coalesced)
    return t


def _raw_add(a: SparseCooTensor, b: SparseCooTensor, alpha: Any = 1) -> SparseCooTensor:
    b_val = b._sp_val if alpha == 1 else b._sp_val * alpha
    if a._sp_idx.shape == b._sp_idx.shape and (a._sp_idx == b._sp_idx).all():
        # the merge of two identical index lists pairs every entry with its twin
        return _raw(a._sp_idx, a._sp_val + b_val, a.shape, a._sp_coal and b._sp_coal)
    both = a._sp_coal and b._sp_coal
    idx, val = K.merge_add(a._sp_idx, a._sp_val, b._sp_idx, b_val, a._sparse_sizes(), both)
    return _raw(idx, val, a.shape, both)


def _check_same_size(a: Tensor, b: Tensor, name: str) -> None:
    if tuple(a.shape) != tuple(b.shape):
        raise RuntimeError(
            f"{name}: expected sizes of 'self' and 'other' to match, but {list(a.shape)} != "
            f"{list(b.shape)}"
        )


def _coalesced_parts(s: SparseCooTensor) -> tuple[Any, Any]:
    if s._sp_coal:
        return s._sp_idx, s._sp_val
    return K.coalesce(s._sp_idx, s._sp_val, s._sparse_sizes())


def _mask_to(grad: Any, like: SparseCooTensor) -> SparseCooTensor:
    """``grad`` (dense or sparse) restricted to ``like``'s coalesced pattern: the gradient that
    PyTorch gives a sparse input of an op whose output gradient is ``grad``."""
    idx, _ = _coalesced_parts(like)
    if isinstance(grad, SparseCooTensor):
        g_idx, g_val = _coalesced_parts(grad)
        vals = K.lookup(g_idx, like._sparse_sizes(), idx, g_val)
    else:
        vals = grad._data[tuple(idx)]
    # sorted and unique, yet PyTorch's sparse_mask leaves the flag unset
    return _raw(idx, vals, like.shape, False)


# -- autograd functions ----------------------------------------------------------------------


class _SparseFunction(Function):
    # built-in: node names read "XBackward0" and the engine trusts the gradients' memory
    _builtin = True


class _FromParts(_SparseFunction):
    node_name = "SparseCooTensorWithDimsAndTensorsBackward0"

    @staticmethod
    def forward(ctx, values, indices, size, coalesced):
        ctx.indices, ctx.sizes = indices, tuple(size)[: indices.shape[0]]
        return _raw(indices, values._data, size, coalesced)

    @staticmethod
    def backward(ctx, grad):
        # each stored entry (duplicates included) gets the output gradient at its position
        if isinstance(grad, SparseCooTensor):
            g_idx, g_val = _coalesced_parts(grad)
            vals = K.lookup(g_idx, ctx.sizes, ctx.indices, g_val)
        else:
            vals = grad._data[tuple(ctx.indices)]
        return make(vals), None, None, None


class _Coalesce(_SparseFunction):
    node_name = "CoalesceBackward0"

    @staticmethod
    def forward(ctx, s):
        idx, val = K.coalesce(s._sp_idx, s._sp_val, s._sparse_sizes())
        return _raw(idx, val, s.shape, True)

    @staticmethod
    def backward(ctx, grad):
        return grad  # coalescing does not change the tensor that is represented


class _ToDense(_SparseFunction):
    node_name = "ToDenseBackward0"

    @staticmethod
    def forward(ctx, s):
        ctx.like = s.detach()
        out = xp.zeros(tuple(s.shape), s._sp_val.dtype)
        xp.add.at(out, tuple(s._sp_idx), s._sp_val)
        return make(out)

    @staticmethod
    def backward(ctx, grad):
        return _mask_to(grad, ctx.like)


class _ToSparse(_SparseFunction):
    node_name = "ToSparseBackward1"

    @staticmethod
    def forward(ctx, x, sparse_dim):
        data = x._data
        sd = data.ndim if sparse_dim is None else sparse_dim
        if sd == 0:  # one entry holding the whole tensor
            return _raw(xp.zeros((0, 1), xp.int64), data[None].copy(), data.shape, True)
        lead = data.reshape(data.shape[:sd] + (-1,)) if sd < data.ndim else data[..., None]
        nonzero = (lead != 0).any(axis=-1)
        idx = xp.stack(xp.nonzero(nonzero)).astype(xp.int64).reshape(sd, -1)
        vals = data[tuple(idx)].copy()
        return _raw(idx, vals, data.shape, True)

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, SparseCooTensor):
            return grad.to_dense(), None
        return grad, None


class _Values(_SparseFunction):
    node_name = "ValuesBackward0"

    @staticmethod
    def forward(ctx, s):
        ctx.like = s.detach()
        return make(s._sp_val)

    @staticmethod
    def backward(ctx, grad):
        like = ctx.like
        return _raw(like._sp_idx, grad._data, like.shape, like._sp_coal)


class _Transpose(_SparseFunction):
    node_name = "TBackward0"

    @staticmethod
    def forward(ctx, s, d0, d1):
        ctx.dims = (d0, d1)
        idx = s._sp_idx.copy()
        idx[[d0, d1]] = idx[[d1, d0]]
        shape = list(s.shape)
        shape[d0], shape[d1] = shape[d1], shape[d0]
        return _raw(idx, s._sp_val, shape, False)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims), None, None


class _MapValues(_SparseFunction):
    """A values-only op (neg, clone, cast): the pattern is kept, the gradient maps back."""

    _classes: dict[str, Any] = {}

    @classmethod
    def run(cls, s: SparseCooTensor, name: str, fn: Any, grad_fn: Any) -> SparseCooTensor:
        sub: Any = cls._classes.get(name)
        if sub is None:
            # one class per op, so that its node is named as PyTorch's (NegBackward0 ...)
            sub = cls._classes[name] = type(name, (_MapValues,), {})
        return sub.apply(s, fn, grad_fn)

    @staticmethod
    def forward(ctx, s, fn, grad_fn):
        ctx.grad_fn_ = grad_fn
        return _raw(s._sp_idx, fn(s._sp_val), s.shape, s._sp_coal)

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, SparseCooTensor):
            vals = ctx.grad_fn_(make(grad._sp_val))._data
            return _raw(grad._sp_idx, vals, grad.shape, grad._sp_coal), None, None
        return ctx.grad_fn_(grad), None, None


class _MulScalar(_SparseFunction):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, s, scalar):
        ctx.scalar = scalar
        vals = make(s._sp_val) * scalar  # Tensor math: PyTorch's int * float promotion
        return _raw(s._sp_idx, vals._data, s.shape, s._sp_coal)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scalar, None


class _DivScalar(_SparseFunction):
    node_name = "DivBackward0"

    @staticmethod
    def forward(ctx, s, scalar):
        ctx.scalar = scalar
        vals = make(s._sp_val) / scalar
        return _raw(s._sp_idx, vals._data, s.shape, s._sp_coal)

    @staticmethod
    def backward(ctx, grad):
        if isinstance(grad, SparseCooTensor):
            return grad.div(ctx.scalar), None
        return grad / ctx.scalar, None


class _MulDense(_SparseFunction):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, s, d):
        ctx.s, ctx.d = s.detach(), d.detach()
        vals = make(s._sp_val) * make(d._data[tuple(s._sp_idx)])
        return _raw(s._sp_idx, vals._data, s.shape, s._sp_coal)

    @staticmethod
    def backward(ctx, grad):
        gs = grad.mul(ctx.d) if isinstance(grad, SparseCooTensor) else grad * ctx.d
        gd = grad.mul(ctx.s) if isinstance(grad, SparseCooTensor) else ctx.s.mul(grad)
        return gs, gd.to_dense()


class _MulSparse(_SparseFunction):
    node_name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.a, ctx.b = a.detach(), b.detach()
        if a._sp_coal and b._sp_coal:  # both coalesced: the intersection of the patterns
            sizes = a._sparse_sizes()
            la = K.linear_index(a._sp_idx, sizes)
            lb = K.linear_index(b._sp_idx, sizes)
            common, ia, ib = xp.intersect1d(la, lb, assume_unique=True, return_indices=True)
            vals = make(a._sp_val[ia]) * make(b._sp_val[ib])
            return _raw(a._sp_idx[:, ia], vals._data, a.shape, True)
        # otherwise PyTorch keeps self's entries, each times other's (summed) value there
        b_idx, b_val = _coalesced_parts(b)
        other = K.lookup(b_idx, a._sparse_sizes(), a._sp_idx, b_val)
        vals = make(a._sp_val) * make(other)
        return _raw(a._sp_idx, vals._data, a.shape, False)

    @staticmethod
    def backward(ctx, grad):
        return _mask_to(grad, ctx.a).mul(ctx.b), _mask_to(grad, ctx.b).mul(ctx.a)


class _Add(_SparseFunction):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        return _raw_add(a, b, alpha)

    @staticmethod
    def backward(ctx, grad):
        return grad, (grad if ctx.alpha == 1 else grad * ctx.alpha), None


class _DenseAddSparse(_SparseFunction):
    node_name = "AddBackward0"

    @staticmethod
    def forward(ctx, d, s, sign):
        ctx.sign = sign
        dtype = xp.result_type(d._data, s._sp_val)
        out = d._data.astype(dtype, copy=True)
        xp.add.at(out, tuple(s._sp_idx), s._sp_val if sign == 1 else -s._sp_val)
        return make(out)

    @staticmethod
    def backward(ctx, grad):
        # PyTorch hands the sparse operand the dense gradient unmasked
        return grad, (grad if ctx.sign == 1 else -grad), None


class _SparseMm(_SparseFunction):
    """``S @ D`` with S sparse 2-D. ``masked`` (torch.sparse.mm) gives S a sparse gradient on
    its own pattern; otherwise (mm, spmm, @) S's gradient is dense, as in PyTorch."""

    _builtin = True

    @staticmethod
    def forward(ctx, s, d, masked):
        ctx.s, ctx.d, ctx.masked = s.detach(), d.detach(), masked
        rows, cols = s._sp_idx
        return make(K.spmm(rows, cols, s._sp_val, d._data, s.shape[0]))

    @staticmethod
    def backward(ctx, grad):
        s, d = ctx.s, ctx.d
        g = grad._data
        gs = gd = None
        if ctx.needs_input_grad[0]:
            if ctx.masked:
                idx, _ = _coalesced_parts(s)
                gs = _raw(idx, K.sampled_dot(idx[0], idx[1], g, d._data), s.shape, False)
            else:
                gs = make(g @ d._data.T)
        if ctx.needs_input_grad[1]:
            rows, cols = s._sp_idx
            gd = make(K.spmm(cols, rows, s._sp_val, g, s.shape[1]))
        return gs, gd, None


class _SparseAddmm(_SparseMm):
    node_name = "SparseAddmmBackward0"


class _Mm(_SparseMm):
    node_name = "MmBackward0"


class _DenseSparseMm(_SparseFunction):
    """``D @ S`` = ``(S.T @ D.T).T``, its gradients the same kernels transposed."""

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, d, s):
        ctx.s, ctx.d = s.detach(), d.detach()
        rows, cols = s._sp_idx
        return make(K.spmm(cols, rows, s._sp_val, d._data.T, s.shape[1]).T)

    @staticmethod
    def backward(ctx, grad):
        s, d = ctx.s, ctx.d
        g = grad._data
        gd = gs = None
        if ctx.needs_input_grad[0]:
            rows, cols = s._sp_idx
            gd = make(K.spmm(rows, cols, s._sp_val, g.T, s.shape[0]).T)
        if ctx.needs_input_grad[1]:
            gs = make(d._data.T @ g)
        return gd, gs


class _SparseSumDims(_SparseFunction):
    node_name = "SparseSumBackward0"

    @staticmethod
    def forward(ctx, s, dims):
        idx, val = _coalesced_parts(s)
        keep = [d for d in range(s.sparse_dim()) if d not in dims]
        ctx.like, ctx.keep = s.detach(), keep
        shape = [n for d, n in enumerate(s.shape) if d not in dims]
        kept = idx[keep]
        sizes = tuple(s.shape[d] for d in keep)
        new_idx, new_val = K.coalesce(kept, val, sizes)
        return _raw(new_idx, new_val, shape, True)

    @staticmethod
    def backward(ctx, grad):
        like, keep = ctx.like, ctx.keep
        idx, _ = _coalesced_parts(like)
        if isinstance(grad, SparseCooTensor):
            g_idx, g_val = _coalesced_parts(grad)
            sizes = tuple(like.shape[d] for d in keep)
            vals = K.lookup(g_idx, sizes, idx[keep], g_val)
        else:
            vals = grad._data[tuple(idx[keep])]
        return _raw(idx, vals, like.shape, True), None


# -- functions --------------------------------------------------------------------------------

_INVARIANTS = {"enabled": False, "explicit": False}
_warned: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    # PyTorch raises these with TORCH_WARN_ONCE: once per process
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn(message, UserWarning, stacklevel=4)


class check_sparse_tensor_invariants:
    """Turns index checks of new sparse tensors on or off, as the PyTorch class of that name:
    a context manager (or decorator), and the global switch through ``enable()``/``disable()``.
    Choosing either way explicitly silences the one-time warning that checks are off.

    >>> numtorch.sparse.check_sparse_tensor_invariants.is_enabled()
    False
    """

    @staticmethod
    def is_enabled() -> bool:
        return _INVARIANTS["enabled"]

    @staticmethod
    def enable() -> None:
        _INVARIANTS.update(enabled=True, explicit=True)

    @staticmethod
    def disable() -> None:
        _INVARIANTS.update(enabled=False, explicit=True)

    def __init__(self, enable: bool = True) -> None:
        self.state = enable
        self.saved: dict = {}

    def __enter__(self) -> None:
        self.saved = dict(_INVARIANTS)
        _INVARIANTS.update(enabled=self.state, explicit=True)

    def __exit__(self, *exc: Any) -> None:
        _INVARIANTS.update(self.saved)

    def __call__(self, fn: Any) -> Any:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with check_sparse_tensor_invariants(self.state):
                return fn(*args, **kwargs)

        return wrapped


def _as_array(x: Any, np_dtype: Any = None) -> Any:
    if isinstance(x, Tensor):
        return x._data if np_dtype is None else x._data.astype(np_dtype, copy=False)
    return xp.asarray(x, np_dtype)


def _check_invariants(indices: Any, size: tuple) -> None:
    for d in range(indices.shape[0]):
        row = indices[d]
        if row.size and row.min() < 0:
            raise RuntimeError(f"found negative index {row.min()} for dim {d}")
        if row.size and row.max() >= size[d]:
            raise RuntimeError(
                f"size is inconsistent with indices: for dim {d}, size is {size[d]} but found "
                f"index {row.max()}"
            )


def sparse_coo_tensor(
    indices: Any,
    values: Any,
    size: Any = None,
    *,
    dtype: Any = None,
    device: Any = None,
    pin_memory: bool = False,
    requires_grad: bool = False,
    check_invariants: bool | None = None,
    is_coalesced: bool | None = None,
) -> SparseCooTensor:
    """A sparse COO tensor from ``indices`` (sparse_dim x nnz) and ``values`` (nnz, ...), as
    torch.sparse_coo_tensor. Duplicate indices are kept (and summed by ``coalesce``).

    >>> numtorch.sparse_coo_tensor([[0, 1], [2, 0]], [3.0, 4.0], (2, 3))._nnz()
    2
    """
    if check_invariants is None and not _INVARIANTS["explicit"]:
        _warn_once(
            "invariants",
            "Sparse invariant checks are implicitly disabled. Memory errors (e.g. SEGFAULT) "
            "will occur when operating on a sparse tensor which violates the invariants, but "
            "checks incur performance overhead. To silence this warning, explicitly opt in or "
            "out. See `torch.sparse.check_sparse_tensor_invariants.__doc__` for guidance.  "
            "(Triggered internally at /__w/pytorch/pytorch/aten/src/ATen/Context.cpp:816.)",
        )
    idx = _as_array(indices).astype(xp.int64, copy=False)
    if isinstance(values, Tensor):
        vals_t = values
    else:
        from ..ops.creation import tensor

        vals_t = tensor(values)
    if dtype is not None and vals_t.dtype is not dtype:
        vals_t = vals_t.to(dtype)
    if idx.ndim != 2:
        raise RuntimeError(f"indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    vshape = tuple(vals_t.shape)
    if vals_t.dim() == 0 or idx.shape[1] != vshape[0]:
        got = vshape[0] if vshape else 0
        raise RuntimeError(
            "indices and values must have same nnz, but got nnz from indices: "
            f"{idx.shape[1]}, nnz from values: {got}"
        )
    sd = idx.shape[0]
    if size is None:
        sparse_sizes = tuple(int(r.max()) + 1 if r.size else 0 for r in idx)
        shape = sparse_sizes + vshape[1:]
    else:
        shape = tuple(int(n) for n in size)
        if len(shape) != sd + len(vshape) - 1:
            raise RuntimeError(
                f"number of dimensions must be sparse_dim ({sd}) + dense_dim "
                f"({len(vshape) - 1}), but got {len(shape)}"
            )
        if shape[sd:] != vshape[1:]:
            raise RuntimeError(
                f"values has incorrect size, expected {list((idx.shape[1],) + shape[sd:])}, "
                f"got {list(vshape)}"
            )
    if check_invariants or (check_invariants is None and _INVARIANTS["enabled"]):
        _check_invariants(idx, shape)
    coalesced = bool(is_coalesced) if is_coalesced is not None else idx.shape[1] < 2 and sd > 0
    if isinstance(values, Tensor) and values._requires_grad and STATE.grad_enabled:
        out = _FromParts.apply(vals_t, idx, Size(shape), coalesced)
    else:
        out = _raw(idx, vals_t._data, shape, coalesced)
    if requires_grad:
        out.requires_grad_(True)
    return out


def to_sparse(self: Tensor, sparse_dim: Any = None, *, layout: Any = None, **kwargs: Any) -> Any:
    """A dense tensor's nonzeros as a coalesced sparse COO tensor, as ``Tensor.to_sparse``.

    >>> numtorch.tensor([0.0, 2.0]).to_sparse()._nnz()
    1
    """
    if isinstance(self, SparseCooTensor):
        return self.to_sparse(sparse_dim, layout=layout)
    if layout not in (None, sparse_coo):
        raise _sparse_only(f"to_sparse(layout={layout})")
    if sparse_dim is not None and not 0 <= sparse_dim <= self.dim():
        raise RuntimeError(
            f"dense_to_sparse: sparse_dim argument must be in [0,{self.dim()}] range, but "
            f"{sparse_dim} is given"
        )
    return _ToSparse.apply(self, sparse_dim)


def _mm(a: Any, b: Any, *, sparse_grad: bool) -> Tensor:
    a_sp, b_sp = isinstance(a, SparseCooTensor), isinstance(b, SparseCooTensor)
    if a_sp and b_sp:
        raise _sparse_only("sparse @ sparse")
    if not a_sp and not b_sp:
        from ..ops.linalg import mm as dense_mm

        return dense_mm(a, b)
    s, d = (a, b) if a_sp else (b, a)
    if s.dim() != 2 or s.dense_dim() != 0:
        raise _sparse_only("mm of a sparse tensor that is not 2-D with only sparse dimensions")
    if d.dim() != 2:
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if d.dtype is not s.dtype:
        raise RuntimeError(f"expected scalar type {_dtype_name(s)} but found {_dtype_name(d)}")
    if a_sp:
        if d.shape[0] != s.shape[1]:
            raise RuntimeError(
                f"addmm: Argument #3 (dense): Expected dim 0 size {s.shape[1]}, got {d.shape[0]}"
            )
        return (_SparseAddmm if sparse_grad else _Mm).apply(s, d, sparse_grad)
    if d.shape[1] != s.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({d.shape[0]}x{d.shape[1]} and "
            f"{s.shape[0]}x{s.shape[1]})"
        )
    return _DenseSparseMm.apply(d, s)


def _dtype_name(t: Tensor) -> str:
    from .._tensor import _short_name

    return _short_name(t._sp_val.dtype if isinstance(t, SparseCooTensor) else t._data.dtype)


def mm(mat1: Tensor, mat2: Tensor, reduce: str = "sum") -> Tensor:
    """``mat1 @ mat2`` with either sparse, as torch.sparse.mm: a sparse ``mat1`` gets a sparse
    gradient on its own pattern.

    >>> s = numtorch.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
    >>> numtorch.sparse.mm(s, numtorch.ones(2, 1))
    tensor([[2.],
            [3.]])
    """
    if reduce != "sum":
        raise _sparse_only(f"sparse.mm(reduce={reduce!r})")
    return _mm(mat1, mat2, sparse_grad=True)


def spmm(input: Tensor, mat2: Tensor) -> Tensor:
    """``input @ mat2`` for a sparse ``input``, as torch.spmm (its gradient there is dense).

    >>> s = numtorch.sparse_coo_tensor([[0, 1], [1, 0]], [2.0, 3.0], (2, 2))
    >>> numtorch.spmm(s, numtorch.ones(2, 1))
    tensor([[2.],
            [3.]])
    """
    return _mm(input, mat2, sparse_grad=False)


def sparse_sum(input: Tensor, dim: Any = None, dtype: Any = None) -> Tensor:
    """Sum over all or some dimensions of a sparse tensor, as torch.sparse.sum: the full sum
    and sums over every sparse dimension are dense, others stay sparse.

    >>> s = numtorch.sparse_coo_tensor([[0, 1, 1]], [1.0, 2.0, 3.0], (2,))
    >>> numtorch.sparse.sum(s)
    tensor(6.)
    """
    if not isinstance(input, SparseCooTensor):
        raise RuntimeError("coalesce expected sparse coordinate tensor layout but got Strided")
    if dtype is not None:
        input = input.to(dtype)
    if dim is None:
        return input.coalesce().values().sum()
    dims = sorted({input._wrap_dim(d) for d in ((dim,) if isinstance(dim, int) else dim)})
    sd = input.sparse_dim()
    if any(d >= sd for d in dims):
        raise _sparse_only("sparse.sum over dense dimensions")
    if len(dims) == sd:
        return input.coalesce().values().sum(0)
    return _SparseSumDims.apply(input, tuple(dims))


# -- printing -----------------------------------------------------------------------------


def _measured(suffix: str) -> int:
    # as numtorch's dense printing: measure "numtorch." as PyTorch's "torch." so that lines
    # wrap at the same places and outputs differ only by the package name
    return len(suffix.replace(f"{_PKG}.", "torch."))


def _part_str(data: Any, indent: int) -> str:
    if data.size == 0:
        return f"[], size={tuple(data.shape)}"
    return _data_str(data, indent)


def _sparse_repr(t: SparseCooTensor, tensor_contents: Any = None) -> str:
    prefix = "tensor("
    indent = len(prefix)
    suffixes = [f"size={tuple(t.shape)}", f"nnz={t._nnz()}"]
    default = _dtype.get_default_dtype()
    if t.dtype not in (default, _dtype.default_complex(), _dtype.int64, _dtype.bool):
        suffixes.append(f"dtype={t.dtype}")
    suffixes.append(f"layout={sparse_coo}")
    if t._grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t._grad_fn).__name__}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    if tensor_contents is not None:
        body = str(tensor_contents)
    else:
        ip, vp = "indices=tensor(", "values=tensor("
        body = (
            ip
            + _part_str(t._sp_idx, indent + len(ip))
            + "),\n"
            + " " * indent
            + vp
            + _part_str(t._sp_val, indent + len(vp))
            + ")"
        )
    text = prefix + body
    parts = [text]
    last = len(text) - text.rfind("\n") + 1
    force_newline = True  # PyTorch starts a sparse tensor's suffixes on their own line
    for suffix in suffixes:
        n = _measured(suffix)
        if force_newline or last + n + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + n
            force_newline = False
        else:
            parts.append(", " + suffix)
            last += n + 2
    parts.append(")")
    return "".join(parts)
