"""numtorch.save and numtorch.load, in PyTorch's own checkpoint format.

A checkpoint is a zip archive whose records are stored uncompressed, each one's data 64-byte
aligned. ``<name>/data.pkl`` pickles the object (protocol 2), every tensor as a call of
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)`` and
every storage as a persistent id ``('storage', torch.FloatStorage, key, 'cpu', numel)`` whose
raw little-endian bytes are the record ``<name>/data/<key>``. numtorch writes those names
itself (torch is never imported), so ``torch.load`` reads numtorch's files and ``numtorch.load``
reads torch's.

Loading with ``weights_only=True`` (the default) runs the pickle through a small interpreter
of its own that knows only the opcodes and the globals a tensor checkpoint needs: it calls
nothing but numtorch's tensor rebuilders and a few plain containers, so a hostile file can
fail to load but cannot run code.
"""

from __future__ import annotations

import _compat_pickle
import contextlib
import io
import mmap as _mmap
import os
import pickle
import struct
import sys
import uuid
import zipfile
from collections import Counter, OrderedDict
from typing import Any

import numpy as np

from . import _dtype
from ._backend import device
from ._tensor import Size, Tensor, make

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "safe_globals",
    "DEFAULT_PROTOCOL",
]

DEFAULT_PROTOCOL = 2
_ALIGNMENT = 64
_MAX_DIMS = 64

# torch's legacy storage classes name a storage's element type in the persistent id
_STORAGE_OF = {
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "float16": "HalfStorage",
    "int64": "LongStorage",
    "int32": "IntStorage",
    "int16": "ShortStorage",
    "int8": "CharStorage",
    "uint8": "ByteStorage",
    "bool": "BoolStorage",
    "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}
_NP_OF_STORAGE = {name: np.dtype(dt) for dt, name in _STORAGE_OF.items()}
_NP_OF_STORAGE["UntypedStorage"] = np.dtype(np.uint8)

_UNSAFE_MESSAGE = (
    "Re-running `numtorch.load` with `weights_only` set to `False` will likely succeed, but it "
    "can result in arbitrary code execution. Do it only if you got the file from a trusted "
    "source."
)
_DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default "
    "with weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)


# -- saving -------------------------------------------------------------------------------------
class _Global:
    """A global the pickle names (``torch._utils._rebuild_tensor_v2``) without importing it."""

    __slots__ = ("module", "name")
    module: str
    name: str
    _cache: dict = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        obj = cls._cache.get(key)
        if obj is None:  # one object per name, so the pickle memo writes each name once
            obj = cls._cache[key] = object.__new__(cls)
            obj.module, obj.name = module, name
        return obj

    def __call__(self, *args):  # pickle wants the reduce function callable; it is only named
        raise TypeError(f"{self.module}.{self.name} is a name in a pickle, not a function")


_REBUILD_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _Global("torch._utils", "_rebuild_parameter")


class _StorageRef:
    """One storage being saved: the array whose bytes become ``data/<key>``."""

    __slots__ = ("key", "array", "dtype")

    def __init__(self, key: str, array, np_dtype):
        self.key, self.array, self.dtype = key, array, np_dtype


def _root(array):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _address(array) -> int:
    return array.ctypes.data  # not __array_interface__: NumPy 2.4 leaks memory on each use


_PyPickler: Any = pickle._Pickler  # type: ignore[attr-defined]


class _Pickler(_PyPickler):  # the Python pickler, whose dispatch table can name globals
    dispatch = dict(_PyPickler.dispatch)

    def __init__(self, file, protocol: int):
        super().__init__(file, protocol)
        self.storages: dict[int, _StorageRef] = {}

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            storage_type = _Global("torch", _STORAGE_OF[obj.dtype.name])
            return ("storage", storage_type, obj.key, "cpu", obj.array.nbytes // obj.dtype.itemsize)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._reduce_tensor(obj)
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is device:
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_Global("torch", "device"), args)
        return NotImplemented

    def _save_global_name(self, obj) -> None:
        if self.proto >= 4:
            self.save(obj.module)
            self.save(obj.name)
            self.write(pickle.STACK_GLOBAL)
        else:
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def _save_dtype(self, obj) -> None:
        if obj._np is None:
            raise TypeError(f"numtorch cannot save the dtype {obj}")
        self._save_global_name(_Global("torch", obj._name))

    dispatch[_Global] = _save_global_name
    dispatch[_dtype.dtype] = _save_dtype

    def _reduce_tensor(self, t: Tensor):
        if type(t).__name__ == "Parameter":  # nn.Parameter, without importing numtorch.nn
            inner = make(t._data)
            return (_REBUILD_PARAMETER, (inner, t._requires_grad, OrderedDict()))
        ref, offset, stride = self._storage_of(t._data)
        size = tuple(t._data.shape)
        return (_REBUILD_V2, (ref, offset, size, stride, t._requires_grad, OrderedDict()))

    def _storage_of(self, arr):
        """The storage holding ``arr`` and where ``arr`` sits in it (elements, not bytes)."""
        if arr.dtype.name not in _STORAGE_OF:
            raise TypeError(f"numtorch.save cannot save tensors of dtype {arr.dtype}")
        itemsize = arr.itemsize
        root = _root(arr)
        offset = _address(arr) - _address(root)
        layout_ok = (
            (root.flags.c_contiguous or root.flags.f_contiguous)
            and root.nbytes % itemsize == 0
            and offset % itemsize == 0
            and all(s >= 0 and s % itemsize == 0 for s in arr.strides)
        )
        if not layout_ok:  # negative strides, odd roots: save a compact copy of its own
            root = arr = np.ascontiguousarray(arr)
            offset = 0
        ref = self.storages.get(id(root))
        if ref is None:
            ref = _StorageRef(str(len(self.storages)), root, arr.dtype)
            self.storages[id(root)] = ref
        elif ref.dtype != arr.dtype:
            raise RuntimeError(
                "Cannot save multiple tensors or storages that view the same data as different "
                "types"
            )
        return ref, offset // itemsize, tuple(s // itemsize for s in arr.strides)


def _raw_bytes(array) -> memoryview:
    """The bytes of a contiguous array in memory order, little-endian."""
    if not array.flags.c_contiguous:
        array = array.T  # an F-contiguous array is its transpose, C-contiguous
    if array.dtype.byteorder == ">" or (array.dtype.byteorder == "=" and sys.byteorder == "big"):
        array = array.astype(array.dtype.newbyteorder("<"))
    return memoryview(array.reshape(-1).view(np.uint8))


def _archive_name(f) -> str:
    """torch names the archive's top folder after the file ("model.pt" -> "model")."""
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        if stem and stem.isprintable() and "/" not in stem:
            return stem
    return "archive"


def _write_zip(fp, prefix: str, records) -> None:
    with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, data in records:
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            size = data.nbytes if isinstance(data, memoryview) else len(data)
            # pad the local header's extra field (id "FB", as torch's writer) so the data starts
            # at a multiple of 64 bytes: torch can then map the records straight from the file
            header = 30 + len(info.filename.encode()) + 4
            if size * 1.05 > zipfile.ZIP64_LIMIT:
                header += 20  # zipfile adds a zip64 extra field for large records
            pad = -((zf.fp.tell() if zf.fp else 0) + header) % _ALIGNMENT
            info.extra = struct.pack("<HH", 0x4246, pad) + b"Z" * pad
            zf.writestr(info, data)


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol: int = DEFAULT_PROTOCOL,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Saves ``obj`` (tensors, state dicts, nested containers of them) to the path or binary
    file ``f`` in PyTorch's checkpoint format, which ``torch.load`` opens, as torch.save.

    Tensors that share memory share one storage in the file and share it again once loaded.

    >>> import io
    >>> buf = io.BytesIO()
    >>> numtorch.save({'w': numtorch.ones(2)}, buf)
    >>> _ = buf.seek(0); numtorch.load(buf)
    {'w': tensor([1., 1.])}
    """
    if pickle_module not in (None, pickle):
        raise NotImplementedError("numtorch.save only supports the standard pickle module")
    if not _use_new_zipfile_serialization:
        raise NotImplementedError(
            "numtorch.save writes only the zip checkpoint format (torch.save's default since "
            "PyTorch 1.6)"
        )
    buf = io.BytesIO()
    pickler = _Pickler(buf, pickle_protocol)
    pickler.dump(obj)
    records: list = [
        ("data.pkl", buf.getvalue()),
        (".format_version", b"1"),
        (".storage_alignment", str(_ALIGNMENT).encode()),
    ]
    if not _disable_byteorder_record:
        records.append(("byteorder", b"little"))
    records += [(f"data/{ref.key}", _raw_bytes(ref.array)) for ref in pickler.storages.values()]
    records.append(("version", b"3\n"))
    records.append((".data/serialization_id", str(uuid.uuid4().int).zfill(40).encode()))
    prefix = _archive_name(f)
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fp:
            _write_zip(fp, prefix, records)
    else:
        _write_zip(f, prefix, records)


# -- loading: what the pickle's globals become -----------------------------------------------------
class _Marker:
    """A class the pickle may name but never calls (``torch.FloatStorage``, ``torch.Tensor``)."""

    __slots__ = ("name", "np_dtype")

    def __init__(self, name: str, np_dtype=None):
        self.name, self.np_dtype = name, np_dtype

    def __repr__(self) -> str:
        return f"<{self.name}>"


_TENSOR_CLASS = _Marker("torch.Tensor")
_PARAMETER_CLASS = _Marker("torch.nn.parameter.Parameter")


class _LoadedStorage:
    """A storage read from the file: a 1-D array over the record's bytes."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array


def _check_int(value, what: str, low: int = 0) -> int:
    if type(value) is not int or value < low:
        raise pickle.UnpicklingError(f"invalid {what} in checkpoint: {value!r}")
    return value


def _strided_view(storage, storage_offset, size, stride):
    """An ndarray over ``storage`` (no copy), after checking it stays inside the storage."""
    if type(storage) is not _LoadedStorage:
        raise pickle.UnpicklingError(f"expected a storage, got {type(storage).__name__}")
    _check_int(storage_offset, "storage offset")
    if type(size) is not tuple or type(stride) is not tuple or len(size) != len(stride):
        raise pickle.UnpicklingError(f"invalid tensor size/stride: {size!r}, {stride!r}")
    if len(size) > _MAX_DIMS:
        raise pickle.UnpicklingError(f"tensor has {len(size)} dimensions (at most {_MAX_DIMS})")
    for s, st in zip(size, stride, strict=True):
        _check_int(s, "tensor size")
        _check_int(st, "tensor stride")
    base = storage.array
    itemsize = base.itemsize
    numel = 1
    for s in size:
        numel *= s
    if numel * itemsize > sys.maxsize:
        raise pickle.UnpicklingError(f"tensor of size {list(size)} is too large")
    if numel == 0:
        return np.empty(size, base.dtype)
    last = storage_offset + sum((s - 1) * st for s, st in zip(size, stride, strict=True))
    if last >= base.size:
        raise pickle.UnpicklingError(
            f"tensor of size {list(size)}, stride {list(stride)} and storage offset "
            f"{storage_offset} reaches element {last} of a storage of {base.size} elements"
        )
    return np.ndarray(
        size, base.dtype, buffer=base, offset=storage_offset * itemsize,
        strides=tuple(st * itemsize for st in stride),
    )  # fmt: skip


def _tensor_from(array, requires_grad) -> Tensor:
    if type(requires_grad) is not bool:
        raise pickle.UnpicklingError(f"invalid requires_grad in checkpoint: {requires_grad!r}")
    t = make(array)
    if requires_grad:
        if array.dtype.kind not in "fc":
            raise pickle.UnpicklingError(f"a tensor of dtype {array.dtype} cannot require grad")
        t._requires_grad = True
    return t


def _check_hooks(hooks) -> None:
    if not isinstance(hooks, dict):
        raise pickle.UnpicklingError(f"invalid backward hooks in checkpoint: {hooks!r}")


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor_from(_strided_view(storage, storage_offset, size, stride), False)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None
):
    _check_hooks(backward_hooks)
    return _tensor_from(_strided_view(storage, storage_offset, size, stride), requires_grad)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    if not isinstance(dtype, _dtype.dtype) or dtype._np is None:
        raise pickle.UnpicklingError(f"numtorch cannot load tensors of dtype {dtype!r}")
    if type(storage) is not _LoadedStorage:
        raise pickle.UnpicklingError(f"expected a storage, got {type(storage).__name__}")
    raw = storage.array.view(np.uint8)
    if raw.nbytes % dtype.itemsize:
        raise pickle.UnpicklingError("storage size is not a multiple of the dtype's size")
    typed = _LoadedStorage(raw.view(dtype._np))
    return _rebuild_tensor_v2(typed, storage_offset, size, stride, requires_grad, backward_hooks)


def _parameter(data, requires_grad):
    if not isinstance(data, Tensor) or type(requires_grad) is not bool:
        raise pickle.UnpicklingError("invalid Parameter in checkpoint")
    try:
        from .nn import Parameter  # numtorch.nn may not be there: then a tensor stands in
    except ImportError:
        return _tensor_from(data._data, requires_grad)
    return Parameter(data, requires_grad)


def _set_state(obj, state) -> None:
    """Restores plain attributes saved with a tensor, never replacing a method or a slot."""
    if state is None:
        return
    if not isinstance(state, dict):
        raise pickle.UnpicklingError(f"invalid tensor state in checkpoint: {state!r}")
    for key, value in state.items():
        if type(key) is not str or key.startswith("_") or hasattr(type(obj), key):
            raise pickle.UnpicklingError(f"refusing to set attribute {key!r} on a tensor")
        obj.__dict__[key] = value


def _rebuild_parameter(data, requires_grad, backward_hooks):
    _check_hooks(backward_hooks)
    return _parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    _check_hooks(backward_hooks)
    param = _parameter(data, requires_grad)
    _set_state(param, state)
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    if func not in _REBUILDERS or type(args) is not tuple:
        raise pickle.UnpicklingError(f"invalid tensor rebuild call {func!r}")
    out = func(*args)
    if new_type is _PARAMETER_CLASS and type(out).__name__ != "Parameter":
        out = _parameter(out, out.requires_grad)
    elif new_type is not _PARAMETER_CLASS and new_type is not _TENSOR_CLASS:
        raise pickle.UnpicklingError(f"numtorch cannot load tensors of type {new_type!r}")
    _set_state(out, state)
    return out


_REBUILDERS = frozenset(
    (
        _rebuild_tensor,
        _rebuild_tensor_v2,
        _rebuild_tensor_v3,
        _rebuild_parameter,
        _rebuild_parameter_with_state,
    )
)


def _size(sizes=()):
    if type(sizes) not in (tuple, list) or any(type(s) is not int for s in sizes):
        raise pickle.UnpicklingError(f"invalid torch.Size in checkpoint: {sizes!r}")
    return Size(sizes)


def _device(type, index=None):  # noqa: A002
    if not isinstance(type, str) or (index is not None and _check_int(index, "device index") < 0):
        raise pickle.UnpicklingError(f"invalid torch.device in checkpoint: {type!r}")
    try:
        return device(type, index)
    except (RuntimeError, TypeError) as e:
        raise pickle.UnpicklingError(f"invalid torch.device in checkpoint: {e}") from None


def _encode(obj, encoding="latin1"):
    """``_codecs.encode`` as protocol 2 uses it to pickle bytes: latin-1 only."""
    if type(obj) is not str or encoding not in ("latin1", "latin-1"):
        raise pickle.UnpicklingError("_codecs.encode is only allowed to rebuild bytes")
    return obj.encode("latin1")


def _bytearray(*args):
    """``bytearray`` from bytes or a latin-1 str (never from a size: that would allocate)."""
    if args == ():
        return bytearray()
    if len(args) == 1 and type(args[0]) is bytes:
        return bytearray(args[0])
    if len(args) == 2 and type(args[0]) is str and args[1] in ("latin1", "latin-1"):
        return bytearray(args[0], "latin1")
    raise pickle.UnpicklingError("bytearray is only allowed to rebuild bytes")


def _allowed_globals() -> dict:
    out = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.complex": complex,
        "builtins.bytearray": _bytearray,
        "_codecs.encode": _encode,
        "torch.Size": _size,
        "torch.device": _device,
        "torch.Tensor": _TENSOR_CLASS,
        "torch.nn.parameter.Parameter": _PARAMETER_CLASS,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
    }
    for fn in _REBUILDERS:
        out[f"torch._utils.{fn.__name__}"] = fn
    for name in _dtype._BY_NAME:
        out[f"torch.{name}"] = _dtype._BY_NAME[name]
    for name, np_dtype in _NP_OF_STORAGE.items():
        out[f"torch.{name}"] = _Marker(f"torch.{name}", np_dtype)
    out["torch.storage.UntypedStorage"] = out["torch.UntypedStorage"]
    out["torch.BFloat16Storage"] = _Marker("torch.BFloat16Storage")  # named, then refused
    return out


_ALLOWED = _allowed_globals()
# what may be called by REDUCE (the rest are markers or values)
_CALLABLE = (
    frozenset((OrderedDict, Counter, set, frozenset, complex, _bytearray, _encode, _size, _device))
    | _REBUILDERS
    | {_rebuild_from_type_v2}
)

_user_globals: dict = {}


def _global_name(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: list) -> None:
    """Allows the listed functions and classes (or ``(obj, "module.name")`` pairs) in
    ``weights_only`` loads, as torch.serialization.add_safe_globals. Only for trusted code:
    a checkpoint may call them with any arguments it likes."""
    for entry in safe_globals:
        obj, name = entry if isinstance(entry, tuple) else (entry, _global_name(entry))
        _user_globals[name] = obj


def get_safe_globals() -> list:
    """The globals added with :func:`add_safe_globals`."""
    return list(_user_globals.values())


def clear_safe_globals() -> None:
    _user_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: list):
    """Context manager: :func:`add_safe_globals` for the duration of the block."""
    saved = dict(_user_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_globals.clear()
        _user_globals.update(saved)


# -- loading: the weights-only pickle interpreter --------------------------------------------------
def _unsupported_global(full: str) -> pickle.UnpicklingError:
    message = (
        f"Unsupported global: GLOBAL {full} was not an allowed global by default. Please use "
        f"`numtorch.serialization.add_safe_globals([{full.rsplit('.', 1)[-1]}])` or the "
        f"`numtorch.serialization.safe_globals([{full.rsplit('.', 1)[-1]}])` context manager to "
        "allowlist this global if you trust this class/function."
    )
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "do those steps only if you trust the source of the checkpoint. "
        f"\n\t(1) {_UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please "
        "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
        + message
        + _DOCS_MESSAGE
    )


def _fixed_name(module: str, name: str) -> tuple[str, str]:
    """Python 3's name for a global: protocol 2 writes Python 2's (``__builtin__.set``)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


class _WeightsUnpickler:
    """Interprets a pickle's opcodes, allowing only what a tensor checkpoint uses.

    Every object it creates is a plain container, a number, a string, bytes, or what an
    allowed global returns; REDUCE calls only the allowed callables and BUILD only fills the
    attribute dict of an OrderedDict (a state dict's ``_metadata``).
    """

    def __init__(self, data: bytes, persistent_load):
        self.data = memoryview(data)
        self.pos = 0
        self.persistent_load = persistent_load

    def read(self, n: int):
        end = self.pos + n
        if end > len(self.data):
            raise pickle.UnpicklingError("pickle data was truncated")
        out = self.data[self.pos : end]
        self.pos = end
        return out

    def readline(self) -> str:
        end = bytes(self.data[self.pos : self.pos + 256]).find(b"\n")
        if end < 0:
            raise pickle.UnpicklingError("pickle data was truncated")
        line = bytes(self.data[self.pos : self.pos + end]).decode("utf-8")
        self.pos += end + 1
        return line

    def find_class(self, module: str, name: str):
        module, name = _fixed_name(module, name)
        full = f"{module}.{name}"
        if full in _user_globals:
            return _user_globals[full]
        if full in _ALLOWED:
            return _ALLOWED[full]
        raise _unsupported_global(full)

    def load(self):  # noqa: C901  (one branch per opcode, as pickle's own loop)
        read, unpack = self.read, struct.unpack
        stack: list = []
        metastack: list = []
        memo: dict = {}
        user = _user_globals

        def pop_mark():
            nonlocal stack
            items = stack
            stack = metastack.pop()
            return items

        while True:
            op = read(1)[0]
            if op == 0x80:  # PROTO
                read(1)
            elif op == 0x95:  # FRAME: a length prefix, nothing to do
                read(8)
            elif op == 0x2E:  # STOP
                if not stack:
                    raise pickle.UnpicklingError("pickle stack is empty at STOP")
                return stack[-1]
            elif op == 0x28:  # MARK
                metastack.append(stack)
                stack = []
            elif op == 0x30:  # POP
                stack.pop()
            elif op == 0x31:  # POP_MARK
                pop_mark()
            elif op == 0x32:  # DUP
                stack.append(stack[-1])
            elif op == 0x4E:  # NONE
                stack.append(None)
            elif op == 0x88:  # NEWTRUE
                stack.append(True)
            elif op == 0x89:  # NEWFALSE
                stack.append(False)
            elif op == 0x4A:  # BININT
                stack.append(unpack("<i", read(4))[0])
            elif op == 0x4B:  # BININT1
                stack.append(read(1)[0])
            elif op == 0x4D:  # BININT2
                stack.append(unpack("<H", read(2))[0])
            elif op == 0x8A:  # LONG1
                stack.append(int.from_bytes(read(read(1)[0]), "little", signed=True))
            elif op == 0x8B:  # LONG4
                n = unpack("<i", read(4))[0]
                if n < 0 or n > 1 << 16:
                    raise pickle.UnpicklingError("LONG4 integer is too long")
                stack.append(int.from_bytes(read(n), "little", signed=True))
            elif op == 0x47:  # BINFLOAT
                stack.append(unpack(">d", read(8))[0])
            elif op == 0x58:  # BINUNICODE
                stack.append(str(read(unpack("<I", read(4))[0]), "utf-8", "surrogatepass"))
            elif op == 0x8C:  # SHORT_BINUNICODE
                stack.append(str(read(read(1)[0]), "utf-8", "surrogatepass"))
            elif op == 0x8D:  # BINUNICODE8
                stack.append(str(read(unpack("<Q", read(8))[0]), "utf-8", "surrogatepass"))
            elif op == 0x55:  # SHORT_BINSTRING (a Python 2 str)
                stack.append(str(read(read(1)[0]), "utf-8"))
            elif op == 0x54:  # BINSTRING
                stack.append(str(read(_check_int(unpack("<i", read(4))[0], "length")), "utf-8"))
            elif op == 0x43:  # SHORT_BINBYTES
                stack.append(bytes(read(read(1)[0])))
            elif op == 0x42:  # BINBYTES
                stack.append(bytes(read(unpack("<I", read(4))[0])))
            elif op == 0x8E:  # BINBYTES8
                stack.append(bytes(read(unpack("<Q", read(8))[0])))
            elif op == 0x29:  # EMPTY_TUPLE
                stack.append(())
            elif op == 0x74:  # TUPLE
                items = pop_mark()
                stack.append(tuple(items))
            elif op == 0x85:  # TUPLE1
                stack[-1] = (stack[-1],)
            elif op == 0x86:  # TUPLE2
                stack[-2:] = [(stack[-2], stack[-1])]
            elif op == 0x87:  # TUPLE3
                stack[-3:] = [(stack[-3], stack[-2], stack[-1])]
            elif op == 0x5D:  # EMPTY_LIST
                stack.append([])
            elif op == 0x6C:  # LIST
                items = pop_mark()
                stack.append(items)
            elif op == 0x61:  # APPEND
                item = stack.pop()
                self._target(stack, list, "append to").append(item)
            elif op == 0x65:  # APPENDS
                items = pop_mark()
                self._target(stack, list, "append to").extend(items)
            elif op == 0x7D:  # EMPTY_DICT
                stack.append({})
            elif op == 0x64:  # DICT
                items = pop_mark()
                stack.append(self._pairs({}, items))
            elif op == 0x73:  # SETITEM
                value, key = stack.pop(), stack.pop()
                self._target(stack, (dict, OrderedDict, Counter), "set items of")[key] = value
            elif op == 0x75:  # SETITEMS
                items = pop_mark()
                self._pairs(
                    self._target(stack, (dict, OrderedDict, Counter), "set items of"), items
                )
            elif op == 0x8F:  # EMPTY_SET
                stack.append(set())
            elif op == 0x90:  # ADDITEMS
                items = pop_mark()
                self._target(stack, set, "add items to").update(items)
            elif op == 0x91:  # FROZENSET
                items = pop_mark()
                stack.append(frozenset(items))
            elif op == 0x63:  # GLOBAL
                module = self.readline()
                stack.append(self.find_class(module, self.readline()))
            elif op == 0x93:  # STACK_GLOBAL
                name, module = stack.pop(), stack.pop()
                if type(name) is not str or type(module) is not str:
                    raise pickle.UnpicklingError("STACK_GLOBAL requires str")
                stack.append(self.find_class(module, name))
            elif op == 0x52:  # REDUCE
                args = stack.pop()
                func = stack[-1]
                if type(args) is not tuple:
                    raise pickle.UnpicklingError("REDUCE arguments must be a tuple")
                if not (func in _CALLABLE or any(func is f for f in user.values())):
                    raise pickle.UnpicklingError(
                        f"Trying to call reduce for unrecognized function {func!r}"
                    )
                stack[-1] = func(*args)
            elif op == 0x81:  # NEWOBJ: only for classes allowlisted with add_safe_globals
                args, cls = stack.pop(), stack.pop()
                if not any(cls is v for v in user.values()) or not isinstance(cls, type):
                    raise pickle.UnpicklingError(
                        "Can only create new object for classes allowlisted via "
                        f"`add_safe_globals` but got {cls!r}"
                    )
                if type(args) is not tuple:
                    raise pickle.UnpicklingError("NEWOBJ arguments must be a tuple")
                stack.append(cls.__new__(cls, *args))
            elif op == 0x62:  # BUILD
                state = stack.pop()
                self._build(stack[-1], state)
            elif op == 0x51:  # BINPERSID
                stack.append(self.persistent_load(stack.pop()))
            elif op == 0x68:  # BINGET
                stack.append(memo[read(1)[0]])
            elif op == 0x6A:  # LONG_BINGET
                stack.append(memo[unpack("<I", read(4))[0]])
            elif op == 0x71:  # BINPUT
                memo[read(1)[0]] = stack[-1]
            elif op == 0x72:  # LONG_BINPUT
                memo[unpack("<I", read(4))[0]] = stack[-1]
            elif op == 0x94:  # MEMOIZE
                memo[len(memo)] = stack[-1]
            else:
                raise pickle.UnpicklingError(f"Unsupported operand {op}")

    @staticmethod
    def _target(stack, types, what: str):
        target = stack[-1]
        if type(target) not in (types if isinstance(types, tuple) else (types,)):
            raise pickle.UnpicklingError(f"Can only {what} {types}, but got {type(target)}")
        return target

    @staticmethod
    def _pairs(target, items):
        if len(items) % 2:
            raise pickle.UnpicklingError("odd number of items for SETITEMS")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]
        return target

    @staticmethod
    def _build(inst, state) -> None:
        kind = type(inst)
        if kind in (OrderedDict, Counter) and isinstance(state, dict):
            for key in state:
                if type(key) is not str or hasattr(kind, key):
                    raise pickle.UnpicklingError(f"refusing to set attribute {key!r} in BUILD")
            inst.__dict__.update(state)
        elif any(kind is v for v in _user_globals.values()):
            if hasattr(inst, "__setstate__"):
                inst.__setstate__(state)
            else:
                inst.__dict__.update(state)
        else:
            raise pickle.UnpicklingError(
                f"Can only build OrderedDict or types allowlisted via `add_safe_globals`, but got "
                f"{kind}"
            )


class _FullUnpickler(pickle.Unpickler):
    """The standard unpickler (it runs whatever the file names), with torch names mapped to
    numtorch's."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent = persistent_load

    def persistent_load(self, pid):
        return self._persistent(pid)

    def find_class(self, module, name):
        module, name = _fixed_name(module, name)
        full = f"{module}.{name}"
        if full in _ALLOWED:
            return _ALLOWED[full]
        if module == "torch" or module.startswith("torch."):
            import importlib

            try:
                return getattr(importlib.import_module("numtorch" + module[5:]), name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"numtorch has no equivalent of {full}") from None
        return super().find_class(module, name)


# -- loading: the archive ------------------------------------------------------------------------
_CUDA_ERROR = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


class _Archive:
    """The zip checkpoint: its records, and the storages read from them (each read once)."""

    def __init__(self, fp, map_location, mm=None):
        try:
            self.zf = zipfile.ZipFile(fp)
            names = self.zf.namelist()
        except Exception as e:  # zipfile raises many types on a damaged archive
            raise RuntimeError(
                f"PytorchStreamReader failed reading zip archive: not a valid checkpoint ({e})"
            ) from None
        pkls = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise RuntimeError(
                "PytorchStreamReader failed locating file data.pkl: file not found (this zip "
                "archive is not a PyTorch checkpoint)"
            )
        self.prefix = pkls[0][: -len("data.pkl")]
        self.map_location = map_location
        self.mm = mm
        self.file_size = _size_of(fp)
        self.storages: dict[str, _LoadedStorage] = {}
        self.byteorder = "little"
        if self.prefix + "byteorder" in names:
            self.byteorder = self.read("byteorder").decode("ascii", "replace")
            if self.byteorder not in ("little", "big"):
                raise RuntimeError(f"Unknown endianness type: {self.byteorder}")

    def info(self, name: str):
        try:
            info = self.zf.getinfo(self.prefix + name)
        except KeyError:
            raise RuntimeError(
                f"PytorchStreamReader failed locating file {name}: file not found"
            ) from None
        if info.compress_type != zipfile.ZIP_STORED or info.flag_bits & 0x1:
            raise RuntimeError(f"record {name} is compressed or encrypted: not a torch checkpoint")
        if info.file_size != info.compress_size or info.header_offset + info.file_size > (
            self.file_size
        ):
            raise RuntimeError(f"record {name} is larger than the file: it is truncated")
        return info

    def read(self, name: str) -> bytes:
        info = self.info(name)
        try:
            return self.zf.read(info)
        except Exception as e:  # a bad CRC, a damaged header...
            raise RuntimeError(f"PytorchStreamReader failed reading record {name}: {e}") from None

    def read_into(self, name: str, nbytes: int):
        """A writable buffer with the record's bytes: a view of the file when mapped."""
        info = self.info(name)
        if info.file_size != nbytes:
            raise RuntimeError(
                f"record {name} holds {info.file_size} bytes but its storage needs {nbytes}"
            )
        if self.mm is not None:
            start = _data_start(self.mm, info)
            return memoryview(self.mm)[start : start + nbytes]
        return bytearray(self.read(name))

    def persistent_load(self, pid):
        if type(pid) is not tuple or len(pid) != 5:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r}")
        typename, storage_type, key, location, numel = pid
        if isinstance(typename, bytes):
            typename = typename.decode("ascii", "replace")
        if typename != "storage":
            raise pickle.UnpicklingError("Only persistent_load of storage is allowed")
        if type(storage_type) is not _Marker or type(key) is not str or type(location) is not str:
            raise pickle.UnpicklingError(f"invalid storage id {pid!r}")
        if storage_type.np_dtype is None:
            raise pickle.UnpicklingError(
                f"numtorch cannot load {storage_type.name}: NumPy has no such dtype"
            )
        _check_int(numel, "storage size")
        self._check_location(location)
        storage = self.storages.get(key)
        if storage is not None:
            if storage.array.dtype != storage_type.np_dtype or storage.array.size != numel:
                storage = _LoadedStorage(storage.array.view(np.uint8).view(storage_type.np_dtype))
            return storage
        if "/" in key or not key:
            raise pickle.UnpicklingError(f"invalid storage key {key!r}")
        np_dtype = storage_type.np_dtype
        if self.byteorder == "big":
            np_dtype = np_dtype.newbyteorder(">")
        buf = self.read_into(f"data/{key}", numel * np_dtype.itemsize)
        array = np.frombuffer(buf, np_dtype, numel)
        if self.byteorder == "big":
            array = array.astype(np_dtype.newbyteorder("="))
        storage = _LoadedStorage(array)
        if callable(self.map_location):
            out = self.map_location(make(array), location)
            if isinstance(out, Tensor):
                storage = _LoadedStorage(out._data.reshape(-1))
        self.storages[key] = storage
        return storage

    def _check_location(self, location: str) -> None:
        target = self.map_location
        if target is None:
            target = location
        elif isinstance(target, dict):
            target = target.get(location, location)
        elif callable(target):
            return
        target = str(target)
        if target.startswith("cuda") and self.map_location is None:
            raise RuntimeError(_CUDA_ERROR)
        if target != "cpu":
            raise RuntimeError(
                f"numtorch.load can only place storages on the CPU, not {target!r}: pass "
                "map_location='cpu'"
            )


def _size_of(fp) -> int:
    pos = fp.tell()
    end = fp.seek(0, io.SEEK_END)
    fp.seek(pos)
    return end


def _data_start(buf, info) -> int:
    """Where a stored record's data begins: after its local header (sizes read from there)."""
    header = bytes(buf[info.header_offset : info.header_offset + 30])
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise RuntimeError(f"bad local header for record {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = info.header_offset + 30 + name_len + extra_len
    if start + info.file_size > len(buf):
        raise RuntimeError(f"record {info.filename} is truncated")
    return start


def _sniff(head: bytes) -> None:
    """Refuses what is not a zip checkpoint, saying what it looks like instead."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return
    if not head:
        raise RuntimeError("numtorch.load: the file is empty")
    if head[:2] == b"\x80\x02" and head[2:3] == b"\x8a":
        raise RuntimeError(
            "numtorch.load: this is a checkpoint in PyTorch's legacy (pre-1.6) format, which "
            "numtorch does not read; re-save it with torch.save(obj, f) from a recent PyTorch"
        )
    if len(head) >= 9 and head[8:9] == b"{":
        raise RuntimeError(
            "numtorch.load: this looks like a safetensors file; open it with "
            "numtorch.utils.safetensors.load_file"
        )
    if head[:1] == b"\x80":
        raise pickle.UnpicklingError(
            "numtorch.load: this is a bare pickle, not a PyTorch zip checkpoint"
        )
    raise pickle.UnpicklingError(
        f"numtorch.load: not a PyTorch checkpoint (invalid load key, {head[:1]!r})"
    )


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """Loads what :func:`save` or ``torch.save`` wrote to the path or binary file ``f``, as
    torch.load.

    ``weights_only=True`` (the default) accepts only tensors, numbers, strings, bytes, None and
    containers of them (dicts, OrderedDicts, lists, tuples, sets): anything else is refused
    with ``pickle.UnpicklingError`` and nothing in the file is run. ``weights_only=False``
    unpickles anything, so it runs whatever code the file names: use it only for files you
    trust. ``mmap=True`` maps the file's storages copy-on-write instead of reading them.
    Storages must go to the CPU: ``map_location`` may be None, 'cpu', a device, a dict of
    locations or a callable ``(storage, location)``.
    """
    if pickle_module not in (None, pickle):
        raise NotImplementedError("numtorch.load only supports the standard pickle module")
    if weights_only is None:
        weights_only = True
    if isinstance(map_location, device):
        map_location = str(map_location)
    with contextlib.ExitStack() as stack:
        if isinstance(f, (str, os.PathLike)):
            fp = stack.enter_context(open(f, "rb"))
        elif mmap:
            raise ValueError("f must be a file path in order to use the mmap argument")
        else:
            fp = f
            if not (hasattr(fp, "seekable") and fp.seekable()):
                fp = io.BytesIO(fp.read())
        start = fp.tell()
        head = fp.read(16)
        fp.seek(start)
        _sniff(head)
        mm = None
        if mmap:  # left open: the loaded tensors view it (it closes when they are gone)
            mm = _mmap.mmap(fp.fileno(), 0, access=_mmap.ACCESS_COPY)
        archive = _Archive(fp, map_location, mm)
        data = archive.read("data.pkl")
        if not weights_only:
            unpickler = _FullUnpickler(
                io.BytesIO(data), archive.persistent_load, **pickle_load_args
            )
            return unpickler.load()
        try:
            return _WeightsUnpickler(data, archive.persistent_load).load()
        except (pickle.UnpicklingError, RuntimeError):
            raise
        except Exception as e:  # only numtorch's code ran: any other error means a bad file
            raise pickle.UnpicklingError(f"corrupted checkpoint: {type(e).__name__}: {e}") from None
