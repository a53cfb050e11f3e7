"""Activation ops for ``numtorch.nn``: forward on arrays, backward in Tensor ops.

Piecewise-linear activations differentiate to a constant mask, so their backward is
``grad * mask``; smooth ones write their derivative with Tensor ops on the saved input, which
keeps ``create_graph=True`` exact.
"""

from __future__ import annotations

import math

from .._tensor import make
from ..autograd.function import Op
from ..autograd.grad_mode import STATE
from ._common import xp
from .elementwise import sigmoid, tanh
from .nn_support import erf, erf_array


def _mask(cond, like):
    return make(cond.astype(like.dtype))


class Threshold(Op):
    @staticmethod
    def forward(ctx, x, threshold, value):
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return xp.where(x > threshold, x, xp.asarray(value, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _mask(x._data > ctx.threshold, x._data)


class Hardtanh(Op):
    @staticmethod
    def forward(ctx, x, low, high):
        ctx.save_for_backward(x)
        ctx.low, ctx.high = low, high
        return xp.clip(x, xp.asarray(low, x.dtype), xp.asarray(high, x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x._data
        return grad * _mask((d > ctx.low) & (d < ctx.high), d)


class LeakyRelu(Op):
    @staticmethod
    def forward(ctx, x, slope):
        ctx.save_for_backward(x)
        ctx.slope = slope
        return xp.where(x > 0, x, x * xp.asarray(slope, x.dtype))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x._data
        return grad * make(xp.where(d > 0, 1, ctx.slope).astype(d.dtype))


class Elu(Op):
    """``scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))``: ELU, SELU, CELU."""

    @staticmethod
    def forward(ctx, x, alpha, scale, input_scale):
        ctx.save_for_backward(x)
        ctx.args = alpha, scale, input_scale
        neg = alpha * xp.expm1(xp.minimum(x, 0) * input_scale)
        return xp.asarray(scale * xp.where(x > 0, x, neg), dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.args
        pos = _mask(x._data > 0, x._data)
        neg = (x.clamp_max(0) * input_scale).exp() * (alpha * input_scale)
        return grad * scale * (pos + (1 - pos) * neg)


class Celu(Elu):
    pass


class Gelu(Op):
    @staticmethod
    def forward(ctx, x, approximate):
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)
            return xp.asarray(0.5 * x * (1 + xp.tanh(inner)), dtype=x.dtype)
        return xp.asarray(0.5 * x * (1 + erf_array(x * xp.asarray(0.5**0.5, x.dtype))), x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = tanh(k * (x + 0.044715 * x * x * x))
            dinner = k * (1 + 3 * 0.044715 * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * dinner)
        cdf = 0.5 * (1 + erf(x * 0.5**0.5))
        pdf = (-0.5 * x * x).exp() * (1 / math.sqrt(2 * math.pi))
        return grad * (cdf + x * pdf)


def _sigmoid_array(x):
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


class Silu(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _sigmoid_array(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        return grad * s * (1 + x * (1 - s))


def _softplus_array(x, beta=1.0, threshold=20.0):
    bx = x * beta
    soft = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-xp.abs(bx)))) / beta
    return xp.where(bx > threshold, x, soft).astype(x.dtype)


class Mish(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * xp.tanh(_softplus_array(x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = tanh(Softplus.apply(x, 1.0, 20.0))
        return grad * (t + x * sigmoid(x) * (1 - t * t))


class Softplus(Op):
    @staticmethod
    def forward(ctx, x, beta, threshold):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        return _softplus_array(x, beta, threshold)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        linear = _mask(x._data * ctx.beta > ctx.threshold, x._data)
        return grad * (linear + (1 - linear) * sigmoid(x * ctx.beta))


class Hardsigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return xp.clip(x / 6 + 0.5, 0, 1).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x._data
        return grad * make(xp.where((d > -3) & (d < 3), 1 / 6, 0).astype(d.dtype))


class Hardswish(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (x * xp.clip(x + 3, 0, 6) / 6).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        d = x._data
        mid = _mask((d > -3) & (d < 3), d)
        high = _mask(d >= 3, d)
        return grad * (mid * (x / 3 + 0.5) + high)


class LogSigmoid(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return (xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sigmoid(-x)


class Softshrink(Op):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, 0)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _mask(xp.abs(x._data) > ctx.lambd, x._data)


class Hardshrink(Op):
    @staticmethod
    def forward(ctx, x, lambd):
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        return xp.where(xp.abs(x) > lambd, x, 0).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * _mask(xp.abs(x._data) > ctx.lambd, x._data)


class PreluKernel(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, x, w):
        # w has one slope, or one per channel (dim 1, or dim 0 of a 1-D input)
        if w.size != 1:
            shape = [1] * x.ndim
            shape[1 if x.ndim > 1 else 0] = w.size
            w = w.reshape(shape)
        ctx.save_for_backward(x, w)
        return xp.where(x > 0, x, w * x).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        pos = _mask(x._data > 0, x._data)
        gw = (grad * x * (1 - pos)).sum_to_size(*w.shape) if ctx.needs_input_grad[1] else None
        if gw is not None:
            gw = gw.reshape(ctx._input_meta[1][0])
        return grad * (pos + (1 - pos) * w), gw


class Glu(Op):
    @staticmethod
    def forward(ctx, x, dim):
        a, b = xp.split(x, 2, axis=dim)
        ctx.save_for_backward(x)
        ctx.dim = dim
        return (a * _sigmoid_array(b)).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        a, b = x.chunk(2, ctx.dim)
        s = sigmoid(b)
        from .shape import cat

        return cat([grad * s, grad * a * s * (1 - s)], ctx.dim)


class Softmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        e = xp.exp(x - xp.max(x, axis=dim, keepdims=True)) if x.size else x.copy()
        out = e / xp.sum(e, axis=dim, keepdims=True)
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(ctx.dim, keepdim=True))


class LogSoftmax(Op):
    @staticmethod
    def forward(ctx, x, dim):
        n = x.shape[-1] if x.ndim else 0
        if dim == x.ndim - 1 and 1 < n <= 16 and x.size >= 16 * n:
            # a batch of short rows (class scores): NumPy reduces along a short contiguous
            # axis with one tiny loop per row; across the rows of the transposed copy it runs
            # long vector passes instead (3x faster for 256 x 10)
            cols = xp.ascontiguousarray(x.reshape(-1, n).T)
            cols -= cols.max(axis=0)
            cols -= xp.log(xp.exp(cols).sum(axis=0))
            out = xp.ascontiguousarray(cols.T).reshape(x.shape)
        elif x.size:
            shifted = x - xp.max(x, axis=dim, keepdims=True)
            out = shifted - xp.log(xp.sum(xp.exp(shifted), axis=dim, keepdims=True))
        else:
            out = x.copy()
        ctx.dim = dim
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if not STATE.grad_enabled:  # no create_graph: the same formula on the arrays
            g = grad._data
            return make(g - xp.exp(out._data) * g.sum(ctx.dim, keepdims=True))
        return grad - out.exp() * grad.sum(ctx.dim, keepdim=True)


# In-place variants: PyTorch numbers their nodes 1 (``LeakyReluBackward1``).
class Threshold1(Threshold):
    pass


class Hardtanh1(Hardtanh):
    pass


class LeakyRelu1(LeakyRelu):
    pass


class Elu1(Elu):
    pass


class Celu1(Celu):
    pass


__all__ = [
    "Threshold",
    "Hardtanh",
    "LeakyRelu",
    "Elu",
    "Celu",
    "Gelu",
    "Silu",
    "Mish",
    "Softplus",
    "Hardsigmoid",
    "Hardswish",
    "LogSigmoid",
    "Softshrink",
    "Hardshrink",
    "PreluKernel",
    "Glu",
    "Softmax",
    "LogSoftmax",
    "softmax",
    "log_softmax",
]


def _softmax_fn(op):
    def fn(input, dim, dtype=None):
        if dtype is not None:
            input = input.to(dtype)
        return op.apply(input, input._wrap_dim(dim))

    fn.__name__ = fn.__qualname__ = "softmax" if op is Softmax else "log_softmax"
    fn.__doc__ = f"``torch.{fn.__name__}(input, dim, dtype=None)``."
    return fn


softmax = _softmax_fn(Softmax)
log_softmax = _softmax_fn(LogSoftmax)

# Tensor methods, unless a core op family defines them already
from ._common import Tensor as _Tensor  # noqa: E402

for _name, _fn in (("softmax", softmax), ("log_softmax", log_softmax)):
    if not hasattr(_Tensor, _name):
        setattr(_Tensor, _name, _fn)
