"""numtorch.version: what torch.version tells (being written)."""

from __future__ import annotations
