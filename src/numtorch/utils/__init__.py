"""numtorch.utils: ``data`` (datasets, samplers, DataLoader), ``checkpoint``, ``hooks``,
``dlpack`` and ``safetensors``."""

from __future__ import annotations

from . import checkpoint, data, dlpack, hooks, safetensors

__all__ = ["checkpoint", "data", "dlpack", "hooks", "safetensors"]
