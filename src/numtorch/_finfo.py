"""``finfo`` and ``iinfo``: the numerical limits of a dtype, as torch.finfo / torch.iinfo
(attributes are Python numbers; the repr is PyTorch's, numbers to 6 significant digits)."""

from __future__ import annotations

import numpy as np

from . import _dtype

# NumPy has no bfloat16: its limits, as PyTorch reports them
_BFLOAT16 = {
    "bits": 16,
    "eps": 0.0078125,
    "max": 3.3895313892515355e38,
    "min": -3.3895313892515355e38,
    "tiny": 1.1754943508222875e-38,
    "smallest_normal": 1.1754943508222875e-38,
    "resolution": 0.01,
}


class finfo:
    """Limits of a floating point dtype (a complex dtype gives its real part's).

    >>> numtorch.finfo(numtorch.float32).eps
    1.1920928955078125e-07
    >>> numtorch.finfo(numtorch.float16)
    finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)
    """  # noqa: E501

    def __init__(self, type=None):
        dtype = _dtype.get_default_dtype() if type is None else type
        if not isinstance(dtype, _dtype.dtype) or not (dtype.is_floating_point or dtype.is_complex):
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle "
                "'torch.finfo'"
            )
        dtype = dtype.to_real()
        if dtype is _dtype.bfloat16:
            limits = dict(_BFLOAT16)
        else:
            info = np.finfo(dtype._np)
            limits = {
                "bits": info.bits,
                "eps": float(info.eps),
                "max": float(info.max),
                "min": float(info.min),
                "tiny": float(info.smallest_normal),
                "smallest_normal": float(info.smallest_normal),
                "resolution": 10.0**-info.precision,
            }
        self.bits = limits["bits"]
        self.eps = limits["eps"]
        self.max = limits["max"]
        self.min = limits["min"]
        self.tiny = limits["tiny"]
        self.smallest_normal = limits["smallest_normal"]
        self.resolution = limits["resolution"]
        self.dtype = dtype._name

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("finfo", self.dtype))

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype.

    >>> numtorch.iinfo(numtorch.uint8).max
    255
    >>> numtorch.iinfo(numtorch.int8)
    iinfo(min=-128, max=127, dtype=int8)
    """

    def __init__(self, type):
        if not isinstance(type, _dtype.dtype) or type.is_floating_point or type.is_complex:
            raise TypeError(
                "torch.iinfo() requires an integer input type. Use torch.finfo to handle "
                "'torch.iinfo'"
            )
        if type is _dtype.bool:
            raise TypeError(f"{type!r} is not supported by torch.iinfo")
        info = np.iinfo(type._np)
        self.bits = info.bits
        self.max = int(info.max)
        self.min = int(info.min)
        self.dtype = type._name

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self) -> int:
        return hash(("iinfo", self.dtype))

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
