"""``DistributedDataParallel``, as torch.nn.parallel.distributed. numtorch runs in one
process with no process group, so construction fails the way PyTorch's does before
``init_process_group``: argument checks first, then ValueError for the missing group."""

from __future__ import annotations

from typing import Any

from ..modules.module import Module

__all__ = ["DistributedDataParallel"]

_NO_GROUP = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class DistributedDataParallel(Module):
    """Multi-process data parallelism, as torch.nn.parallel.DistributedDataParallel; it
    needs an initialised process group, which numtorch never has.

    >>> numtorch.nn.parallel.DistributedDataParallel(numtorch.nn.Linear(2, 1))
    Traceback (most recent call last):
    ...
    ValueError: Default process group has not been initialized, please make sure to call init_process_group.
    """  # noqa: E501

    def __init__(
        self,
        module: Module,
        device_ids: Any = None,
        output_device: Any = None,
        dim: int = 0,
        broadcast_buffers: Any = None,
        init_sync: bool = True,
        process_group: Any = None,
        bucket_cap_mb: Any = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
        delay_all_reduce_named_params: Any = None,
        param_to_hook_all_reduce: Any = None,
        mixed_precision: Any = None,
        device_mesh: Any = None,
        skip_all_reduce_unused_params: bool = False,
        bucket_cap_mb_list: Any = None,
        batched_grad_copy: bool = False,
        forward_sync_buffers: Any = None,
    ) -> None:
        super().__init__()
        # the checks PyTorch makes before it asks for the default group, in its order
        if (delay_all_reduce_named_params is not None) != (param_to_hook_all_reduce is not None):
            raise ValueError(
                "delay_all_reduce_named_params and param_to_hook_all_reduce "
                "need to be set at the same time."
            )
        if process_group and device_mesh is not None:
            raise RuntimeError("Cannot specify both process_group and device_mesh arguments.")
        if process_group is None and device_mesh is None:
            raise ValueError(_NO_GROUP)
        # a group or mesh can only come from torch.distributed, which numtorch does not have
        raise RuntimeError(
            "numtorch has no distributed backend (torch.distributed.is_available() is False): "
            "train in one process"
        )
