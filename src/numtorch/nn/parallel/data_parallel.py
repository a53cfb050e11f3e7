"""``DataParallel`` and ``data_parallel``, as torch.nn.parallel.data_parallel.

numtorch has no accelerators, so DataParallel behaves as PyTorch's does on a machine without
GPUs: it keeps the module as ``.module`` (state_dict keys get the ``module.`` prefix), sets
``device_ids`` to ``[]`` and its forward simply runs the module.
"""

from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Wraps ``module`` for single-process multi-device training, as torch.nn.DataParallel;
    with no accelerator (always, in numtorch) the forward is the module's own.

    >>> dp = numtorch.nn.parallel.DataParallel(numtorch.nn.Linear(2, 1))
    >>> dp.device_ids, list(dp.state_dict())
    ([], ['module.weight', 'module.bias'])
    """

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
    ) -> None:
        super().__init__()
        # PyTorch sets only these two when no device type is available (no dim, no
        # output_device: reading them raises AttributeError there too)
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(
    module: Module,
    inputs: Any,
    device_ids: Any = None,
    output_device: Any = None,
    dim: int = 0,
    module_kwargs: Any = None,
) -> Any:
    """The functional DataParallel, as torch.nn.parallel.data_parallel: it needs a device
    type, so it raises RuntimeError, as PyTorch does without GPUs."""
    raise RuntimeError("device type could not be determined")
