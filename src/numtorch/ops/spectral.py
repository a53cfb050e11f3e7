"""Discrete Fourier transforms: the three ops ATen differentiates (complex-to-complex, real-to-
complex, complex-to-real) over NumPy's pocketfft, and the ``torch.fft`` functions built on them.

The backward of each transform is the transform in the other direction with the *same* scale
constant (the adjoint): a ``norm`` of "backward" becomes "forward" there and the reverse. The
one-sided transforms add ATen's corrections: rfft's gradient is the real part of the full
adjoint of the zero-extended gradient, irfft's doubles the bins its input stood for twice.
"""

from __future__ import annotations

from .. import _dtype
from ..autograd.function import Op
from ._common import wrap_dim, xp

_SWAP = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_of(np_dtype):
    if np_dtype.kind == "c":
        return np_dtype
    if np_dtype.kind in "biu":
        np_dtype = _dtype.get_default_dtype()._np
    return xp.dtype(xp.complex64 if np_dtype == xp.float32 else xp.complex128)


def _real_of(np_dtype):
    if np_dtype.kind == "c":
        return xp.dtype(xp.float32 if np_dtype == xp.complex64 else xp.float64)
    if np_dtype.kind in "biu":
        return _dtype.get_default_dtype()._np
    return np_dtype


def _resize(a, dims, sizes):
    """``a`` cut or zero-padded at the end of each of ``dims`` to ``sizes``."""
    for d, n in zip(dims, sizes, strict=True):
        have = a.shape[d]
        if have > n:
            a = xp.take(a, xp.arange(n), axis=d)
        elif have < n:
            pad = [(0, 0)] * a.ndim
            pad[d] = (0, n - have)
            a = xp.pad(a, pad)
    return a


class FftC2C(Op):
    """``fftn``/``ifftn`` of a complex input over ``dims`` after resizing to ``sizes``."""

    @staticmethod
    def forward(ctx, x, dims, sizes, norm, forward):
        out_dtype = _complex_of(x.dtype)
        ctx.real_input = x.dtype.kind != "c"
        ctx.dims, ctx.norm, ctx.forward = dims, norm, forward
        ctx.in_sizes = tuple(x.shape[d] for d in dims)
        a = _resize(x, dims, sizes)
        fn = xp.fft.fftn if forward else xp.fft.ifftn
        return fn(a, axes=dims, norm=norm).astype(out_dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        sizes = tuple(grad.shape[d] for d in ctx.dims)
        g = FftC2C.apply(grad, ctx.dims, sizes, _SWAP[ctx.norm], not ctx.forward)
        g = _resize_tensor(g, ctx.dims, ctx.in_sizes)
        return g.real if ctx.real_input else g


class FftR2C(Op):
    """``rfftn`` (``onesided``) or the full ``fftn`` of a real input."""

    @staticmethod
    def forward(ctx, x, dims, sizes, norm, onesided):
        real = _real_of(x.dtype)
        x = x.astype(real, copy=False)
        ctx.dims, ctx.norm, ctx.onesided = dims, norm, onesided
        ctx.in_sizes = tuple(x.shape[d] for d in dims)
        ctx.sizes = sizes
        a = _resize(x, dims, sizes)
        fn = xp.fft.rfftn if onesided else xp.fft.fftn
        return fn(a, axes=dims, norm=norm).astype(_complex_of(real), copy=False)

    @staticmethod
    def backward(ctx, grad):
        if ctx.onesided:
            # the bins rfft leaves out get a zero gradient: extend, then the full adjoint
            last = ctx.dims[-1]
            grad = _pad_tensor(grad, last, ctx.sizes[-1])
        g = FftC2C.apply(grad, ctx.dims, ctx.sizes, _SWAP[ctx.norm], False).real
        return _resize_tensor(g, ctx.dims, ctx.in_sizes)


class FftC2R(Op):
    """``irfftn``: a Hermitian half-spectrum to a real signal of ``sizes`` over ``dims``."""

    @staticmethod
    def forward(ctx, x, dims, sizes, norm):
        ctx.real_input = x.dtype.kind != "c"
        x = x.astype(_complex_of(x.dtype), copy=False)
        ctx.dims, ctx.norm, ctx.sizes = dims, norm, sizes
        ctx.in_sizes = tuple(x.shape[d] for d in dims)
        half = tuple(sizes[:-1]) + (sizes[-1] // 2 + 1,)
        a = _resize(x, dims, half)
        out = xp.fft.irfftn(a, s=sizes, axes=dims, norm=norm)
        return out.astype(_real_of(x.dtype), copy=False)

    @staticmethod
    def backward(ctx, grad):
        g = FftR2C.apply(grad, ctx.dims, ctx.sizes, _SWAP[ctx.norm], True)
        last = ctx.dims[-1]
        twice = ctx.sizes[-1] - g.shape[last]
        if twice > 0:
            # bins 1 .. n - n//2 - 1 stand for themselves and their mirror images
            scale = xp.ones(g.shape[last])
            scale[1 : 1 + twice] = 2.0
            shape = [1] * g.dim()
            shape[last] = g.shape[last]
            g = g * _const(scale.reshape(shape)).to(g.dtype)
        if ctx.real_input:
            g = g.real
        return _resize_tensor(g, ctx.dims, ctx.in_sizes)


def _const(a):
    from .creation import tensor

    return tensor(a)


def _pad_tensor(t, dim, size):
    have = t.shape[dim]
    if have >= size:
        return t.narrow(dim, 0, size)
    from ..nn import functional as F

    pad = [0, 0] * (t.dim() - 1 - dim) + [0, size - have]
    return F.pad(t, pad)


def _resize_tensor(t, dims, sizes):
    for d, n in zip(dims, sizes, strict=True):
        t = _pad_tensor(t, d, n)
    return t


# -- argument handling -----------------------------------------------------------------------------


def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _SWAP:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _dims_1d(input, n, dim, name):
    d = wrap_dim(dim, input.dim())
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return (d,), (input.shape[d] if n is None else n,)


def _dims_nd(input, s, dim):
    ndim = input.dim()
    if dim is not None and isinstance(dim, int):
        dim = (dim,)
    if s is not None:
        s = tuple(s)
        if dim is None:
            dim = tuple(range(ndim - len(s), ndim))
        if len(s) != len(dim):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    elif dim is None:
        dim = tuple(range(ndim))
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    sizes = tuple(input.shape[d] if s is None or s[i] == -1 else s[i] for i, d in enumerate(dims))
    for n in sizes:
        if n < 1:
            raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return dims, sizes


def _c2c(input, dims, sizes, norm, forward):
    if input._data.dtype.kind == "c" or len(dims) > 1:
        return FftC2C.apply(input, dims, sizes, norm, forward)
    # a real input in 1-D: ATen's two-sided r2c (conjugated for the inverse direction)
    if forward:
        return FftR2C.apply(input, dims, sizes, norm, False)
    return FftR2C.apply(input, dims, sizes, _SWAP[norm], False).conj()


def _complex_dtype(input):
    from .._dtype import FROM_NP

    return FROM_NP[_complex_of(input._data.dtype)]


def _check_real_input(input, name):
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{name} expects a real input tensor, but got {_short(input)}")


def _short(input):
    return {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}.get(
        input._data.dtype.name, input._data.dtype.name
    )


def _finish(result, out):
    if out is None:
        return result
    from ._common import write_out

    return write_out(out, result)


__all__ = ["FftC2C", "FftR2C", "FftC2R"]
