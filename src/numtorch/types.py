"""``torch.types``: the type aliases PyTorch's own signatures use (``Number``, ``_size`` ...)."""

# ruff: noqa: UP007  (typing.Union, as PyTorch spells these runtime aliases)
from __future__ import annotations

from typing import Union

from ._backend import device as _device
from ._dtype import dtype as _dtype
from ._tensor import Size, Tensor

_int = int
_float = float
_bool = bool
_complex = complex
_dtype_t = _dtype
_size = Union[Size, list[int], tuple[int, ...]]
_TensorOrTensors = Union[Tensor, tuple[Tensor, ...], list[Tensor]]
Number = Union[int, float, bool]
Device = Union[_device, str, int, None]
