"""``torch.autograd.variable``: where old code imports ``Variable`` from (it returns the tensor,
as in PyTorch since 0.4)."""

from __future__ import annotations

from . import Variable

__all__ = ["Variable"]
