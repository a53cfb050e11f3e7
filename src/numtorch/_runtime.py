"""Top-level runtime switches of the torch namespace (being written)."""

from __future__ import annotations

__all__: list[str] = []
