"""``numtorch.nn.parallel``: DataParallel and DistributedDataParallel, as torch.nn.parallel.

numtorch has no accelerators and no process groups: DataParallel runs its module as PyTorch's
does without GPUs, and DistributedDataParallel fails as PyTorch's does without
``init_process_group``.
"""

from __future__ import annotations

import warnings

from .data_parallel import DataParallel, data_parallel
from .distributed import DistributedDataParallel

__all__ = ["data_parallel", "DataParallel", "DistributedDataParallel"]

_DDP_CPU = (
    "`torch.nn.parallel.DistributedDataParallelCPU` is deprecated, "
    "please use `torch.nn.parallel.DistributedDataParallel` instead."
)


class DistributedDataParallelCPU(DistributedDataParallel):
    """Deprecated alias of DistributedDataParallel (FutureWarning), as PyTorch's."""

    __deprecated__ = _DDP_CPU

    def __new__(cls, *args, **kwargs):
        if cls is DistributedDataParallelCPU:
            warnings.warn(_DDP_CPU, FutureWarning, stacklevel=2)
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs) -> None:
        warnings.warn(_DDP_CPU, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)
