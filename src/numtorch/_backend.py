"""The one place that maps a device to its array module (NumPy now, CuPy later).

Op code receives ``xp`` (through ``ctx.xp`` or :func:`array_module`) and never imports numpy
itself, so a GPU backend can slot in here without touching the ops.
"""

from __future__ import annotations

import numpy

__all__ = ["device", "array_module", "module_of", "sum_to", "ndarray"]

ndarray = numpy.ndarray


class device:
    """Where a tensor's memory lives, as torch.device: ``device('cpu')``, ``device('cuda', 0)``.

    >>> numtorch.device('cpu')
    device(type='cpu')
    """

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, type: str | device, index: int | None = None):  # noqa: A002
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(
                f"device() received an invalid combination of arguments - got ({type!r})"
            )
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta", "mps"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type "
                f"at start of device string: {type}"
            )
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        if not isinstance(other, device):
            return NotImplemented
        return self.type == other.type and self.index == other.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def array_module(dev: device | str | None = None):
    """The array module that holds tensors of ``dev``: numpy for the CPU."""
    if dev is None or dev == "cpu" or (isinstance(dev, device) and dev.type == "cpu"):
        return numpy
    dev = device(dev)
    if dev.type == "cuda":
        from ._errors import hinted

        raise hinted(
            AssertionError("Torch not compiled with CUDA enabled"),
            "numtorch runs on NumPy (the CPU) for now; use device='cpu' or pick the device with "
            "'cuda' if torch.cuda.is_available() else 'cpu'.",
        )
    raise RuntimeError(f"numtorch has no backend for device type '{dev.type}'")


def module_of(array):
    """The array module an array belongs to (numpy for every CPU array)."""
    return numpy


def device_of(array) -> device:
    return CPU


def as_array(value, xp=numpy):
    """Wraps a NumPy scalar (what ufuncs return for 0-d inputs) back into a 0-d array."""
    return value if value.__class__ is ndarray else xp.asarray(value)


def sum_to(array, shape: tuple):
    """Sums a broadcast gradient back down to ``shape`` (the inverse of broadcasting)."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    ones = tuple(i for i, n in enumerate(shape) if n == 1 and array.shape[i + lead] != 1)
    # summed without a final reshape, the result owns its memory (so it can become .grad as is)
    out = array.sum(axis=tuple(range(lead))) if lead else array
    if ones:
        out = out.sum(axis=ones, keepdims=True)
    return out


# PyTorch computes log(0) = -inf, 0/0 = nan and overflows silently; NumPy would warn on each.
numpy.seterr(all="ignore")


# -- host memory ---------------------------------------------------------------------------
#
# A training step allocates and frees the same large buffers over and over (activations,
# im2col matrices, gradients). glibc serves blocks above its mmap threshold (128 KiB at first)
# with fresh pages from the kernel and trims freed memory back to it, so each step pays a page
# fault per 4 KiB touched: on virtual machines that was 25-30% of a LeNet step. Raising the
# thresholds keeps up to TRIM_THRESHOLD bytes of freed memory in the process for reuse
# instead; peak memory is unchanged. NUMTORCH_MALLOC_TUNING=0 leaves glibc's defaults.

MMAP_THRESHOLD = 64 << 20
TRIM_THRESHOLD = 256 << 20


def tune_host_allocator() -> bool:
    """Sets glibc's mmap and trim thresholds (see above); True where it did."""
    import ctypes
    import os
    import platform
    import sys

    if os.environ.get("NUMTORCH_MALLOC_TUNING", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    if platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    m_trim_threshold, m_mmap_threshold = -1, -3  # from glibc's malloc.h
    return bool(
        mallopt(m_mmap_threshold, MMAP_THRESHOLD) and mallopt(m_trim_threshold, TRIM_THRESHOLD)
    )


HOST_ALLOCATOR_TUNED = tune_host_allocator()
