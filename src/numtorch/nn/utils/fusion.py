"""Folding an eval-mode BatchNorm into the preceding convolution or linear layer, as
``torch.nn.utils.fusion``.

>>> conv, bn = numtorch.nn.Conv2d(1, 2, 1).eval(), numtorch.nn.BatchNorm2d(2).eval()
>>> x = numtorch.randn(1, 1, 2, 2)
>>> fused = numtorch.nn.utils.fuse_conv_bn_eval(conv, bn)
>>> bool(numtorch.allclose(fused(x), bn(conv(x)), atol=1e-6))
True
"""

from __future__ import annotations

import copy
from typing import TypeVar

from ..._tensor import Tensor
from ..modules.batchnorm import _BatchNorm
from ..modules.conv import _ConvNd
from ..modules.linear import Linear
from ..parameter import Parameter

__all__ = [
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
]

ConvT = TypeVar("ConvT", bound=_ConvNd)
LinearT = TypeVar("LinearT", bound=Linear)


def fuse_conv_bn_eval(conv: ConvT, bn: _BatchNorm, transpose: bool = False) -> ConvT:
    """A copy of ``conv`` whose output equals ``bn(conv(x))`` (both in eval mode; ``transpose``
    for a transposed convolution, whose output channels are the weight's dimension 1).

    >>> conv = numtorch.nn.Conv1d(2, 3, 1).eval()
    >>> fused = numtorch.nn.utils.fuse_conv_bn_eval(conv, numtorch.nn.BatchNorm1d(3).eval())
    >>> fused.weight.shape == conv.weight.shape
    True
    """
    if conv.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_conv = copy.deepcopy(conv)
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight,
        fused_conv.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
        transpose,
    )
    return fused_conv


def fuse_conv_bn_weights(
    conv_w: Tensor,
    conv_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor | None,
    bn_b: Tensor | None,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The weight and bias (as Parameters) of a convolution followed by a BatchNorm with these
    running statistics and affine parameters (None: the identity).

    >>> w, b = numtorch.nn.utils.fuse_conv_bn_weights(
    ...     numtorch.ones(1, 1, 1), None, numtorch.zeros(1), numtorch.full((1,), 4.0), 0.0,
    ...     None, None)
    >>> w.flatten(), b
    (tensor([0.5000]), Parameter containing:
    tensor([0.]))
    """
    conv_weight_dtype = conv_w.dtype
    conv_bias_dtype = conv_b.dtype if conv_b is not None else conv_weight_dtype
    if conv_b is None:
        conv_b = bn_rm.new_zeros(bn_rm.shape)
    if bn_w is None:
        bn_w = bn_rm.new_ones(bn_rm.shape)
    if bn_b is None:
        bn_b = bn_rm.new_zeros(bn_rm.shape)
    bn_var_rsqrt = (bn_rv + bn_eps).rsqrt()
    if transpose:
        shape = [1, -1] + [1] * (len(conv_w.shape) - 2)
    else:
        shape = [-1, 1] + [1] * (len(conv_w.shape) - 2)
    fused_conv_w = (conv_w * (bn_w * bn_var_rsqrt).reshape(shape)).to(dtype=conv_weight_dtype)
    fused_conv_b = ((conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b).to(dtype=conv_bias_dtype)
    return (
        Parameter(fused_conv_w, conv_w.requires_grad),
        Parameter(fused_conv_b, conv_b.requires_grad),
    )


def fuse_linear_bn_eval(linear: LinearT, bn: _BatchNorm) -> LinearT:
    """A copy of ``linear`` whose output equals ``bn(linear(x))`` (both in eval mode; the
    BatchNorm has ``out_features`` features, or 1).

    >>> lin, bn = numtorch.nn.Linear(2, 3).eval(), numtorch.nn.BatchNorm1d(3).eval()
    >>> x = numtorch.randn(4, 2)
    >>> fused = numtorch.nn.utils.fuse_linear_bn_eval(lin, bn)
    >>> bool(numtorch.allclose(fused(x), bn(lin(x)), atol=1e-6))
    True
    """
    if linear.training or bn.training:
        raise AssertionError("Fusion only for eval!")
    fused_linear = copy.deepcopy(linear)
    # the fused weight keeps the linear's shape only when bn's features broadcast against
    # the linear's outputs
    if linear.out_features != bn.num_features and bn.num_features != 1:
        raise AssertionError(
            "To fuse, linear.out_features == bn.num_features or bn.num_features == 1, "
            f"got linear.out_features={linear.out_features} and "
            f"bn.num_features={bn.num_features}"
        )
    if bn.running_mean is None or bn.running_var is None:
        raise AssertionError("bn.running_mean and bn.running_var must not be None")
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight,
        fused_linear.bias,
        bn.running_mean,
        bn.running_var,
        bn.eps,
        bn.weight,
        bn.bias,
    )
    return fused_linear


def fuse_linear_bn_weights(
    linear_w: Tensor,
    linear_b: Tensor | None,
    bn_rm: Tensor,
    bn_rv: Tensor,
    bn_eps: float,
    bn_w: Tensor,
    bn_b: Tensor,
) -> tuple[Parameter, Parameter]:
    """The weight and bias (as Parameters) of a linear layer followed by a BatchNorm with these
    running statistics and affine parameters.

    >>> w, b = numtorch.nn.utils.fuse_linear_bn_weights(
    ...     numtorch.ones(1, 2), numtorch.ones(1), numtorch.zeros(1), numtorch.ones(1), 0.0,
    ...     numtorch.full((1,), 2.0), numtorch.zeros(1))
    >>> w.tolist(), b.tolist()
    ([[2.0, 2.0]], [2.0])
    """
    linear_weight_dtype = linear_w.dtype
    linear_bias_dtype = linear_b.dtype if linear_b is not None else linear_weight_dtype
    if linear_b is None:
        linear_b = bn_rm.new_zeros(bn_rm.shape)
    bn_scale = bn_w * (bn_rv + bn_eps).rsqrt()
    fused_w = linear_w * bn_scale.unsqueeze(-1).to(dtype=linear_weight_dtype)
    fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).to(dtype=linear_bias_dtype)
    return Parameter(fused_w, linear_w.requires_grad), Parameter(fused_b, linear_b.requires_grad)
