"""Tensor methods real code calls that need no op machinery: ``apply_``/``map_`` (Python callables
per element), ``untyped_storage()``/``storage()`` and ``set_``.

Each function takes the tensor first; they become methods by plain assignment on ``Tensor``.
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

from . import _backend
from ._backend import ndarray
from ._dtype import FROM_NP, cpp_name
from ._tensor import Tensor, legacy_type_name, make
from .autograd.function import Op
from .autograd.grad_mode import STATE

__all__ = ["apply_", "map_", "untyped_storage", "storage", "set_", "UntypedStorage", "TypedStorage"]

_np = _backend.numpy
_PKG = __package__ or "numtorch"
_INT64 = (-(2**63), 2**63 - 1)


def _root(array):
    while isinstance(array.base, ndarray):
        array = array.base
    return array


def _writable(data):
    """``data`` itself, or a writable alias of it when NumPy marked a view read-only (an expanded
    tensor's stride-0 view): apply_/map_ write through such views as PyTorch does."""
    if data.flags.writeable:
        return data
    root = _root(data)
    if not (root.flags.writeable and root.flags.c_contiguous):
        return data
    offset = data.ctypes.data - root.ctypes.data
    flat = root.reshape(-1).view(_np.uint8)
    return _np.ndarray(data.shape, data.dtype, buffer=flat, offset=offset, strides=data.strides)


def _converter(np_dtype):
    """The Python -> element conversion PyTorch applies to a callable's result."""
    kind = np_dtype.kind
    if kind == "b":
        return bool
    if kind in "iu":

        def to_int(value):
            if isinstance(value, float):
                value = int(value)  # truncates, as PyTorch does
            else:
                value = operator.index(value)
            if not _INT64[0] <= value <= _INT64[1]:
                raise ValueError("Overflow when unpacking long long")
            # wraps into narrower types (uint8: -1 -> 255), as a C cast does
            return _np.array(value, _np.int64).astype(np_dtype)[()]

        return to_int
    if kind == "c":
        return complex

    def to_float(value):
        if isinstance(value, complex) or not (
            hasattr(value, "__float__") or hasattr(value, "__index__")
        ):
            raise TypeError(f"must be real number, not {type(value).__name__}")
        return float(value)

    return to_float


def _check_cpu(self: Tensor, name: str) -> None:
    if self.device.type != "cpu":
        raise TypeError(f"{name} is only implemented on CPU tensors")


def _overlaps(data) -> bool:
    # a stride-0 dimension of size > 1 means several elements share one memory location
    return any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape, strict=True))


def apply_(self: Tensor, callable) -> Tensor:
    """Replaces each element ``x`` with ``callable(x)`` (a Python number in, one out), in place.

    CPU only, slow, and not differentiable, as torch.Tensor.apply_.

    >>> numtorch.tensor([1.0, 2.0]).apply_(lambda x: x * 10)
    tensor([10., 20.])
    """
    _check_cpu(self, "apply_")
    if self._requires_grad:
        raise RuntimeError(
            "Can't call apply_() on Variable that requires grad. Use var.detach().apply_() instead."
        )
    data = _writable(self._data)
    convert = _converter(data.dtype)
    if _overlaps(data):
        # elements that share memory see each other's results, one at a time
        for index in _np.ndindex(data.shape):
            data[index] = convert(callable(data[index].item()))
        return self
    values = [convert(callable(v)) for v in data.reshape(-1).tolist()]
    data[...] = _np.array(values, dtype=data.dtype).reshape(data.shape)
    return self


def map_(self: Tensor, tensor: Tensor, callable) -> Tensor:
    """Replaces each element ``x`` with ``callable(x, y)``, ``y`` the matching element of
    ``tensor`` broadcast to this shape; in place, CPU only, as torch.Tensor.map_.

    >>> numtorch.ones(2).map_(numtorch.tensor([3.0, 4.0]), lambda a, b: a + b)
    tensor([4., 5.])
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"map_(): argument 'other' (position 1) must be Tensor, not {type(tensor).__name__}"
        )
    _check_cpu(self, "map_")
    if self._requires_grad or tensor._requires_grad:
        raise RuntimeError(
            "Can't call map_() on Variable that requires grad. Use var.detach().map_() instead."
        )
    if tensor._data.dtype != self._data.dtype:
        raise TypeError(
            f"map_: expected {legacy_type_name(self._data.dtype)} for 'other' (got "
            f"{legacy_type_name(tensor._data.dtype)})"
        )
    other = tensor.expand(self.shape)._data
    data = _writable(self._data)
    convert = _converter(data.dtype)
    if _overlaps(data) or _np.shares_memory(data, other):
        for index in _np.ndindex(data.shape):
            data[index] = convert(callable(data[index].item(), other[index].item()))
        return self
    pairs = zip(data.reshape(-1).tolist(), other.reshape(-1).tolist(), strict=True)
    values = [convert(callable(a, b)) for a, b in pairs]
    data[...] = _np.array(values, dtype=data.dtype).reshape(data.shape)
    return self


# -- storages -----------------------------------------------------------------------------------


def _bytes_of(root):
    if root.flags.c_contiguous:
        return root.reshape(-1).view(_np.uint8)
    # an owner array is contiguous; anything else is read through a copy
    return _np.ascontiguousarray(root).reshape(-1).view(_np.uint8)


class UntypedStorage:
    """The memory under a tensor, as bytes (torch.UntypedStorage): every view of one array shares
    it, and ``data_ptr()`` tells whether two tensors do.

    >>> t = numtorch.zeros(3)
    >>> t[1:].untyped_storage().data_ptr() == t.untyped_storage().data_ptr()
    True
    """

    __slots__ = ("_root",)

    def __init__(self, root) -> None:
        self._root = _root(root)

    def _bytes(self):
        return _bytes_of(self._root)

    def data_ptr(self) -> int:
        return self._root.ctypes.data

    def nbytes(self) -> int:
        return int(self._root.nbytes)

    def size(self) -> int:
        return self.nbytes()

    def __len__(self) -> int:
        return self.nbytes()

    def element_size(self) -> int:
        return 1

    @property
    def device(self):
        from ._backend import CPU

        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    def is_shared(self) -> bool:
        return False

    def is_pinned(self, device: Any = "cuda") -> bool:
        return False

    def tolist(self) -> list[int]:
        return self._bytes().tolist()

    def __getitem__(self, index):
        return self._bytes()[index].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UntypedStorage) and other._root is self._root

    __hash__ = object.__hash__

    def untyped(self) -> UntypedStorage:
        return self

    def _info(self) -> str:
        return f"[{_PKG}.storage.UntypedStorage(device=cpu) of size {len(self)}]"

    def __str__(self) -> str:
        return " " + "\n ".join(str(v) for v in self.tolist()) + "\n" + self._info()

    __repr__ = __str__


class TypedStorage:
    """A storage read as elements of a dtype (what deprecated ``tensor.storage()`` returns).

    >>> import warnings; warnings.simplefilter("ignore")
    >>> numtorch.tensor([1, 2]).storage().tolist()
    [1, 2]
    """

    __slots__ = ("_untyped", "_np_dtype")

    def __init__(self, root, np_dtype) -> None:
        self._untyped = UntypedStorage(root)
        self._np_dtype = _np.dtype(np_dtype)

    @property
    def dtype(self):
        return FROM_NP[self._np_dtype]

    @property
    def device(self):
        return self._untyped.device

    def _values(self):
        raw = self._untyped._bytes()
        usable = raw.size - raw.size % self._np_dtype.itemsize
        return raw[:usable].view(self._np_dtype)

    def untyped(self) -> UntypedStorage:
        return self._untyped

    @property
    def _untyped_storage(self) -> UntypedStorage:
        return self._untyped

    def data_ptr(self) -> int:
        return self._untyped.data_ptr()

    def nbytes(self) -> int:
        return self._untyped.nbytes()

    def element_size(self) -> int:
        return self._np_dtype.itemsize

    def size(self) -> int:
        return self.nbytes() // self.element_size()

    def __len__(self) -> int:
        return self.size()

    def is_shared(self) -> bool:
        return False

    def tolist(self) -> list:
        return self._values().tolist()

    def __getitem__(self, index):
        return self._values()[index].tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TypedStorage)
            and other._untyped == self._untyped
            and other._np_dtype == self._np_dtype
        )

    __hash__ = object.__hash__

    def __str__(self) -> str:
        info = f"[{_PKG}.storage.TypedStorage(dtype={self.dtype}, device=cpu) of size {len(self)}]"
        return " " + "\n ".join(str(v) for v in self.tolist()) + "\n" + info

    __repr__ = __str__


_TYPED_WARNING = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be the "
    "only storage class. This should only matter to you if you are using storages directly.  To "
    "access UntypedStorage directly, use tensor.untyped_storage() instead of tensor.storage()"
)
_warned = [False]  # PyTorch warns once per process


def _reset_warn_typed_storage_removal() -> None:
    _warned[0] = False


def untyped_storage(self: Tensor) -> UntypedStorage:
    """The bytes under this tensor (all of its base array), as torch.Tensor.untyped_storage.

    >>> numtorch.zeros(2, 3).untyped_storage().nbytes()
    24
    """
    return UntypedStorage(self._data)


def storage(self: Tensor) -> TypedStorage:
    """The memory under this tensor as elements of its dtype; warns (once) that TypedStorage is
    deprecated, as torch.Tensor.storage.

    >>> import warnings; warnings.simplefilter("ignore")
    >>> numtorch.zeros(2, 3).storage().size()
    6
    """
    if not _warned[0]:
        _warned[0] = True
        warnings.warn(_TYPED_WARNING, UserWarning, stacklevel=2)
    return TypedStorage(self._data, self._data.dtype)


# -- set_ ---------------------------------------------------------------------------------------


class _SetNotImplemented(Op):
    """The history of a set_ that autograd records: PyTorch has no derivative for it."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, source):
        return source

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::set_ is not implemented")


_SetNotImplemented._node_cls.name = lambda self: "torch::autograd::NotImplemented"  # type: ignore[attr-defined]


def _contiguous_strides(shape) -> tuple:
    out = []
    acc = 1
    for n in reversed(shape):
        out.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(out))


def _from_storage(raw_bytes, np_dtype, offset: int, size, stride):
    flat = raw_bytes[: raw_bytes.size - raw_bytes.size % np_dtype.itemsize].view(np_dtype)
    if size is None:
        return flat[offset:]
    size = tuple(size)
    stride = _contiguous_strides(size) if stride is None else tuple(stride)
    return _np.lib.stride_tricks.as_strided(
        flat[offset:], size, tuple(s * np_dtype.itemsize for s in stride)
    )


def set_(self: Tensor, source=None, storage_offset: int = 0, size=None, stride=None) -> Tensor:
    """Makes this tensor use ``source``'s memory (a tensor or a storage), or none at all.

    ``set_()`` empties it; ``set_(t)`` shares ``t``'s data, shape and strides;
    ``set_(storage, offset, size, stride)`` views a storage. As torch.Tensor.set_.

    >>> a = numtorch.arange(3.0)
    >>> b = numtorch.zeros(1).set_(a)
    >>> b[0] = 7.0
    >>> a
    tensor([7., 1., 2.])
    """
    np_dtype = self._data.dtype
    if source is None:
        data = _np.empty((0,), np_dtype)
    elif isinstance(source, Tensor):
        if source._data.dtype != np_dtype:
            raise RuntimeError(
                f"Could not set tensor of type {cpp_name(source._data.dtype)} to "
                f"a tensor of type {cpp_name(np_dtype)}"
            )
        if size is None and storage_offset == 0:
            data = source._data
        else:
            data = _from_storage(
                _bytes_of(_root(source._data)), np_dtype, storage_offset, size, stride
            )
    elif isinstance(source, (UntypedStorage, TypedStorage)):
        if isinstance(source, TypedStorage) and source._np_dtype != np_dtype:
            raise RuntimeError(
                f"Expected a Storage of type {FROM_NP[np_dtype]} or an UntypedStorage, but got "
                f"type {source.dtype} for argument 1 'storage'"
            )
        untyped = source if isinstance(source, UntypedStorage) else source._untyped
        data = _from_storage(untyped._bytes(), np_dtype, storage_offset, size, stride)
    else:
        raise TypeError(
            "set_() received an invalid combination of arguments - got "
            f"({type(source).__name__}), but expected one of:\n * ()\n * (torch.Storage source)"
            "\n * (torch.Storage source, int storage_offset, tuple of ints size, tuple of ints "
            "stride)\n * (Tensor source)\n * (Tensor source, int storage_offset, tuple of ints "
            "size, tuple of ints stride)"
        )
    source_grad = isinstance(source, Tensor) and source._requires_grad
    record = STATE.grad_enabled and (self._requires_grad or source_grad)
    if record:
        self._check_inplace()
    # the tensor keeps its own version counter (PyTorch's lives on the tensor, not the storage)
    # and stops being a view of whatever it viewed before
    self._data = data
    for field in ("_base", "_view_fn", "_no_grad_view"):
        self.__dict__.pop(field, None)
    self._vc[0] += 1
    if record:
        node = _SetNotImplemented.apply(self if self._requires_grad else source, make(data))
        self._grad_fn, self._output_nr, self._requires_grad = node._grad_fn, 0, True
    return self
