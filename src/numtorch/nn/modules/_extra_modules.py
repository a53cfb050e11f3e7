"""Layers PyTorch keeps in several of its module files: the deprecated ``Container`` and
``NLLLoss2d``, ``CrossMapLRN2d``, ``LPPool3d``, fractional max pooling and the lazy batch and
instance norms. Each reports PyTorch's module path (``numtorch.nn.modules.pooling``, ...)."""

from __future__ import annotations

import warnings
from typing import Any

from ... import _dtype
from ...autograd.grad_mode import no_grad
from ...ops.creation import tensor
from .._functional_layers import _pair, _triple
from .._functional_pool_extra import (
    CrossMapLRN2dOp,
    fractional_max_pool2d,
    fractional_max_pool3d,
    lp_pool3d,
)
from ..parameter import UninitializedBuffer, UninitializedParameter
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d, _BatchNorm, _NormBase
from .lazy import LazyModuleMixin
from .loss import NLLLoss
from .module import Module
from .normalization import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm
from .pooling import _LPPoolNd

__all__ = [
    "Container",
    "NLLLoss2d",
    "CrossMapLRN2d",
    "LPPool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LazyBatchNorm3d",
    "LazyInstanceNorm1d",
    "LazyInstanceNorm2d",
    "LazyInstanceNorm3d",
]


class _Deprecated:
    """What ``typing_extensions.deprecated`` does to a class, as PyTorch applies it: a
    FutureWarning when the class itself is instantiated and when it is subclassed."""

    __deprecated__: str

    def __new__(cls, *args, **kwargs):
        if _Deprecated in cls.__bases__:
            warnings.warn(cls.__deprecated__, FutureWarning, stacklevel=2)
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs) -> None:
        if _Deprecated not in cls.__bases__:
            warnings.warn(cls.__deprecated__, FutureWarning, stacklevel=2)
        super().__init_subclass__(**kwargs)


# -- deprecated aliases -------------------------------------------------------------------------


class Container(_Deprecated, Module):
    """Deprecated: a Module whose keyword arguments become its children, as torch.nn.Container
    (FutureWarning; subclass Module instead).

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.nn.Container(fc=numtorch.nn.Linear(1, 1))
    Container(
      (fc): Linear(in_features=1, out_features=1, bias=True)
    )
    """

    __deprecated__ = (
        "`nn.Container` is deprecated. "
        "All of its functionality is now implemented in `nn.Module`. Subclass that instead."
    )

    def __init__(self, **kwargs) -> None:
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class NLLLoss2d(_Deprecated, NLLLoss):
    """Deprecated alias of NLLLoss (FutureWarning), as torch.nn.NLLLoss2d.

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     numtorch.nn.NLLLoss2d()
    NLLLoss2d()
    """

    __deprecated__ = (
        "`NLLLoss2d` has been deprecated. "
        "Please use `NLLLoss` instead as a drop-in replacement and see "
        "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details."
    )

    def __init__(
        self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"
    ) -> None:
        super().__init__(weight, size_average, ignore_index, reduce, reduction)


# -- CrossMapLRN2d, LPPool3d --------------------------------------------------------------------


class CrossMapLRN2d(Module):
    """Local response normalisation across the channels of ``(N, C, H, W)``, computed as
    PyTorch's legacy CrossMapLRN2d function computes it.

    >>> numtorch.nn.CrossMapLRN2d(3)
    CrossMapLRN2d(3, alpha=0.0001, beta=0.75, k=1)
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        return CrossMapLRN2dOp.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class LPPool3d(_LPPoolNd):
    """Power-average pooling over ``(D, H, W)`` windows, as torch.nn.LPPool3d.

    >>> numtorch.nn.LPPool3d(2, 3, stride=2)
    LPPool3d(norm_type=2, kernel_size=3, stride=2, ceil_mode=False)
    """

    def forward(self, input):
        return lp_pool3d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode
        )


# -- fractional max pooling ---------------------------------------------------------------------


def _check_ratio(ratio, given) -> None:
    if not all(0 < r < 1 for r in ratio):
        raise ValueError(f"output_ratio must be between 0 and 1 (got {given})")


class _FractionalMaxPoolNd(Module):
    """What FractionalMaxPool2d and 3d share: their arguments, checks and forward."""

    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _tuple: Any = None  # _pair or _triple
    _function: Any = None  # the functional form

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices=False,
        _random_samples=None,
    ) -> None:
        super().__init__()
        self.kernel_size = self._tuple(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = self._tuple(output_size) if output_size is not None else None
        self.output_ratio = self._tuple(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{type(self).__name__} requires specifying either an output size, or a "
                "pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None:
            _check_ratio(self.output_ratio, output_ratio)

    def forward(self, input):
        return type(self)._function(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """Max over pseudo-random ``kernel_size`` windows that shrink ``(H, W)`` to
    ``output_size`` (or ``output_ratio`` of it), as torch.nn.FractionalMaxPool2d; the same
    seed gives PyTorch's windows.

    >>> pool = numtorch.nn.FractionalMaxPool2d(2, output_size=3)
    >>> pool, pool(numtorch.ones(1, 2, 6, 6)).shape
    (FractionalMaxPool2d(), numtorch.Size([1, 2, 3, 3]))
    """

    _tuple = staticmethod(_pair)
    _function = staticmethod(fractional_max_pool2d)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-d fractional max pooling over ``(T, H, W)``, as torch.nn.FractionalMaxPool3d.

    >>> numtorch.nn.FractionalMaxPool3d(2, output_ratio=0.5)
    FractionalMaxPool3d()
    """

    _tuple = staticmethod(_triple)
    _function = staticmethod(fractional_max_pool3d)

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices=False,
        _random_samples=None,
    ) -> None:
        # PyTorch's 3-d module (only) checks the kernel before anything else
        if (isinstance(kernel_size, int) and kernel_size <= 0) or (
            isinstance(kernel_size, (tuple, list)) and not all(k > 0 for k in kernel_size)
        ):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        super().__init__(kernel_size, output_size, output_ratio, return_indices, _random_samples)


# -- lazy batch / instance norms ----------------------------------------------------------------


class _LazyNormBase(LazyModuleMixin, _NormBase):
    """``num_features`` from the first input's dim 1, as PyTorch's _LazyNormBase (whose
    defaults, affine and track_running_stats True, the lazy instance norms share)."""

    def __init__(
        self,
        eps=1e-5,
        momentum=0.1,
        affine=True,
        track_running_stats=True,
        device=None,
        dtype=None,
        *,
        bias=True,
    ) -> None:
        # no affine and no running stats here: the placeholders below take their places
        super().__init__(0, eps, momentum, False, False, device=device, dtype=dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if self.affine:
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        if self.track_running_stats:
            self.running_mean = UninitializedBuffer(device=device, dtype=dtype)
            self.running_var = UninitializedBuffer(device=device, dtype=dtype)
            self.num_batches_tracked = tensor(0, dtype=_dtype.int64)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input) -> None:
        if self.has_uninitialized_params():
            with no_grad():
                self.num_features = input.shape[1]
                if self.affine:
                    self.weight.materialize((self.num_features,))
                    if self.bias is not None:
                        self.bias.materialize((self.num_features,))
                if self.track_running_stats:
                    self.running_mean.materialize((self.num_features,))
                    self.running_var.materialize((self.num_features,))
                self.reset_parameters()


class LazyBatchNorm1d(_LazyNormBase, _BatchNorm):
    """A BatchNorm1d whose ``num_features`` comes from its first input.

    >>> bn = numtorch.nn.LazyBatchNorm1d()
    >>> _ = bn(numtorch.randn(4, 3)); bn
    BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm1d

    def _check_input_dim(self, input):
        if input.dim() != 2 and input.dim() != 3:
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class LazyBatchNorm2d(_LazyNormBase, _BatchNorm):
    """A BatchNorm2d whose ``num_features`` comes from its first input.

    >>> numtorch.nn.LazyBatchNorm2d()
    LazyBatchNorm2d(0, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm2d

    def _check_input_dim(self, input):
        if input.dim() != 4:
            raise ValueError(f"expected 4D input (got {input.dim()}D input)")


class LazyBatchNorm3d(_LazyNormBase, _BatchNorm):
    """A BatchNorm3d whose ``num_features`` comes from its first input.

    >>> _ = numtorch.nn.LazyBatchNorm3d()(numtorch.randn(2, 3, 2, 2, 2))
    """

    cls_to_become = BatchNorm3d

    def _check_input_dim(self, input):
        if input.dim() != 5:
            raise ValueError(f"expected 5D input (got {input.dim()}D input)")


class LazyInstanceNorm1d(_LazyNormBase, _InstanceNorm):
    """An InstanceNorm1d whose ``num_features`` comes from its first input's dim 1.

    >>> norm = numtorch.nn.LazyInstanceNorm1d()
    >>> _ = norm(numtorch.randn(2, 3, 5)); norm.num_features
    3
    """

    cls_to_become = InstanceNorm1d

    def _get_no_batch_dim(self):
        return 2

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")


class LazyInstanceNorm2d(_LazyNormBase, _InstanceNorm):
    """An InstanceNorm2d whose ``num_features`` comes from its first input's dim 1.

    >>> numtorch.nn.LazyInstanceNorm2d(affine=False, track_running_stats=False)
    LazyInstanceNorm2d(0, eps=1e-05, momentum=0.1, affine=False, bias=False, track_running_stats=False)
    """  # noqa: E501

    cls_to_become = InstanceNorm2d

    def _get_no_batch_dim(self):
        return 3

    def _check_input_dim(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"expected 3D or 4D input (got {input.dim()}D input)")


class LazyInstanceNorm3d(_LazyNormBase, _InstanceNorm):
    """An InstanceNorm3d whose ``num_features`` comes from its first input's dim 1.

    >>> _ = numtorch.nn.LazyInstanceNorm3d()(numtorch.randn(1, 2, 3, 3, 3))
    """

    cls_to_become = InstanceNorm3d

    def _get_no_batch_dim(self):
        return 4

    def _check_input_dim(self, input):
        if input.dim() not in (4, 5):
            raise ValueError(f"expected 4D or 5D input (got {input.dim()}D input)")


# PyTorch's files for these (the code lives here)
for _cls, _path in [
    (Container, "container"),
    (NLLLoss2d, "loss"),
    (CrossMapLRN2d, "normalization"),
    (LPPool3d, "pooling"),
    (FractionalMaxPool2d, "pooling"),
    (FractionalMaxPool3d, "pooling"),
    (_LazyNormBase, "batchnorm"),
    (LazyBatchNorm1d, "batchnorm"),
    (LazyBatchNorm2d, "batchnorm"),
    (LazyBatchNorm3d, "batchnorm"),
    (LazyInstanceNorm1d, "instancenorm"),
    (LazyInstanceNorm2d, "instancenorm"),
    (LazyInstanceNorm3d, "instancenorm"),
]:
    _cls.__module__ = "numtorch.nn.modules." + _path
del _cls, _path
