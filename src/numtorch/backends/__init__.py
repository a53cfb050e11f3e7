"""numtorch.backends: the switches of torch.backends, as a CPU-only build without CUDA has them.

numtorch computes with NumPy, so cuDNN, MPS, oneDNN and friends are never available; their flags
still read and assign (``torch.backends.cudnn.benchmark = True``) so training scripts run.

>>> numtorch.backends.cudnn.is_available(), numtorch.backends.mps.is_available()
(False, False)
"""

from __future__ import annotations

import types

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp", "opt_einsum"]

# torch.set_float32_matmul_precision and torch.backends.cuda.matmul.allow_tf32 are two views
# of one setting, so it lives here where both can reach it.
_MATMUL_PRECISION = {"value": "highest"}
MATMUL_PRECISIONS = ("highest", "high", "medium")


class FlagModule(types.ModuleType):
    """A backend module whose flags check their type on assignment, as torch's do.

    Subclasses declare flags with :func:`bool_flag`; values live in the module's ``_flags``.
    """


def bool_flag(name: str, setter_name: str) -> property:
    """A module property holding a bool, refusing anything else with torch's RuntimeError."""

    def get(module: types.ModuleType) -> bool:
        return module._flags[name]

    def set_(module: types.ModuleType, value: object) -> None:
        if not isinstance(value, bool):
            raise RuntimeError(f"{setter_name} expects a bool, but got {type(value).__name__}")
        module._flags[name] = value

    return property(get, set_)


# isort: split
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp, opt_einsum  # noqa: E402
