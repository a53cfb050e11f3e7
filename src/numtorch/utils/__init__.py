"""numtorch.utils: ``data`` (datasets, samplers, DataLoader), ``hooks``, ``dlpack`` and
``safetensors``."""

from __future__ import annotations

from . import data, dlpack, hooks, safetensors

__all__ = ["data", "dlpack", "hooks", "safetensors"]
