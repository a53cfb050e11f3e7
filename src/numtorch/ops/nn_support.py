"""Differentiable ops that ``numtorch.nn`` needs and the core families do not (yet) have:
erf, logsumexp, vector norms, addmm, padding, embedding lookups.

Each is registered as a Tensor method only when no other module has defined that name.
"""

from __future__ import annotations

import math

from .._tensor import Tensor, make
from ..autograd.function import Op
from ._common import tensor_method, wrap_dim, wrap_dims, xp
from .linalg import mm_backward, save_mm

_erf_scalar = xp.frompyfunc(math.erf, 1, 1)


def erf_array(x):
    """``erf`` elementwise (NumPy has none): math.erf per element, in the input's dtype."""
    return _erf_scalar(x.astype(xp.float64)).astype(x.dtype) if x.size else x.copy()


def erfinv_array(y):
    """Inverse error function: Giles' single-precision start, then Newton steps on erf."""
    y64 = y.astype(xp.float64)
    w = -xp.log((1.0 - y64) * (1.0 + y64))
    small = w < 5.0
    ws = w - 2.5
    p1 = 2.81022636e-08
    for c in (
        3.43273939e-07,
        -3.5233877e-06,
        -4.39150654e-06,
        0.00021858087,
        -0.00125372503,
        -0.00417768164,
        0.246640727,
        1.50140941,
    ):
        p1 = c + p1 * ws
    wl = xp.sqrt(xp.where(small, 5.0, w)) - 3.0
    p2 = -0.000200214257
    for c in (
        0.000100950558,
        0.00134934322,
        -0.00367342844,
        0.00573950773,
        -0.0076224613,
        0.00943887047,
        1.00167406,
        2.83297682,
    ):
        p2 = c + p2 * wl
    x = xp.where(small, p1, p2) * y64
    finite = xp.abs(y64) < 1
    for _ in range(3):
        err = erf_array(xp.where(finite, x, 0.0)) - y64
        x = xp.where(finite, x - err / (2 / math.sqrt(math.pi) * xp.exp(-x * x)), x)
    x = xp.where(y64 == 1, xp.inf, xp.where(y64 == -1, -xp.inf, x))
    return x.astype(y.dtype)


class Erf(Op):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return erf_array(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(x * x)).exp()


def erf(input):
    """The error function, as torch.erf."""
    return Erf.apply(input)


class Logsumexp(Op):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        m = xp.max(x, axis=dims, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isfinite(m), m, 0)  # all -inf (or an inf) rows: no shift
        out = xp.log(xp.sum(xp.exp(x - m), axis=dims, keepdims=True)) + m
        ctx.dims, ctx.keepdim = dims, keepdim
        out = xp.asarray(out if keepdim else xp.squeeze(out, axis=dims), dtype=x.dtype)
        ctx.save_for_backward(x, out)  # the output itself, so create_graph sees its history
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        if not ctx.keepdim:
            for d in sorted(ctx.dims):
                grad, out = grad.unsqueeze(d), out.unsqueeze(d)
        return grad * (x - out).exp()


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))`` computed stably, as torch.logsumexp."""
    x = input if input.is_floating_point() else input.float()
    dims = wrap_dims(dim, x.ndim) if x.ndim else ()
    return Logsumexp.apply(x, dims, keepdim)


class LinalgVectorNorm(Op):
    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        a = xp.abs(x)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        if ord == math.inf:
            out = xp.max(a, axis=dims, keepdims=True)
        elif ord == -math.inf:
            out = xp.min(a, axis=dims, keepdims=True)
        elif ord == 0:
            out = xp.sum(a != 0, axis=dims, keepdims=True).astype(x.dtype)
        elif ord == 1:
            out = xp.sum(a, axis=dims, keepdims=True)
        elif ord == 2:
            out = xp.sqrt(xp.sum(a * a, axis=dims, keepdims=True))
        else:
            out = xp.sum(a**ord, axis=dims, keepdims=True) ** (1.0 / ord)
        out = xp.asarray(out if keepdim else xp.squeeze(out, axis=dims), dtype=x.dtype)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, out = ctx.saved_tensors
        p = ctx.ord
        if not ctx.keepdim:
            for d in sorted(ctx.dims):
                grad, out = grad.unsqueeze(d), out.unsqueeze(d)
        if p == 0:
            return grad * 0 * x
        if p == 1:
            return grad * x.sign()
        if p in (math.inf, -math.inf):
            hit = make((xp.abs(x._data) == out._data).astype(x._data.dtype))
            count = hit.sum(ctx.dims, keepdim=True)
            return grad * x.sign() * hit / count
        zero = make(out._data == 0)
        safe = out.masked_fill(zero, 1.0)
        if p == 2:
            return (grad * x / safe).masked_fill(zero, 0.0)
        scale = x * x.abs() ** (p - 2) / safe ** (p - 1)
        return (grad * scale).masked_fill(zero, 0.0)


class Norm1(LinalgVectorNorm):
    """``at::norm(x, p, dim)``: the node ``pairwise_distance`` records."""


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    """torch.linalg.vector_norm."""
    x = input if dtype is None else input.to(dtype)
    if not x.is_floating_point() and not x.is_complex():
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{str(x.dtype).split('.')[-1].capitalize()}"
        )
    dims = tuple(range(x.ndim)) if dim is None else wrap_dims(dim, max(x.ndim, 1))
    if x.ndim == 0:
        dims = ()
    ord = float(ord)
    return LinalgVectorNorm.apply(x, ord, dims, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """``Tensor.norm`` / torch.norm for vector norms (``'fro'`` is the 2-norm)."""
    if p == "fro" or p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


class Addmm(Op):
    """``bias + mat1 @ mat2``: ``F.linear`` on 2-D input with a bias."""

    tensor_args = 3

    @staticmethod
    def forward(ctx, bias, x, w):
        save_mm(ctx, x, w, first=1)
        out = xp.matmul(x, w)
        if bias.dtype == out.dtype:
            out += bias  # the product is a fresh array: add the bias in place
            return out
        return xp.asarray(out + bias, dtype=x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return (grad, *mm_backward(ctx, grad))


# -- padding ------------------------------------------------------------------------------


class ConstantPadNd(Op):
    """Pads (or, with negative amounts, crops) the trailing dims; ``pad`` is per-dim pairs
    ordered from the first padded dim on."""

    @staticmethod
    def forward(ctx, x, pairs, value):
        lead = x.ndim - len(pairs)
        shape = list(x.shape)
        src = [slice(None)] * x.ndim
        dst = [slice(None)] * x.ndim
        for i, (lo, hi) in enumerate(pairs):
            d = lead + i
            n = x.shape[d]
            new = n + lo + hi
            if new < 0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension {d} of your input."
                )
            shape[d] = new
            src[d] = slice(max(-lo, 0), n - max(-hi, 0))
            dst[d] = slice(max(lo, 0), new - max(hi, 0))
        out = xp.full(shape, value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        ctx.pairs = pairs
        return out

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNd.apply(grad, tuple((-lo, -hi) for lo, hi in ctx.pairs), 0)


class _GatherIndex(Op):
    """``x[..., idx_0, idx_1, ...]`` along trailing dims with one index vector per dim (the
    outer product): reflect, replicate and circular padding. Backward scatters back."""

    @staticmethod
    def forward(ctx, x, indices):
        lead = x.ndim - len(indices)
        out = x
        for i, idx in enumerate(indices):
            out = xp.take(out, idx, axis=lead + i)
        ctx.indices, ctx.in_shape = indices, x.shape
        return out

    @staticmethod
    def backward(ctx, grad):
        return _ScatterIndex.apply(grad, ctx.indices, ctx.in_shape)


class _ScatterIndex(Op):
    @staticmethod
    def forward(ctx, g, indices, shape):
        lead = g.ndim - len(indices)
        out = g
        for i in reversed(range(len(indices))):
            d = lead + i
            moved = xp.moveaxis(out, d, 0)
            acc = xp.zeros((shape[d],) + moved.shape[1:], dtype=g.dtype)
            xp.add.at(acc, indices[i], moved)
            out = xp.moveaxis(acc, 0, d)
        ctx.indices = indices
        return out

    @staticmethod
    def backward(ctx, grad):
        return _GatherIndex.apply(grad, ctx.indices)


def _pad_class(kind, n):
    name = {"reflect": "ReflectionPad", "replicate": "ReplicationPad"}.get(kind)
    attrs = {"node_name": "CopySlices"} if name is None else {}
    return type(f"{name or 'CircularPad'}{n}D", (_GatherIndex,), attrs)


_PAD_OPS = {
    (k, n): _pad_class(k, n) for k in ("reflect", "replicate", "circular") for n in (1, 2, 3)
}


def _pad_index(n, lo, hi, mode):
    i = xp.arange(-lo, n + hi)
    if mode == "reflect":
        period = 2 * (n - 1)
        i = xp.abs(i) % period if period else i * 0
        return xp.where(i >= n, period - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, n - 1)
    return i % n  # circular


def index_pad(input, pairs, mode):
    """Reflect / replicate / circular padding of the trailing ``len(pairs)`` dims."""
    lead = input.ndim - len(pairs)
    indices = []
    for i, (lo, hi) in enumerate(pairs):
        n = input.shape[lead + i]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {lead + i} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        indices.append(_pad_index(n, lo, hi, mode))
    return _PAD_OPS[(mode, len(pairs))].apply(input, tuple(indices))


# -- embedding ----------------------------------------------------------------------------


class Embedding(Op):
    tensor_args = 2

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        if indices.dtype.kind not in "iu":
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have one of the following scalar "
                f"types: Long, Int; but got {_legacy(indices)} instead (while checking "
                "arguments for embedding)"
            )
        n = weight.shape[0]
        if indices.size and (indices.max() >= n or indices.min() < 0):
            raise IndexError("index out of range in self")
        ctx.indices, ctx.n = indices, n
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingDenseBackward.apply(grad, ctx.indices, ctx.n, ctx.padding_idx, ctx.scale)


class EmbeddingDenseBackward(Op):
    @staticmethod
    def forward(ctx, grad, indices, n, padding_idx, scale):
        flat = indices.reshape(-1)
        g = grad.reshape(flat.size, -1)
        if scale:
            counts = xp.bincount(flat, minlength=n)
            g = g / counts[flat][:, None]
        out = xp.zeros((n, g.shape[1]), dtype=grad.dtype)
        xp.add.at(out, flat, g)
        if padding_idx is not None and padding_idx >= 0:
            out[padding_idx] = 0
        ctx.indices = indices
        ctx.rest = grad.shape[indices.ndim :]
        return out.reshape((n,) + ctx.rest)

    @staticmethod
    def backward(ctx, grad):
        return Embedding.apply(grad, make(ctx.indices), None, False)


def _legacy(a):
    from .._tensor import legacy_type_name

    return legacy_type_name(a.dtype).split(".")[-1].replace("Tensor", "")


def _register(name, fn):
    if not hasattr(Tensor, name):
        tensor_method(name)(fn)


_register("erf", erf)
_register("logsumexp", logsumexp)
_register("norm", norm)

__all__ = [
    "erf",
    "logsumexp",
    "vector_norm",
    "norm",
    "Addmm",
    "ConstantPadNd",
    "index_pad",
    "Embedding",
    "erf_array",
    "erfinv_array",
    "wrap_dim",
]
