"""Helpers of the DataLoader: collation, fetching and workers (torch.utils.data._utils)."""

from __future__ import annotations

from . import collate, fetch, worker

__all__ = ["collate", "fetch", "worker"]
