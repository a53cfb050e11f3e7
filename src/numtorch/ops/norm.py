"""Batch, layer and group normalisation: forward on arrays, backward in Tensor ops.

Each normalises ``x`` over some dims to ``xhat = (x - mean) * rstd`` and applies a per-channel
affine map. The backward recomputes mean and rstd from the saved input with Tensor ops, so the
graph that ``create_graph=True`` builds sees how they depend on ``x`` (second derivatives are
exact); its first derivative is the usual
    dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),    g = grad * weight.
Statistics are accumulated in float64, as PyTorch's CPU kernels do for float32.
"""

from __future__ import annotations

from .._tensor import make
from ..autograd.function import Op
from ._common import xp


def _stats(x, axes):
    x64 = x.astype(xp.float64, copy=False)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    return mean, var


def _normalized_grad(x, g, dims, eps):
    """``(dx, xhat)`` for ``xhat = normalize(x over dims)``, given ``g = dL/dxhat``."""
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    rstd = ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()
    xhat = xc * rstd
    gx = rstd * (g - g.mean(dims, keepdim=True) - xhat * (g * xhat).mean(dims, keepdim=True))
    return gx, xhat


def _normalized(x, dims, eps):
    mean = x.mean(dims, keepdim=True)
    xc = x - mean
    return xc * ((xc * xc).mean(dims, keepdim=True) + eps).rsqrt()


class NativeBatchNorm(Op):
    """``batch_norm(x, weight, bias, running_mean, running_var, training, momentum, eps)``;
    the running statistics are arrays, updated in place when training."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, w, b, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mean, var = _stats(x, axes)
            if running_mean is not None:
                n = x.size // x.shape[1]
                unbiased = var.reshape(-1) * (n / max(n - 1, 1))
                running_mean *= 1 - momentum
                running_mean += (momentum * mean.reshape(-1)).astype(running_mean.dtype)
                running_var *= 1 - momentum
                running_var += (momentum * unbiased).astype(running_var.dtype)
        else:
            mean = running_mean.astype(xp.float64).reshape(shape)
            var = running_var.astype(xp.float64).reshape(shape)
        rstd = 1.0 / xp.sqrt(var + eps)
        scale = rstd if w is None else rstd * w.reshape(shape)
        shift = -mean * scale if b is None else b.reshape(shape) - mean * scale
        out = (x * scale.astype(x.dtype) + shift.astype(x.dtype)).astype(x.dtype, copy=False)
        ctx.args = training, eps, mean.astype(x.dtype), rstd.astype(x.dtype)
        needs = ctx.needs_input_grad
        if needs:
            ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        training, eps, mean, rstd = ctx.args
        needs = ctx.needs_input_grad
        dims = [0, *range(2, x.ndim)]
        shape = (1, -1) + (1,) * (x.ndim - 2)
        g = grad if w is None else grad * w.view(shape)
        if training:
            gx, xhat = _normalized_grad(x, g, dims, eps)
        else:
            r = make(rstd)
            gx, xhat = g * r, (x - make(mean)) * r
        return (
            gx if needs[0] else None,
            (grad * xhat).sum(dims) if needs[1] else None,
            grad.sum(dims) if needs[2] else None,
        )


class NativeLayerNorm(Op):
    """``layer_norm(x, weight, bias, n_dims, eps)`` over the last ``n_dims`` dims."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, w, b, n_dims, eps):
        axes = tuple(range(x.ndim - n_dims, x.ndim))
        mean, var = _stats(x, axes)
        out = ((x - mean) / xp.sqrt(var + eps)).astype(x.dtype)
        if w is not None:
            out *= w
        if b is not None:
            out += b
        ctx.args = n_dims, eps
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        n_dims, eps = ctx.args
        needs = ctx.needs_input_grad
        dims = list(range(x.ndim - n_dims, x.ndim))
        lead = list(range(x.ndim - n_dims))
        g = grad if w is None else grad * w
        if needs[0]:
            gx, xhat = _normalized_grad(x, g, dims, eps)
        else:
            gx, xhat = None, _normalized(x, dims, eps)
        return (
            gx,
            (grad * xhat).sum(lead) if needs[1] and lead else grad * xhat if needs[1] else None,
            (grad.sum(lead) if lead else grad) if needs[2] else None,
        )


class NativeGroupNorm(Op):
    """``group_norm(x, weight, bias, groups, eps)`` on ``(N, C, *)`` input."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        n, c = x.shape[:2]
        shape = (1, -1) + (1,) * (x.ndim - 2)
        xg = x.reshape(n, groups, -1)
        mean, var = _stats(xg, (2,))
        out = ((xg - mean) / xp.sqrt(var + eps)).astype(x.dtype).reshape(x.shape)
        if w is not None:
            out *= w.reshape(shape)
        if b is not None:
            out += b.reshape(shape)
        ctx.args = groups, eps
        if ctx.needs_input_grad:
            ctx.save_for_backward(x, w)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        groups, eps = ctx.args
        needs = ctx.needs_input_grad
        n = x.shape[0]
        shape = (1, -1) + (1,) * (x.ndim - 2)
        dims = [0, *range(2, x.ndim)]
        g = grad if w is None else grad * w.view(shape)
        xg = x.reshape(n, groups, -1)
        if needs[0]:
            gx, xhat = _normalized_grad(xg, g.reshape(n, groups, -1), [2], eps)
            gx = gx.reshape(tuple(x.shape))
        else:
            gx, xhat = None, _normalized(xg, [2], eps)
        xhat = xhat.reshape(tuple(x.shape))
        return (
            gx,
            (grad * xhat).sum(dims) if needs[1] else None,
            grad.sum(dims) if needs[2] else None,
        )


__all__ = ["NativeBatchNorm", "NativeLayerNorm", "NativeGroupNorm"]
