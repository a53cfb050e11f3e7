"""Top-level torch functions gathered from the op families (being written)."""

from __future__ import annotations

__all__: list[str] = []
