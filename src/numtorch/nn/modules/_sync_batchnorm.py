"""``nn.SyncBatchNorm``: batch norm whose statistics are meant to be reduced across processes.

Without an initialised multi-process group (always, in numtorch) PyTorch falls back to plain
batch norm over the local batch, in training and in eval, and so does this.
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from .batchnorm import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _distributed_ready() -> bool:
    try:
        from ... import distributed

        return bool(distributed.is_available() and distributed.is_initialized())
    except ImportError:
        return False


class SyncBatchNorm(_BatchNorm):
    """Batch norm over any ``(N, C, ...)`` input, as torch.nn.SyncBatchNorm.

    >>> bn = numtorch.nn.SyncBatchNorm(3)
    >>> bn(numtorch.randn(4, 3, 2)).shape
    numtorch.Size([4, 3, 2])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group: Any | None = None,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features,
            eps,
            momentum,
            affine,
            track_running_stats,
            device=device,
            dtype=dtype,
            bias=bias,
        )
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")

    def _check_non_zero_input_channels(self, input) -> None:
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def forward(self, input):
        self._check_input_dim(input)
        self._check_non_zero_input_channels(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            if self.num_batches_tracked is None:
                raise AssertionError("num_batches_tracked must not be None")
            self.num_batches_tracked.add_(1)
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / self.num_batches_tracked.item()
            else:
                factor = self.momentum
        if self.training:
            bn_training = True
        else:
            bn_training = self.running_mean is None and self.running_var is None
        use_buffers = not self.training or self.track_running_stats
        running_mean = self.running_mean if use_buffers else None
        running_var = self.running_var if use_buffers else None
        if bn_training and self.training and _distributed_ready():
            # PyTorch syncs only GPU inputs; a CPU tensor in a live process group is an error
            if input.device.type not in ("cuda", "hpu", "xpu"):
                raise ValueError(
                    "SyncBatchNorm expected input tensor to be on GPU or XPU or privateuseone"
                )
        return F.batch_norm(
            input,
            running_mean,
            running_var,
            self.weight,
            self.bias,
            bn_training,
            factor,
            self.eps,
        )

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """Replaces every ``BatchNorm*d`` in ``module`` (recursively) with a SyncBatchNorm that
        shares its parameters and buffers; a BatchNorm passed directly comes back converted.

        >>> net = numtorch.nn.Sequential(numtorch.nn.Linear(2, 3), numtorch.nn.BatchNorm1d(3))
        >>> type(numtorch.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]).__name__
        'SyncBatchNorm'
        """
        from ...autograd.grad_mode import no_grad

        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = SyncBatchNorm(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
                bias=module.bias is not None,
            )
            if module.affine:
                with no_grad():
                    module_output.weight = module.weight
                    module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, "qconfig"):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        del module
        return module_output
