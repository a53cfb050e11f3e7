"""DLPack: zero-copy exchange of tensors with NumPy, PyTorch and any library that speaks it.

A numtorch tensor is a NumPy array underneath, so both directions delegate to NumPy: the
tensor exports its array's DLPack capsule, and ``from_dlpack`` lets ``np.from_dlpack`` consume
the producer's and wraps the array. Importing this module gives Tensor its ``__dlpack__`` and
``__dlpack_device__`` methods.
"""

from __future__ import annotations

import enum

import numpy as np

from ._backend import device as _device
from ._dtype import from_numpy_dtype
from ._tensor import Tensor, make

__all__ = ["DLDeviceType", "from_dlpack", "to_dlpack"]


class DLDeviceType(enum.IntEnum):
    """DLPack's device codes, as torch.utils.dlpack.DLDeviceType."""

    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLOpenCL = 4
    kDLVulkan = 7
    kDLMetal = 8
    kDLVPI = 9
    kDLROCM = 10
    kDLExtDev = 12
    kDLOneAPI = 14


def __dlpack__(self, stream=None, *, max_version=None, dl_device=None, copy=None):
    """A DLPack capsule of the tensor's memory (shared unless ``copy=True``), for another
    library's ``from_dlpack``; the CPU has no streams, so ``stream`` must be None or -1."""
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    if stream is not None and type(stream) is not int:
        raise TypeError("stream must be ``int`` or ``none``")
    if stream is not None and stream != -1:
        raise AssertionError("stream should be None on cpu.")
    # only what was given is passed on: NumPy 2.0's __dlpack__ lacks dl_device and copy
    kwargs = {
        key: value
        for key, value in (("max_version", max_version), ("dl_device", dl_device), ("copy", copy))
        if value is not None
    }
    return self._data.__dlpack__(stream=None, **kwargs)


def __dlpack_device__(self) -> tuple:
    """``(DLDeviceType.kDLCPU, 0)``: numtorch's memory is host memory."""
    return (DLDeviceType.kDLCPU, 0)


Tensor.__dlpack__ = __dlpack__  # type: ignore[attr-defined]
Tensor.__dlpack_device__ = __dlpack_device__  # type: ignore[attr-defined]


class _Capsule:
    """Lends a bare (legacy) DLPack capsule the ``__dlpack__`` protocol np.from_dlpack wants."""

    __slots__ = ("capsule",)

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, stream=None, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (DLDeviceType.kDLCPU, 0)


def from_dlpack(ext_tensor, *, device=None, copy=None) -> Tensor:
    """A tensor sharing memory with ``ext_tensor`` (anything with ``__dlpack__``: a NumPy
    array, a torch tensor, ... or a DLPack capsule), as torch.from_dlpack. A bare capsule
    (DLPack 0.x, as torch.utils.dlpack.to_dlpack makes) cannot say whether its memory may be
    written, so NumPy, and so the tensor, maps it read-only.

    >>> import numpy as np
    >>> a = np.zeros(3, np.float32)
    >>> t = numtorch.from_dlpack(a); t[0] = 1; a
    array([1., 0., 0.], dtype=float32)
    """
    if device is not None and _device(device).type != "cpu":
        raise RuntimeError(f"numtorch can only import DLPack tensors onto the CPU, not {device}")
    if not hasattr(ext_tensor, "__dlpack__"):
        if type(ext_tensor).__name__ != "PyCapsule":
            raise TypeError(
                f"from_dlpack expects an object with __dlpack__ or a DLPack capsule, got "
                f"{type(ext_tensor).__name__}"
            )
        ext_tensor = _Capsule(ext_tensor)
    array = np.from_dlpack(ext_tensor) if copy is None else np.from_dlpack(ext_tensor, copy=copy)
    from_numpy_dtype(array.dtype)  # TypeError for dtypes numtorch has no counterpart for
    if array.__class__ is not np.ndarray:
        array = array.view(np.ndarray)
    return make(array)


def to_dlpack(tensor: Tensor):
    """A DLPack capsule of ``tensor`` (torch.utils.dlpack.to_dlpack): consumable once."""
    return __dlpack__(tensor)
