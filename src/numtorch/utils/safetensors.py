"""numtorch.utils.safetensors: the safetensors format (as the safetensors package's torch API)."""

from .._safetensors import SafetensorError, load, load_file, save, save_file

__all__ = ["SafetensorError", "load", "load_file", "save", "save_file"]
