"""Loss ops that PyTorch implements as single autograd nodes (``MseLossBackward0``, ...).

``reduction`` is ``'none'``, ``'mean'`` or ``'sum'``. Backward writes the derivative with
Tensor ops of the saved inputs, so the losses differentiate twice.
"""

from __future__ import annotations

from .._tensor import make
from ..autograd.function import Op
from ._common import xp
from .activation import Softplus
from .elementwise import sigmoid, where


def _reduce(a, reduction):
    if reduction == "mean":
        return xp.asarray(a.mean(), dtype=a.dtype)
    if reduction == "sum":
        return xp.asarray(a.sum(), dtype=a.dtype)
    return a


def _scale(grad, reduction, numel):
    return grad / numel if reduction == "mean" else grad


def _mask(cond, like):
    return make(cond.astype(like.dtype))


class _Pointwise(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y, reduction, *args):
        ctx.save_for_backward(x, y)
        ctx.reduction, ctx.args = reduction, args
        ctx.numel = xp.broadcast_shapes(x.shape, y.shape)
        return _reduce(ctx._forward_cls._loss(x, y, *args), reduction)


def _numel(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _pointwise_backward(ctx, grad, dloss):
    """Given d(loss_i)/d(x_i), the gradients of input and target (target's is the negative)."""
    g = _scale(grad, ctx.reduction, _numel(ctx.numel)) * dloss
    needs = ctx.needs_input_grad
    return (g if needs[0] else None), (-g if needs[1] else None)


class MseLoss(_Pointwise):
    @staticmethod
    def _loss(x, y):
        d = x - y
        return d * d

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _pointwise_backward(ctx, grad, 2 * (x - y))


class SmoothL1Loss(_Pointwise):
    @staticmethod
    def _loss(x, y, beta):
        d = xp.abs(x - y)
        if beta == 0:
            return d
        return xp.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta).astype(d.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        (beta,) = ctx.args
        d = x - y
        if beta == 0:
            return _pointwise_backward(ctx, grad, d.sign())
        small = _mask(xp.abs(d._data) < beta, d._data)
        return _pointwise_backward(ctx, grad, small * d / beta + (1 - small) * d.sign())


class HuberLoss(_Pointwise):
    @staticmethod
    def _loss(x, y, delta):
        d = xp.abs(x - y)
        return xp.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)).astype(d.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        (delta,) = ctx.args
        d = x - y
        small = _mask(xp.abs(d._data) <= delta, d._data)
        return _pointwise_backward(ctx, grad, small * d + (1 - small) * delta * d.sign())


class BinaryCrossEntropy(Op):
    tensor_args = 3
    _EPS = 1e-12

    @staticmethod
    def forward(ctx, x, y, w, reduction):
        if ((x < 0) | (x > 1)).any() or xp.isnan(x).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        with xp.errstate(divide="ignore"):  # log(0) is -inf, clamped to -100 as PyTorch
            log_x = xp.maximum(xp.log(x), -100)
            log_1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y, w)
        ctx.reduction = reduction
        return _reduce(loss.astype(x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w = ctx.saved_tensors
        grad = _scale(grad, ctx.reduction, x.numel())
        if w is not None:
            grad = grad * w
        needs = ctx.needs_input_grad
        gx = gy = None
        if needs[0]:
            gx = grad * (x - y) / (x * (1 - x)).clamp_min(BinaryCrossEntropy._EPS)
        if needs[1]:
            gy = grad * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100))
        return gx, gy, None


class BinaryCrossEntropyWithLogits(Op):
    tensor_args = 4

    @staticmethod
    def forward(ctx, x, y, w, pos_weight, reduction):
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-xp.abs(x)))  # log(1 + exp(-x))
        if pos_weight is not None:
            log_weight = (pos_weight - 1) * y + 1
            loss = (1 - y) * x + log_weight * softplus_neg
        else:
            loss = (1 - y) * x + softplus_neg
        if w is not None:
            loss = loss * w
        ctx.save_for_backward(x, y, w, pos_weight)
        ctx.reduction = reduction
        return _reduce(loss.astype(x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y, w, pw = ctx.saved_tensors
        grad = _scale(grad, ctx.reduction, x.numel())
        if w is not None:
            grad = grad * w
        needs = ctx.needs_input_grad
        gx = gy = None
        if needs[0]:
            if pw is None:
                gx = grad * (sigmoid(x) - y)
            else:
                log_weight = (pw - 1) * y + 1
                gx = grad * ((1 - y) - log_weight * sigmoid(-x))
        if needs[1]:
            gy = -x if pw is None else (pw - 1) * Softplus.apply(-x, 1.0, 20.0) - x
            gy = grad * gy
        return gx, gy, None, None


class SoftMarginLoss(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, y, reduction):
        z = -y * x
        loss = xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))  # log(1 + exp(-y x))
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        return _reduce(loss.astype(x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        s = sigmoid(-y * x)
        grad = _scale(grad, ctx.reduction, x.numel())
        needs = ctx.needs_input_grad
        return (-grad * y * s if needs[0] else None), (-grad * x * s if needs[1] else None)


class NllLoss(Op):
    """``-weight[t] * input[n, t]`` per sample, class dim 1 (0 for a 1-D input)."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, target, w, reduction, ignore_index):
        class_dim = 0 if x.ndim == 1 else 1
        n_classes = x.shape[class_dim]
        t = target.astype(xp.int64, copy=False)
        # a negative target wraps to a huge unsigned one: one comparison finds both kinds
        outside = t.view(xp.uint64) >= n_classes
        valid, all_valid = None, True
        if 0 <= ignore_index < n_classes or outside.any():  # else: no target is ignored
            valid = t != ignore_index
            all_valid = bool(valid.all())
            bad = outside if all_valid else outside & valid
            if bad.any():
                raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
        safe = t if all_valid else xp.where(valid, t, 0)
        weights = None  # None: all ones
        if w is not None:
            weights = w[safe] if all_valid else w[safe] * valid
            weights = weights.astype(x.dtype, copy=False)
        elif not all_valid:
            weights = valid.astype(x.dtype)
        # the picked entries x[n, t[n], ...], with the class dim moved last
        moved = x if class_dim == x.ndim - 1 else xp.moveaxis(x, class_dim, -1)
        flat = xp.arange(safe.size).reshape(safe.shape) * n_classes + safe
        if moved.flags.c_contiguous:
            picked = moved.reshape(-1)[flat]
        else:
            picked = xp.take_along_axis(moved, safe[..., None], axis=-1)[..., 0]
        if all_valid:
            losses = -picked if weights is None else -picked * weights
        else:  # ignored targets give a loss (and a gradient) of +0, as PyTorch's kernel
            losses = xp.where(valid, -picked * weights, x.dtype.type(0))
        ctx.class_dim, ctx.reduction = class_dim, reduction
        # d loss[n] / d x[n, t[n]]
        slope = x.dtype.type(-1) if weights is None else -weights
        if reduction == "none":
            out = losses
        elif reduction == "sum":
            out = xp.asarray(losses.sum(), dtype=x.dtype)
        else:
            total = x.dtype.type(safe.size) if weights is None else weights.sum()
            if total:
                out = xp.asarray(losses.sum() / total, dtype=x.dtype)
                slope = slope / total
            else:  # all ignored (or zero weights): 0 / 0, without NumPy's warning
                with xp.errstate(divide="ignore", invalid="ignore"):
                    out = xp.asarray(losses.sum() / total, dtype=x.dtype)
                    slope = slope / total
        coef = xp.zeros(moved.shape, x.dtype)
        if all_valid:
            coef.reshape(-1)[flat] = slope
        else:
            coef.reshape(-1)[flat[valid]] = slope[valid]
        ctx.coef = coef if moved is x else xp.moveaxis(coef, -1, class_dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduction == "none":
            grad = grad.unsqueeze(ctx.class_dim)
        return grad * make(ctx.coef), None, None


class NllLoss2D(NllLoss):
    pass


def _lse(*arrays):
    """Elementwise logsumexp of equally shaped arrays, -inf safe."""
    stacked = xp.stack(arrays)
    m = stacked.max(axis=0)
    safe = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.exp(stacked - safe).sum(axis=0)) + safe


class CtcLoss(Op):
    """Per-sample CTC negative log likelihood of ``log_probs`` (T, N, C); ``targets`` is a list
    of label arrays. Backward gives PyTorch's gradient ``exp(lp) - exp(lcab + nll - lp)`` (the
    form that assumes log_probs came from log_softmax), and is not itself differentiable."""

    @staticmethod
    def forward(ctx, lp, targets, input_lengths, blank, zero_infinity):
        T, N, C = lp.shape
        nll = xp.zeros(N, dtype=lp.dtype)
        grad = xp.zeros(lp.shape, dtype=lp.dtype)
        for b in range(N):
            n_t, labels = int(input_lengths[b]), targets[b]
            ext = xp.full(2 * len(labels) + 1, blank, dtype=xp.int64)
            ext[1::2] = labels
            S = ext.size
            skip = xp.zeros(S, dtype=bool)  # s may come from s - 2
            skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
            emit = lp[:n_t, b][:, ext]  # (n_t, S)
            ninf = xp.full(S, -xp.inf, dtype=lp.dtype)
            alpha = xp.full((n_t, S), -xp.inf, dtype=lp.dtype)
            if n_t:
                alpha[0, :2] = emit[0, :2]
            for t in range(1, n_t):
                prev = alpha[t - 1]
                s1 = xp.concatenate([ninf[:1], prev[:-1]])
                s2 = xp.where(skip, xp.concatenate([ninf[:2], prev[:-2]]), -xp.inf)
                alpha[t] = _lse(prev, s1, s2) + emit[t]
            tail = alpha[n_t - 1, -2:] if n_t else ninf[:2]
            loss = -_lse(*tail) if S > 1 else -tail[-1]
            beta = xp.full((n_t, S), -xp.inf, dtype=lp.dtype)
            if n_t:
                beta[n_t - 1, -2:] = emit[n_t - 1, -2:]
            for t in range(n_t - 2, -1, -1):
                nxt = beta[t + 1]
                s1 = xp.concatenate([nxt[1:], ninf[:1]])
                s2 = xp.concatenate([xp.where(skip[2:], nxt[2:], -xp.inf), ninf[:2]])
                beta[t] = _lse(nxt, s1, s2) + emit[t]
            if zero_infinity and xp.isinf(loss):
                continue
            nll[b] = loss
            ab = alpha + beta
            lcab = xp.full((n_t, C), -xp.inf, dtype=lp.dtype)
            for s in range(S):
                lcab[:, ext[s]] = _lse(lcab[:, ext[s]], ab[:, s])
            grad[:n_t, b] = xp.exp(lp[:n_t, b]) - xp.exp(lcab + loss - lp[:n_t, b])
        ctx.grad = grad
        return nll

    @staticmethod
    def backward(ctx, grad):
        return grad.unsqueeze(0).unsqueeze(-1) * make(ctx.grad)


__all__ = [
    "CtcLoss",
    "MseLoss",
    "SmoothL1Loss",
    "HuberLoss",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyWithLogits",
    "NllLoss",
    "NllLoss2D",
    "SoftMarginLoss",
    "where",
]
