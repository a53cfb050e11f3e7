"""``numtorch.nn.functional``: the stateless side of ``nn``, as torch.nn.functional.

Functions that PyTorch runs as one autograd node call an op from ``ops/activation.py``,
``ops/loss.py`` or ``ops/nn_support.py``; those PyTorch composes from simpler ops are composed
here the same way, so ``grad_fn`` names match.
"""

from __future__ import annotations

import math
import warnings

from .. import _dtype
from .._tensor import Tensor, _short_name, make
from ..autograd.grad_mode import no_grad
from ..ops import activation as _act
from ..ops import loss as _loss
from ..ops import nn_support as _sup
from ..ops._common import xp
from ..ops.elementwise import Clone, where
from ..ops.elementwise import relu as _relu
from ..ops.elementwise import sigmoid as _sigmoid
from ..ops.elementwise import tanh as _tanh
from ..ops.linalg import _mismatch
from ..ops.shape import broadcast_tensors

__all__ = [
    "linear",
    "bilinear",
    "relu",
    "relu_",
    "relu6",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "leaky_relu",
    "leaky_relu_",
    "prelu",
    "rrelu",
    "rrelu_",
    "glu",
    "gelu",
    "logsigmoid",
    "hardshrink",
    "tanhshrink",
    "softsign",
    "softplus",
    "softmin",
    "softmax",
    "log_softmax",
    "softshrink",
    "tanh",
    "sigmoid",
    "hardsigmoid",
    "silu",
    "mish",
    "hardswish",
    "threshold",
    "threshold_",
    "hardtanh",
    "hardtanh_",
    "l1_loss",
    "mse_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "ctc_loss",
    "pad",
    "one_hot",
    "normalize",
    "embedding",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
    "cosine_similarity",
    "pairwise_distance",
    "scaled_dot_product_attention",
]


# -- linear -----------------------------------------------------------------------------------


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``, as torch.nn.functional.linear.

    >>> F.linear(numtorch.ones(1, 2), numtorch.ones(3, 2), numtorch.zeros(3))
    tensor([[2., 2., 2.]])
    """
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return _addmm(bias, input, weight.t())
    shape = input.shape
    out = _addmm(bias, input.reshape(-1, shape[-1]), weight.t())
    return out.view(*shape[:-1], out.shape[-1])


def _addmm(bias, x, w):
    if x.dtype is not w.dtype:
        raise RuntimeError(
            "mat1 and mat2 must have the same dtype, but got "
            f"{_short_name(x._data.dtype)} and {_short_name(w._data.dtype)}"
        )
    if x.shape[1] != w.shape[0]:
        raise _mismatch(x, w)
    return _sup.Addmm.apply(bias, x, w)


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for each output feature, as torch.nn.functional.bilinear."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}"
        )
    left = input1.unsqueeze(-2).unsqueeze(-2).matmul(weight).squeeze(-2)  # (..., out, in2)
    out = (left * input2.unsqueeze(-2)).sum(-1)
    return out + bias if bias is not None else out


# -- activations --------------------------------------------------------------------------------


def _inplace_or(op, inplace_op, input, inplace, *args):
    if inplace:
        return input._inplace(lambda t, *a: inplace_op.apply(t, *a), *args)
    return op.apply(input, *args)


def threshold(input, threshold, value, inplace=False):
    """``input`` where it exceeds ``threshold``, else ``value``."""
    return _inplace_or(_act.Threshold, _act.Threshold1, input, inplace, threshold, value)


def threshold_(input, threshold_value, value):
    return threshold(input, threshold_value, value, inplace=True)


def relu(input, inplace=False):
    """``max(input, 0)``."""
    return input.relu_() if inplace else _relu(input)


def relu_(input):
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clamped to ``[min_val, max_val]`` (gradient 1 strictly inside)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inplace_or(_act.Hardtanh, _act.Hardtanh1, input, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input, alpha=1.0, inplace=False):
    return _inplace_or(_act.Elu, _act.Elu1, input, inplace, alpha, 1.0, 1.0)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    return _inplace_or(_act.Elu, _act.Elu1, input, inplace, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input):
    return selu(input, True)


def celu(input, alpha=1.0, inplace=False):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _inplace_or(_act.Celu, _act.Celu1, input, inplace, alpha, 1.0, 1.0 / alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, True)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _inplace_or(_act.LeakyRelu, _act.LeakyRelu1, input, inplace, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):
    """Leaky ReLU with learnable slope(s): one, or one per channel (dim 1)."""
    if weight.numel() != 1:
        channels = input.shape[1] if input.dim() > 1 else input.shape[0] if input.dim() else 1
        if input.dim() == 0 or weight.numel() != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {weight.numel()} and channel size = {channels}."
            )
    return _act.PreluKernel.apply(input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: a uniform slope per negative element in training, else the mean
    slope."""
    if not training:
        return leaky_relu(input, (lower + upper) / 2, inplace)
    from ..ops.creation import empty_like

    noise = empty_like(input).uniform_(lower, upper)
    noise = where(input >= 0, make(xp.ones((), input._data.dtype)), noise)
    if inplace:
        with no_grad():
            return input.mul_(noise)
    return input * noise


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def glu(input, dim=-1):
    """``a * sigmoid(b)`` where ``a, b`` are the halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = input._wrap_dim(dim)
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    return _act.Glu.apply(input, d)


def gelu(input, approximate="none"):
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act.Gelu.apply(input, approximate)


def logsigmoid(input):
    return _act.LogSigmoid.apply(input)


def hardshrink(input, lambd=0.5):
    return _act.Hardshrink.apply(input, lambd)


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {float(lambd)}.")
    return _act.Softshrink.apply(input, lambd)


def tanhshrink(input):
    return input - input.tanh()


def softsign(input):
    return input / (input.abs() + 1)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, linear above ``threshold``."""
    return _act.Softplus.apply(input, beta, threshold)


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input, dim, dtype, name, stacklevel):
    if dim is None:
        dim = _softmax_dim(name, input.dim(), stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    elif not input.is_floating_point():
        raise NotImplementedError(
            '"softmax_lastdim_kernel_impl" not implemented for '
            f"'{_short_name(input._data.dtype)}'"
        )
    return input, input._wrap_dim(dim)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / sum(exp(x), dim)``, computed after subtracting the max."""
    input, dim = _softmax_input(input, dim, dtype, "softmax", _stacklevel)
    return _act.Softmax.apply(input, dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    input, dim = _softmax_input(input, dim, dtype, "softmin", _stacklevel)
    return _act.Softmax.apply(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``x - logsumexp(x, dim)``."""
    input, dim = _softmax_input(input, dim, dtype, "log_softmax", _stacklevel)
    return _act.LogSoftmax.apply(input, dim)


def gumbel_softmax(logits, tau=1.0, hard=False, eps=1e-10, dim=-1):
    """Samples from the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    Gumbel noise ``g``; with ``hard``, one-hot in value but the soft sample's gradient
    (straight-through). The same draws as PyTorch for the same seed.

    >>> numtorch.nn.functional.gumbel_softmax(numtorch.zeros(2, 3), hard=True).sum(-1)
    tensor([1., 1.])
    """
    from ..ops.creation import empty_like, zeros_like

    gumbels = -empty_like(logits).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = zeros_like(logits).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def tanh(input):
    return _tanh(input)


def sigmoid(input):
    return _sigmoid(input)


def hardsigmoid(input, inplace=False):
    if inplace:
        return input._inplace(lambda t: _act.Hardsigmoid.apply(t))
    return _act.Hardsigmoid.apply(input)


def silu(input, inplace=False):
    if inplace:
        return input._inplace(lambda t: _act.Silu.apply(t))
    return _act.Silu.apply(input)


def mish(input, inplace=False):
    if inplace:
        return input._inplace(lambda t: _act.Mish.apply(t))
    return _act.Mish.apply(input)


def hardswish(input, inplace=False):
    if inplace:
        return input._inplace(lambda t: _act.Hardswish.apply(t))
    return _act.Hardswish.apply(input)


# -- losses -------------------------------------------------------------------------------------


def _legacy_reduction(size_average, reduce) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        stacklevel=3,
    )
    return ret


def _reduction(size_average, reduce, reduction) -> str:
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _apply_reduction(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _broadcast_pair(input, target):
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )
        return broadcast_tensors(input, target)
    return input, target


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) absolute error."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _apply_reduction(loss, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) squared error."""
    reduction = _reduction(size_average, reduce, reduction)
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        return _apply_reduction((input - target) ** 2 * weight, reduction)
    return _loss.MseLoss.apply(input, target, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta``, absolute error above."""
    reduction = _reduction(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    input, target = _broadcast_pair(input, target)
    return _loss.SmoothL1Loss.apply(input, target, reduction, float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below ``delta``, ``delta``-scaled absolute error above."""
    reduction = _reduction(None, None, reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target = _broadcast_pair(input, target)
    if weight is not None:
        loss = _loss.HuberLoss.apply(input, target, "none", float(delta)) * weight
        return _apply_reduction(loss, reduction)
    return _loss.HuberLoss.apply(input, target, reduction, float(delta))


def _check_nll_shapes(input, target):
    shape, target_shape = input._data.shape, target._data.shape
    ndim, target_ndim = len(shape), len(target_shape)
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim == 1:
        if target_ndim > 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if ndim == 2 and target_ndim != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if target_ndim == 0 or shape[0] != target_shape[0]:
        got = target_shape[0] if target_ndim else 1
        if ndim == 2 or target_ndim == 0:
            raise ValueError(
                f"Expected input batch_size ({shape[0]}) to match target batch_size ({got})."
            )
    if ndim > 2 and target_shape != (shape[0], *shape[2:]):
        expected = [shape[0], *shape[2:]]
        if ndim == 4:
            raise RuntimeError(
                f"size mismatch (got input: {list(shape)} , target: {list(target_shape)}"
            )
        raise RuntimeError(f"Expected target size {expected}, got {list(target_shape)}")


def nll_loss(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
):
    """Negative log likelihood of class indices: ``-input[n, target[n]]`` (times weight)."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        name = str(target.dtype).split(".")[-1]
        short = {"int32": "Int", "float32": "Float", "float64": "Double", "int16": "Short"}
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{short.get(name, name.capitalize())}"
        )
    _check_nll_shapes(input, target)
    n_classes = input.shape[0 if input.dim() == 1 else 1]
    w = None
    if weight is not None:
        if weight.numel() != n_classes:
            raise RuntimeError(
                f"weight tensor should be defined either for all {n_classes} classes or no "
                f"classes but got weight tensor of shape: {list(weight.shape)}"
            )
        if weight.dtype is not input.dtype:
            raise RuntimeError(
                f"expected scalar type {_short_name(input._data.dtype)} but found "
                f"{_short_name(weight._data.dtype)}"
            )
        w = weight._data
    if input.dim() <= 2:
        return _loss.NllLoss.apply(input, target._data, w, reduction, ignore_index)
    if input.dim() == 4:
        return _loss.NllLoss2D.apply(input, target._data, w, reduction, ignore_index)
    # other spatial ranks go through the 2-D kernel on (N, C, 1, -1), as PyTorch does
    n = input.shape[0]
    flat = input.reshape(n, n_classes, 1, -1)
    out = _loss.NllLoss2D.apply(flat, target._data.reshape(n, 1, -1), w, reduction, ignore_index)
    return out.view(target.shape) if reduction == "none" else out


def cross_entropy(
    input,
    target,
    weight=None,
    size_average=None,
    ignore_index=-100,
    reduce=None,
    reduction="mean",
    label_smoothing=0.0,
):
    """``nll_loss(log_softmax(input, 1), target)`` for class indices; for class
    probabilities (a float target of input's shape) ``-sum(target * log_softmax(input))``."""
    reduction = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {float(label_smoothing)}"
        )
    class_dim = 0 if input.dim() == 1 else 1
    n_classes = input.shape[class_dim]
    if target.is_floating_point():
        if input.shape != target.shape:
            _check_nll_shapes(input, target)  # the errors PyTorch reports first
            raise RuntimeError(
                f"Expected target size {list(input.shape)}, got {list(target.shape)}"
            )
        logp = log_softmax(input, class_dim)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        prod = logp * target
        if weight is not None:
            prod = prod * weight.view(*[-1 if d == class_dim else 1 for d in range(input.dim())])
        if reduction == "none":
            return -prod.sum(class_dim)
        if reduction == "sum":
            return -prod.sum()
        return -prod.sum() / (input.numel() // n_classes)
    logp = log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing <= 0:
        return nll
    ignore = make(target._data == ignore_index)
    if weight is not None:
        shape = [-1 if d == class_dim else 1 for d in range(input.dim())]
        smooth = -(logp * weight.view(*shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignore, 0.0)
    if reduction == "mean":
        keep = target._data != ignore_index
        if weight is not None:
            denom = float(weight._data[target._data[keep]].sum())
        else:
            denom = int(keep.sum())
        smooth = smooth.sum() / denom if denom else smooth.sum() / float("nan")
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def binary_cross_entropy(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """``-(t log(x) + (1 - t) log(1 - x))``, logs clamped at -100."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = weight.expand(input.shape) if weight.shape != input.shape else weight
    return _loss.BinaryCrossEntropy.apply(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input,
    target,
    weight=None,
    size_average=None,
    reduce=None,
    reduction="mean",
    pos_weight=None,
):
    """``binary_cross_entropy(sigmoid(input), target)`` computed stably from logits."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.size() != input.size():
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    return _loss.BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight, reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """``target * (log(target) - input)`` (input is log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=2,
        )
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        out = target.exp() * (target - input)
    else:
        if target.requires_grad:
            pos = make(target._data > 0)
            xlogy = where(pos, target * target.masked_fill(~pos, 1.0).log(), target * 0)
        else:
            t = target._data
            safe = xp.where(t > 0, t, 1)
            xlogy = make(xp.where(t > 0, t * xp.log(safe), xp.where(xp.isnan(t), t, 0)))
        out = xlogy - target * input
    if reduction == "batchmean":
        out = out.sum()
        return out / input.shape[0] if input.dim() != 0 else out
    return _apply_reduction(out, reduction)


def cosine_embedding_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos - margin)`` where it is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1 and (input1.dim() != 2 or input2.dim() != 2):
        raise RuntimeError(
            f"1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if targ_dim == 0 and (input1.dim() != 1 or input2.dim() != 1):
        raise RuntimeError(
            f"0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    eps = 1e-12
    prod_sum = (input1 * input2).sum(targ_dim)
    mag1 = (input1 * input1).sum(targ_dim) + eps
    mag2 = (input2 * input2).sum(targ_dim) + eps
    cos = prod_sum / (mag1 * mag2).sqrt()
    zeros = cos * 0
    pos = 1 - cos
    neg = (cos - margin).clamp_min(0)
    out = where(target == 1, pos, zeros) + where(target == -1, neg, zeros)
    return _apply_reduction(out, reduction)


def margin_ranking_loss(
    input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"
):
    """``max(0, -target * (x1 - x2) + margin)``."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    out = (-target * (input1 - input2) + margin).clamp_min(0)
    return _apply_reduction(out, reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    ndim = max(x1.dim(), x2.dim())
    return _sup.Norm1.apply(x1 - x2 + eps, float(p), (ndim - 1,), keepdim)


def triplet_margin_loss(
    anchor,
    positive,
    negative,
    margin=1.0,
    p=2,
    eps=1e-6,
    swap=False,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """``max(0, margin + d(a, p) - d(a, n))`` with the pairwise p-norm distance."""
    reduction = _reduction(size_average, reduce, reduction)
    a, pos, neg = anchor.dim(), positive.dim(), negative.dim()
    if not (a == pos == neg):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {pos}D, and negative {neg}D inputs"
        )
    if margin <= 0:
        raise ValueError(
            f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead"
        )
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        dist_swap = pairwise_distance(positive, negative, p, eps)
        dist_neg = dist_neg.minimum(dist_swap)
    out = (margin + dist_pos - dist_neg).clamp_min(0)
    return _apply_reduction(out, reduction)


def hinge_embedding_loss(
    input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"
):
    """``x`` where target is 1, ``max(0, margin - x)`` where it is -1."""
    reduction = _reduction(size_average, reduce, reduction)
    zeros = input * 0
    margin_clamp = (margin - input).clamp_min(0)
    out_margin = where(target != 1, margin_clamp, zeros)
    out_self = where(target != -1, input, zeros)
    return _apply_reduction(out_margin + out_self, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """``log(1 + exp(-target * input))``."""
    reduction = _reduction(size_average, reduce, reduction)
    return _loss.SoftMarginLoss.apply(input, target, reduction)


def poisson_nll_loss(
    input,
    target,
    log_input=True,
    full=False,
    size_average=None,
    eps=1e-8,
    reduce=None,
    reduction="mean",
):
    """Poisson negative log likelihood (``exp(x) - t * x`` for log-rate inputs)."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        t = target._data
        with xp.errstate(divide="ignore", invalid="ignore"):
            stirling = t * xp.log(t) - t + 0.5 * xp.log(2 * math.pi * t)
        loss = loss + make(xp.where(t > 1, stirling, 0).astype(t.dtype))
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """``0.5 * (log(var) + (input - target)^2 / var)`` (+ const when full)."""
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.shape[:-1] == var.shape[:-1] and var.shape[-1] == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    if bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    with no_grad():
        var_c = var.clamp(min=eps)
    var = var + (var_c - var).detach() if var.requires_grad else var_c
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, reduction)


def ctc_loss(
    log_probs,
    targets,
    input_lengths,
    target_lengths,
    blank=0,
    reduction="mean",
    zero_infinity=False,
):
    """Connectionist Temporal Classification loss of ``log_probs`` (T, N, C) or (T, C)."""
    reduction = _reduction(None, None, reduction)
    unbatched = log_probs.dim() == 2
    lp = log_probs.unsqueeze(1) if unbatched else log_probs
    n = lp.shape[1]

    def as_list(v):
        if isinstance(v, Tensor):
            return [int(i) for i in v._data.reshape(-1)]
        return [int(i) for i in v]

    in_lens, tgt_lens = as_list(input_lengths), as_list(target_lengths)
    tdata = targets._data
    if unbatched and tdata.ndim == 1 and len(tgt_lens) == 1:
        tdata = tdata[None]
    if tdata.ndim == 1:  # all targets concatenated
        offsets = xp.cumsum([0] + tgt_lens)
        labels = [tdata[offsets[i] : offsets[i + 1]] for i in range(n)]
    else:
        labels = [tdata[i, : tgt_lens[i]] for i in range(n)]
    for i in range(n):
        if in_lens[i] > lp.shape[0]:
            raise RuntimeError(
                f"Expected input_lengths to have value at most {lp.shape[0]}, but got value "
                f"{in_lens[i]} (while checking arguments for ctc_loss_cpu)"
            )
    nll = _loss.CtcLoss.apply(lp, labels, in_lens, blank, zero_infinity)
    if zero_infinity:  # the kernel zeroed infinite losses already; PyTorch's where node stays
        nll = where(make(xp.isinf(nll._data)), make(xp.zeros((), nll._data.dtype)), nll)
    if unbatched:
        nll = nll.squeeze(0)
    if reduction == "mean":
        lengths = make(xp.maximum(xp.asarray(tgt_lens, dtype=lp._data.dtype), 1))
        return (nll / (lengths.squeeze(0) if unbatched else lengths)).mean()
    if reduction == "sum":
        return nll.sum()
    return nll


# -- padding, indexing, normalisation -----------------------------------------------------------


_PAD_MODES = ("constant", "reflect", "replicate", "circular")


def pad(input, pad, mode="constant", value=None):
    """Pads the last ``len(pad) // 2`` dims: ``pad = (left, right, top, bottom, ...)``,
    last dim first, as torch.nn.functional.pad."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pairs = tuple((pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2))[::-1]
    if mode == "constant":
        return _sup.ConstantPadNd.apply(input, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n = len(pairs)
    if input.dim() not in (n + 1, n + 2) or n > 3:
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    return _sup.index_pad(input, pairs, mode)


def one_hot(tensor, num_classes=-1):
    """Class indices as one-hot int64 vectors along a new last dimension."""
    if tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    data = tensor._data
    if num_classes == -1:
        if data.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(data.max()) + 1
    if data.size and data.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if data.size and data.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return make((data[..., None] == xp.arange(num_classes)).astype(xp.int64))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = _sup.vector_norm(input, p, dim, True).clamp_min(eps).expand_as(input)
    return input / denom


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type=2.0,
    scale_grad_by_freq=False,
    sparse=False,
):
    """Rows of ``weight`` looked up by the indices in ``input``."""
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -weight.size(0):
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if max_norm is not None:
        _embedding_renorm_(weight, input, max_norm, norm_type)
    return _sup.Embedding.apply(weight, input._data, padding_idx, scale_grad_by_freq)


def _embedding_renorm_(weight, input, max_norm, norm_type):
    """Rescales (in place, untracked) the looked-up rows whose norm exceeds max_norm."""
    rows = xp.unique(input._data.reshape(-1))
    w = weight._data
    norms = xp.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    scale = (max_norm / (norms + 1e-7))[big]
    w[rows[big]] = w[rows[big]] * scale[:, None].astype(w.dtype)
    weight._vc[0] += 1


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """``x1 . x2 / (max(||x1||, eps) * max(||x2||, eps))`` along ``dim``."""
    x1, x2 = broadcast_tensors(x1, x2) if x1.shape != x2.shape else (x1, x2)
    n1 = Clone.apply(_sup.vector_norm(x1, 2, dim, True))
    n2 = Clone.apply(_sup.vector_norm(x2, 2, dim, True))
    with no_grad():  # clamp the values without putting the clamp in the graph, as PyTorch
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


# -- dropout ------------------------------------------------------------------------------------


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, training, inplace, noise_shape):
    if p == 0 or not training or input.numel() == 0:
        return input
    from ..ops.creation import zeros

    if p == 1:
        z = zeros((), dtype=input.dtype)
        return input.mul_(z) if inplace else input * z
    noise = zeros(noise_shape, dtype=input.dtype)
    noise.bernoulli_(1 - p)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``; the
    mask comes from the global generator exactly as PyTorch's CPU kernel draws it."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, tuple(input.shape))


def _feature_dropout(input, p, training, inplace, batched_dim, name):
    _check_p(p)
    shape = tuple(input.shape)
    noise_shape = shape[:2] + (1,) * (len(shape) - 2)
    if input.dim() == batched_dim - 1:  # unbatched: (C, ...)
        noise_shape = shape[:1] + (1,) * (len(shape) - 1)
    return _dropout_impl(input, p, training, inplace, noise_shape)


def dropout1d(input, p=0.5, training=True, inplace=False):
    if input.dim() not in (2, 3):
        raise RuntimeError(
            "dropout1d: Expected 2D or 3D input, but received a "
            f"{input.dim()}D input. Note that dropout1d exists to provide channel-wise "
            "dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs)."
        )
    return _feature_dropout(input, p, training, inplace, 3, "dropout1d")


def dropout2d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 4, "dropout2d")


def dropout3d(input, p=0.5, training=True, inplace=False):
    return _feature_dropout(input, p, training, inplace, 5, "dropout3d")


def _alpha_dropout(input, p, training, noise_shape):
    if p == 0 or not training or input.numel() == 0:
        return input
    from ..ops.creation import zeros

    if p == 1:
        return input * zeros((), dtype=input.dtype)
    alpha = 1.7580993408473766
    noise = zeros(noise_shape, dtype=input.dtype)
    noise.bernoulli_(1 - p)
    a = ((alpha * alpha * p + 1) * (1 - p)) ** -0.5
    b = noise.add(-1).mul_(alpha * a).add_(alpha * a * p)
    noise.mul_(a)
    return input * noise + b


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    return _alpha_dropout(input, p, training, tuple(input.shape))


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    _check_p(p)
    shape = tuple(input.shape)
    return _alpha_dropout(input, p, training, shape[:2] + (1,) * (len(shape) - 2))


# -- attention ----------------------------------------------------------------------------------


def scaled_dot_product_attention(
    query,
    key,
    value,
    attn_mask=None,
    dropout_p=0.0,
    is_causal=False,
    scale=None,
    enable_gqa=False,
):
    """``softmax(q k^T * scale + mask) v``, as torch.nn.functional.scaled_dot_product_attention
    (its math backend)."""
    L, S = query.size(-2), key.size(-2)
    scale_factor = 1 / math.sqrt(query.size(-1)) if scale is None else scale
    if enable_gqa and query.dim() >= 3 and key.size(-3) != query.size(-3):
        rep = query.size(-3) // key.size(-3)
        key = _repeat_heads(key, rep)
        value = _repeat_heads(value, rep)
    dt = query._data.dtype
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                "is_causal=True"
            )
        bias = make(xp.where(xp.tril(xp.ones((L, S), bool)), 0, -xp.inf).astype(dt))
    if attn_mask is not None:
        if attn_mask.dtype is _dtype.bool:
            bias = make(xp.where(attn_mask._data, 0, -xp.inf).astype(dt))
        else:
            bias = attn_mask
    attn = query.matmul(key.transpose(-2, -1)) * scale_factor
    if bias is not None:
        attn = attn + bias
    attn = softmax(attn, -1)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn.matmul(value)


def _repeat_heads(t, rep):
    shape = tuple(t.shape)
    expanded = t.unsqueeze(-3).expand(*shape[:-2], rep, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * rep, *shape[-2:])


# conv, pooling, normalisation, interpolation, ... live in their own module
from ._functional_layers import *  # noqa: E402,F401,F403
from ._functional_layers import __all__ as _layers_all  # noqa: E402

__all__ += _layers_all

from ._functional_vision import __all__ as _vision_all  # noqa: E402
from ._functional_vision import affine_grid, grid_sample  # noqa: E402,F401

__all__ += _vision_all

from ._functional_extra import *  # noqa: E402,F401,F403
from ._functional_extra import __all__ as _extra_all  # noqa: E402

__all__ += _extra_all

from ._functional_pool_extra import *  # noqa: E402,F401,F403
from ._functional_pool_extra import __all__ as _pool_extra_all  # noqa: E402

__all__ += _pool_extra_all
