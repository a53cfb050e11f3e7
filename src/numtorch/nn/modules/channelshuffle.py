"""ChannelShuffle, as torch.nn.modules.channelshuffle."""

from __future__ import annotations

from .. import _functional_extra as _FX
from .module import Module

__all__ = ["ChannelShuffle"]


class ChannelShuffle(Module):
    """Splits the channels (dim 1) into ``groups`` groups and interleaves them (ShuffleNet).

    >>> numtorch.nn.ChannelShuffle(2)(numtorch.arange(4.0).view(1, 4, 1)).flatten()
    tensor([0., 2., 1., 3.])
    """

    __constants__ = ["groups"]

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return _FX.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
