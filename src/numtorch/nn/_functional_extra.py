"""More of ``numtorch.nn.functional``: ``embedding_bag``, the multi-class and multi-label margin
losses, ``triplet_margin_with_distance_loss``, ``channel_shuffle`` and ``pdist``.

``multi_margin_loss`` and ``multilabel_margin_loss`` are single autograd nodes in PyTorch
(``MultiMarginLossBackward0``, ``MultilabelMarginLossBackward0``), so they are ops here too;
the other losses are composed from Tensor ops, as PyTorch composes them.
"""

from __future__ import annotations

import warnings

from .. import _dtype, _functions
from .._tensor import legacy_type_name, make
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ..ops import embedding_bag as _bag
from ..ops._common import xp
from . import functional as _F

__all__ = [
    "embedding_bag",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "triplet_margin_with_distance_loss",
    "channel_shuffle",
    "pdist",
]

channel_shuffle = _functions.channel_shuffle
pdist = _functions.pdist


def _scalar_name(dtype) -> str:
    return legacy_type_name(dtype).split(".")[-1].replace("Tensor", "")


def _type_str(obj) -> str:
    cls = type(obj)
    if cls.__module__.endswith("._tensor"):  # shown as the public name, as torch.Tensor is
        return f"<class '{cls.__module__.split('.')[0]}.{cls.__qualname__}'>"
    return str(cls)


# -- embedding_bag ------------------------------------------------------------------------------


def embedding_bag(
    input,
    weight,
    offsets=None,
    max_norm=None,
    norm_type=2,
    scale_grad_by_freq=False,
    mode="mean",
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Sums, means or maxes of bags of embedding rows, without building the rows as a tensor.

    A 1-D ``input`` is split into bags at ``offsets``; each row of a 2-D ``input`` is a bag.

    >>> w = numtorch.arange(6.0).view(3, 2)
    >>> numtorch.nn.functional.embedding_bag(numtorch.tensor([0, 2, 1]), w,
    ...                                      numtorch.tensor([0, 2]), mode="sum")
    tensor([[4., 6.],
            [2., 3.]])
    """
    if weight.dtype == _dtype.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. "
            "Usage `embedding_bag(weight, input, ...)` is deprecated, "
            "and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
            f"then it must have the same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(
            f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}"
        )
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{_type_str(offsets)}"
            )
        offsets_arr = xp.arange(0, input.numel(), input.size(1), dtype=input._data.dtype)
        include_last_offset = False
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        offsets_arr = offsets._data
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}"
        )
    if mode not in _bag.MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _F._embedding_renorm_(weight, input, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. "
            "per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    n = weight.shape[0]
    if padding_idx is None:
        padding_idx = -1
    elif not -n <= padding_idx < n:
        raise RuntimeError(
            f"padding_idx must be within the number of embeddings, -{n} through {n - 1}, but "
            f"got {padding_idx}"
        )
    elif padding_idx < 0:
        padding_idx += n
    return _bag.EmbeddingBag.apply(
        weight,
        per_sample_weights,
        input._data,
        offsets_arr,
        _bag.MODES[mode],
        bool(scale_grad_by_freq),
        bool(include_last_offset),
        padding_idx,
    )


# -- margin losses ------------------------------------------------------------------------------


def _check_margin_input(x):
    ok = (x.ndim == 2 and x.shape[1] != 0) or (x.ndim == 1 and x.shape[0] != 0) or x.ndim == 0
    if not ok:
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"[{', '.join(map(str, x.shape))}]"
        )
    frames = 1 if x.ndim <= 1 else x.shape[0]
    classes = 1 if x.ndim == 0 else x.shape[-1]
    return frames, classes


def _check_long(target):
    if target.dtype != xp.int64:
        raise RuntimeError(f"expected scalar type Long but found {_scalar_name(target.dtype)}")


def _reduce_frames(loss, reduction, out_shape):
    if reduction == "none":
        return loss.reshape(out_shape)
    total = loss.sum()
    if reduction == "mean":
        total = total / loss.shape[0] if loss.shape[0] else total
    return xp.asarray(total, dtype=loss.dtype)


def _frame_grad(grad, reduction, frames):
    """The incoming gradient as one value per frame, shaped (frames, 1)."""
    if reduction == "none":
        return grad.reshape(frames, 1)
    if reduction == "mean" and frames:
        grad = grad / frames
    return grad.reshape(1, 1).expand(frames, 1)


class MultiMarginLoss(Op):
    """``sum_{i != y} w[y] * max(0, margin - x[y] + x[i])^p / C`` per sample."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, target, weight, p, margin, reduction):
        frames, classes = _check_margin_input(x)
        _check_long(target)
        if not (target.ndim <= 1 and target.size == frames):
            raise RuntimeError(
                "multi_margin_loss: target tensor should be 1-D with size equal to the number "
                f"of input samples (batch size). Expected target size [{frames}], but got "
                f"[{', '.join(map(str, target.shape))}]. Input has shape "
                f"[{', '.join(map(str, x.shape))}]."
            )
        if weight is not None:
            if not (weight.ndim <= 1 and weight.size == classes):
                raise RuntimeError(
                    f"inconsistent weight size, expected {classes} but got "
                    f"[{', '.join(map(str, weight.shape))}]"
                )
            if weight.dtype != x.dtype:
                raise RuntimeError(
                    f"expected scalar type {_scalar_name(x.dtype)} but found "
                    f"{_scalar_name(weight.dtype)}"
                )
        t = target.reshape(frames)
        if ((t < 0) | (t >= classes)).any():
            raise RuntimeError("target out of range")
        x2 = x.reshape(frames, classes)
        rows = xp.arange(frames)
        z = margin - x2[rows, t][:, None] + x2
        z[rows, t] = 0
        h = xp.maximum(z, 0)
        if p == 2:
            h = h * h
        if weight is not None:
            h = h * weight.reshape(-1)[t][:, None]
        loss = (h.sum(1) / classes).astype(x.dtype)
        ctx.save_for_backward(x)
        ctx.t, ctx.weight, ctx.p, ctx.margin, ctx.reduction = t, weight, p, margin, reduction
        ctx.frames, ctx.classes = frames, classes
        out_shape = target.shape if x.ndim <= 1 else (frames,)
        return _reduce_frames(loss, reduction, out_shape)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        frames, classes, t = ctx.frames, ctx.classes, ctx.t
        x2 = x.reshape(frames, classes)
        raw = x2._data
        rows = xp.arange(frames)
        z_raw = ctx.margin - raw[rows, t][:, None] + raw
        other = xp.ones((frames, classes), dtype=bool)
        other[rows, t] = False
        scale = (other & (z_raw > 0)).astype(raw.dtype) / classes
        if ctx.weight is not None:
            scale = scale * ctx.weight.reshape(-1)[t][:, None]
        coef = make(scale)
        if ctx.p == 2:
            # the squared hinge keeps x in its derivative, so build it from x for double backward
            picked = x2.gather(1, make(t[:, None]))
            coef = coef * 2 * (ctx.margin - picked + x2)
        onehot = make((~other).astype(raw.dtype))
        g = coef - onehot * coef.sum(1, keepdim=True)
        g = g * _frame_grad(grad, ctx.reduction, frames)
        return g.reshape(x.shape), None, None


class MultilabelMarginLoss(Op):
    """``sum_{j in targets, i not in targets} max(0, 1 - (x[j] - x[i])) / C`` per sample."""

    tensor_args = 2

    @staticmethod
    def forward(ctx, x, target, reduction):
        frames, classes = _check_margin_input(x)
        if x.ndim <= 1:
            ok = target.ndim <= 1 and target.size == classes
        else:
            ok = target.ndim == 2 and target.shape == x.shape
        if not ok:
            raise RuntimeError(
                f"inconsistent target size: [{', '.join(map(str, target.shape))}] for input of "
                f"size: [{', '.join(map(str, x.shape))}]"
            )
        _check_long(target)
        if target.size and (target.min() < -1 or target.max() >= classes):
            raise RuntimeError("argument #2 'target' is out of range")
        x2 = x.reshape(frames, classes)
        t = target.reshape(frames, classes)
        listed = xp.cumprod(t >= 0, axis=1).astype(bool)  # entries before the first -1
        safe = xp.where(listed, t, 0)
        is_target = xp.zeros((frames, classes), dtype=bool)
        is_target[xp.nonzero(listed)[0], safe[listed]] = True
        xt = xp.take_along_axis(x2, safe, axis=1)
        z = 1 - xt[:, :, None] + x2[:, None, :]
        active = listed[:, :, None] & ~is_target[:, None, :] & (z > 0)
        loss = ((z * active).sum((1, 2)) / classes).astype(x.dtype)
        # the loss is piecewise linear in x: its gradient is a constant per frame
        g = active.sum(1).astype(x.dtype)
        pulled = active.sum(2).astype(x.dtype)
        xp.add.at(g, (xp.nonzero(listed)[0], safe[listed]), -pulled[listed])
        ctx.g = g / classes
        ctx.reduction, ctx.frames, ctx.shape = reduction, frames, x.shape
        return _reduce_frames(loss, reduction, () if x.ndim <= 1 else (frames,))

    @staticmethod
    def backward(ctx, grad):
        g = make(ctx.g) * _frame_grad(grad, ctx.reduction, ctx.frames)
        return g.reshape(ctx.shape), None


def multi_margin_loss(
    input,
    target,
    p=1,
    margin=1.0,
    weight=None,
    size_average=None,
    reduce=None,
    reduction="mean",
):
    """Multi-class hinge loss: ``sum_{i != y} max(0, margin - x[y] + x[i])^p / C`` per sample.

    >>> numtorch.nn.functional.multi_margin_loss(numtorch.tensor([[0.1, 0.2, 0.4, 0.8]]),
    ...                                          numtorch.tensor([3]))
    tensor(0.3250)
    """
    reduction = _F._reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    if weight is not None and weight.requires_grad and STATE.grad_enabled:
        raise RuntimeError(
            "The function 'multi_margin_loss' is not differentiable with respect to argument "
            "'weight'. This input cannot have requires_grad True."
        )
    return MultiMarginLoss.apply(input, target, weight, p, margin, reduction)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Multi-label hinge loss; each target row lists class indices, ended by the first -1.

    >>> numtorch.nn.functional.multilabel_margin_loss(numtorch.tensor([[0.1, 0.2, 0.4, 0.8]]),
    ...                                               numtorch.tensor([[3, 0, -1, 1]]))
    tensor(0.8500)
    """
    reduction = _F._reduction(size_average, reduce, reduction)
    return MultilabelMarginLoss.apply(input, target, reduction)


def multilabel_soft_margin_loss(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean"
):
    """Per-class logistic loss averaged over the classes (last dimension).

    >>> numtorch.nn.functional.multilabel_soft_margin_loss(numtorch.tensor([[0.0, 0.0]]),
    ...                                                    numtorch.tensor([[1.0, 0.0]]))
    tensor(0.6931)
    """
    if size_average is not None or reduce is not None:
        reduction = _F._legacy_reduction(size_average, reduce)
    loss = -(target * _F.logsigmoid(input) + (1 - target) * _F.logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(dim=class_dim) / input.size(class_dim)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def triplet_margin_with_distance_loss(
    anchor, positive, negative, *, distance_function=None, margin=1.0, swap=False, reduction="mean"
):
    """``max(0, margin + d(a, p) - d(a, n))`` with any distance ``d`` (pairwise L2 by default).

    >>> a = numtorch.tensor([[0.0, 0.0]])
    >>> numtorch.nn.functional.triplet_margin_with_distance_loss(
    ...     a, a + 1, a + 2, distance_function=lambda x, y: (x - y).abs().sum(-1))
    tensor(0.)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D "
            "inputs"
        )
    if distance_function is None:
        distance_function = _F.pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = dist_neg.minimum(distance_function(positive, negative))
    loss = (margin + dist_pos - dist_neg).clamp_min(0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss
