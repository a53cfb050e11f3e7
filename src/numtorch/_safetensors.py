"""The safetensors format, read and written directly (no dependency), as ``safetensors.torch``.

A file is an 8-byte little-endian header length N, N bytes of JSON (padded with spaces to a
multiple of 8) giving each tensor's dtype, shape and ``data_offsets`` [begin, end) into the
byte buffer that follows, then that buffer. Nothing in it is executed on load, unlike a
pickle; the checks below are the ones the reference implementation makes, so a file numtorch
accepts is one ``safetensors`` accepts and the other way round.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ._backend import device as _device
from ._tensor import Tensor, make

__all__ = ["save", "save_file", "load", "load_file", "SafetensorError"]

# in the reference implementation's dtype order: tensors are laid out largest dtype first
_DTYPES = {
    "BOOL": np.dtype(np.bool_),
    "U8": np.dtype(np.uint8),
    "I8": np.dtype(np.int8),
    "I16": np.dtype("<i2"),
    "F16": np.dtype("<f2"),
    "I32": np.dtype("<i4"),
    "F32": np.dtype("<f4"),
    "C64": np.dtype("<c8"),
    "F64": np.dtype("<f8"),
    "I64": np.dtype("<i8"),
}
_RANK = {name: i for i, name in enumerate(_DTYPES)}
_CODE = {np.dtype(dt.newbyteorder("=")): name for name, dt in _DTYPES.items()}
_MAX_HEADER = 100_000_000
_SHARED = (
    "Some tensors share memory, this will lead to duplicate memory on disk and potential "
    "differences when loading them again: {}.\nA potential way to correctly save your model is to "
    "use `save_model`.\nMore information at "
    "https://huggingface.co/docs/safetensors/torch_shared_tensors"
)


class SafetensorError(ValueError):
    """A malformed safetensors file or an argument the format cannot hold."""


def _root_id(array) -> int:
    while isinstance(array.base, np.ndarray):
        array = array.base
    return id(array)


def _check_tensors(tensors: dict) -> None:
    groups: dict[int, list] = {}
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise SafetensorError(f"tensor names must be str, got {name!r}")
        if not isinstance(t, Tensor):
            raise ValueError(
                f"Key `{name}` is invalid, expected torch.Tensor but received {type(t)}"
            )
        if not t._data.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{name}` which is not allowed. "
                "It either means you are trying to save tensors which are reference of each other "
                "in which case it's recommended to save only the full tensors, and reslice at load "
                "time, or simply call `.contiguous()` on your tensor to pack it before saving."
            )
        if t._data.dtype not in _CODE:
            raise SafetensorError(f"safetensors has no dtype for {t.dtype} (tensor `{name}`)")
        if t._data.size:
            groups.setdefault(_root_id(t._data), []).append(name)
    failing = [set(names) for names in groups.values() if len(names) > 1]
    if failing:
        raise RuntimeError(_SHARED.format(failing))


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors bytes of a dict of contiguous tensors (``metadata``: str to str).

    >>> blob = numtorch.utils.safetensors.save({'w': numtorch.ones(2)})
    >>> numtorch.utils.safetensors.load(blob)
    {'w': tensor([1., 1.])}
    """
    _check_tensors(tensors)
    header: dict = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
        ):
            raise SafetensorError("metadata must be a dict of str to str")
        header["__metadata__"] = metadata
    order = sorted(tensors, key=lambda n: (-_RANK[_CODE[tensors[n]._data.dtype]], n))
    chunks = []
    offset = 0
    for name in order:
        data = tensors[name]._data
        code = _CODE[data.dtype]
        raw = np.ascontiguousarray(data, _DTYPES[code]).reshape(-1).view(np.uint8)
        header[name] = {
            "dtype": code,
            "shape": list(data.shape),
            "data_offsets": [offset, offset + raw.nbytes],
        }
        chunks.append(raw)
        offset += raw.nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)  # keeps the buffer, and so each tensor, aligned
    return b"".join([len(text).to_bytes(8, "little"), text, *(c.tobytes() for c in chunks)])


def save_file(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Writes :func:`save`'s bytes to ``filename``, as safetensors.torch.save_file."""
    blob = save(tensors, metadata)
    with open(os.fspath(filename), "wb") as fp:
        fp.write(blob)


def _header(buf) -> tuple[dict, int]:
    """The parsed, checked header and where the byte buffer starts."""
    if len(buf) < 8:
        raise SafetensorError("HeaderTooSmall: the file is shorter than its 8-byte header size")
    n = int.from_bytes(bytes(buf[:8]), "little")
    if n > _MAX_HEADER:
        raise SafetensorError(f"HeaderTooLarge: header of {n} bytes")
    if 8 + n > len(buf):
        raise SafetensorError("InvalidHeaderLength: the header runs past the end of the file")
    raw = bytes(buf[8 : 8 + n])
    if not raw.startswith(b"{"):
        raise SafetensorError("InvalidHeaderStart: the header is not a JSON object")
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise SafetensorError(f"InvalidHeaderDeserialization: {e}") from None
    if not isinstance(header, dict):
        raise SafetensorError("InvalidHeaderDeserialization: the header is not a JSON object")
    return header, 8 + n


def _entries(header: dict, size: int) -> list:
    """(name, dtype, shape, begin, end) in buffer order, checked to tile the buffer exactly."""
    metadata = header.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise SafetensorError("InvalidHeaderDeserialization: __metadata__ must map str to str")
    entries = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
            raise SafetensorError(f"InvalidHeaderDeserialization: bad entry for {name!r}")
        code, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if code not in _DTYPES:
            hint = " (NumPy, hence numtorch, has no bfloat16)" if code == "BF16" else ""
            raise SafetensorError(f"tensor {name!r} has dtype {code!r} numtorch cannot load{hint}")
        ints = (*shape, *offsets) if isinstance(shape, list) and isinstance(offsets, list) else ()
        if not ints or len(offsets) != 2 or any(type(i) is not int or i < 0 for i in ints):
            raise SafetensorError(
                f"InvalidHeaderDeserialization: bad shape or offsets for {name!r}"
            )
        numel = 1
        for s in shape:
            numel *= s
        begin, end = offsets
        if end < begin or end - begin != numel * _DTYPES[code].itemsize:
            raise SafetensorError(
                f"TensorInvalidInfo: {name!r} of shape {shape} and dtype {code} does not take "
                f"{end - begin} bytes"
            )
        entries.append((name, _DTYPES[code], tuple(shape), begin, end))
    entries.sort(key=lambda e: (e[3], e[4]))
    at = 0
    for _, _, _, begin, end in entries:
        if begin != at:
            raise SafetensorError("InvalidOffset: tensors leave gaps or overlap in the buffer")
        at = end
    if at != size:
        raise SafetensorError(
            f"MetadataIncompleteBuffer: the header describes {at} bytes, the buffer has {size}"
        )
    return entries


def _tensors(buf: bytearray) -> dict:
    header, start = _header(buf)
    out = {}
    for name, dt, shape, begin, end in _entries(header, len(buf) - start):
        array = np.frombuffer(buf, dt, (end - begin) // dt.itemsize, start + begin)
        if (start + begin) % dt.itemsize or not dt.isnative:
            array = array.astype(dt.newbyteorder("="))  # unaligned or big-endian host: copy
        out[name] = make(array.reshape(shape))
    return out


def load(data: bytes) -> dict:
    """The tensors in safetensors bytes, as safetensors.torch.load (writable copies)."""
    return _tensors(bytearray(data))


def load_file(filename, device="cpu") -> dict:
    """The tensors of a .safetensors file, as safetensors.torch.load_file; they share one
    buffer read from the file."""
    if isinstance(device, int) or _device(device).type != "cpu":
        raise RuntimeError(f"numtorch can only load safetensors onto the CPU, not {device!r}")
    with open(os.fspath(filename), "rb") as fp:
        return _tensors(bytearray(fp.read()))
