"""Padding layers, as torch.nn.modules.padding: each is ``F.pad`` with a fixed mode and
padding (``(left, right)`` for 1-d, ``(left, right, top, bottom)`` for 2-d, two more for 3-d)."""

from __future__ import annotations

from itertools import repeat

from .. import functional as F
from .module import Module

__all__ = [
    f"{kind}Pad{nd}d"
    for kind in ("Circular", "Constant", "Reflection", "Replication", "Zero")
    for nd in (1, 2, 3)
]


def _sides(padding, nd: int) -> tuple:
    return tuple(padding) if isinstance(padding, (list, tuple)) else tuple(repeat(padding, 2 * nd))


class _PadNd(Module):
    __constants__ = ["padding"]
    mode = "constant"
    nd = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self.nd)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    __constants__ = ["padding", "value"]

    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _CircularPadNd(_PadNd):
    mode = "circular"

    def forward(self, input):
        if input.dim() not in (self.nd + 1, self.nd + 2):
            raise ValueError(
                f"expected {self.nd + 1}D or {self.nd + 2}D input (got {input.dim()}D input)"
            )
        return super().forward(input)


class _ReflectionPadNd(_PadNd):
    mode = "reflect"


class _ReplicationPadNd(_PadNd):
    mode = "replicate"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``.

    >>> numtorch.nn.ConstantPad1d(2, 3.5)(numtorch.zeros(1, 1))
    tensor([[3.5000, 3.5000, 0.0000, 3.5000, 3.5000]])
    """

    nd = 1


class ConstantPad2d(_ConstantPadNd):
    nd = 2


class ConstantPad3d(_ConstantPadNd):
    nd = 3


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros.

    >>> numtorch.nn.ZeroPad1d((1, 2))(numtorch.ones(1, 2))
    tensor([[0., 1., 1., 0., 0.]])
    """

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ReflectionPadNd):
    """Pads the last dim with its reflection (the edge element not repeated).

    >>> numtorch.nn.ReflectionPad1d(2)(numtorch.arange(4.0).view(1, 1, 4))
    tensor([[[2., 1., 0., 1., 2., 3., 2., 1.]]])
    """

    nd = 1


class ReflectionPad2d(_ReflectionPadNd):
    nd = 2


class ReflectionPad3d(_ReflectionPadNd):
    nd = 3


class ReplicationPad1d(_ReplicationPadNd):
    """Pads the last dim by repeating its edge elements.

    >>> numtorch.nn.ReplicationPad1d((2, 1))(numtorch.arange(3.0).view(1, 1, 3))
    tensor([[[0., 0., 0., 1., 2., 2.]]])
    """

    nd = 1


class ReplicationPad2d(_ReplicationPadNd):
    nd = 2


class ReplicationPad3d(_ReplicationPadNd):
    nd = 3


class CircularPad1d(_CircularPadNd):
    """Pads the last dim with wrapped-around elements.

    >>> numtorch.nn.CircularPad1d(1)(numtorch.arange(3.0).view(1, 1, 3))
    tensor([[[2., 0., 1., 2., 0.]]])
    """

    nd = 1


class CircularPad2d(_CircularPadNd):
    nd = 2


class CircularPad3d(_CircularPadNd):
    nd = 3
