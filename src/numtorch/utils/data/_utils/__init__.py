"""Helpers of the DataLoader: collation and fetching (torch.utils.data._utils)."""

from __future__ import annotations

from . import collate, fetch

__all__ = ["collate", "fetch"]
