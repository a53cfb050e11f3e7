"""numtorch.fft: discrete Fourier transforms with PyTorch's signatures, dtypes and gradients.

Float32 inputs give complex64 results (NumPy computes in double; the result is cast back).

>>> numtorch.fft.fft(numtorch.tensor([1.0, 0.0, 0.0, 0.0]))
tensor([1.+0.j, 1.+0.j, 1.+0.j, 1.+0.j])
"""

from __future__ import annotations

from ..ops.spectral import (
    _SWAP,
    FftC2C,
    FftC2R,
    FftR2C,
    _c2c,
    _check_real_input,
    _dims_1d,
    _dims_nd,
    _finish,
    _norm,
)

__all__ = [
    "fft",
    "ifft",
    "rfft",
    "irfft",
    "fft2",
    "ifft2",
    "rfft2",
    "irfft2",
    "fftn",
    "ifftn",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D discrete Fourier transform along ``dim`` (``n``: cut or zero-pad first).

    >>> numtorch.fft.fft(numtorch.tensor([1.0, 2.0]))
    tensor([ 3.+0.j, -1.+0.j])
    """
    dims, sizes = _dims_1d(input, n, dim, "fft")
    return _finish(_c2c(input, dims, sizes, _norm(norm), True), out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """The 1-D inverse transform.

    >>> numtorch.fft.ifft(numtorch.tensor([3.0, -1.0]))
    tensor([1.-0.j, 2.-0.j])
    """
    dims, sizes = _dims_1d(input, n, dim, "ifft")
    return _finish(_c2c(input, dims, sizes, _norm(norm), False), out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The one-sided transform of a real signal (``n // 2 + 1`` bins).

    >>> numtorch.fft.rfft(numtorch.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    _check_real_input(input, "rfft")
    dims, sizes = _dims_1d(input, n, dim, "rfft")
    return _finish(FftR2C.apply(input, dims, sizes, _norm(norm), True), out)


def _c2r_sizes(input, dims, n_last):
    last = input.shape[dims[-1]]
    n = 2 * (last - 1) if n_last is None else n_last
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`rfft`: ``n`` real samples (default ``2 * (bins - 1)``).

    >>> numtorch.fft.irfft(numtorch.tensor([10.0 + 0j, -2 + 2j, -2 + 0j]))
    tensor([1., 2., 3., 4.])
    """
    dims, _ = _dims_1d(input, None, dim, "irfft")
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    size = _c2r_sizes(input, dims, n)
    return _finish(FftC2R.apply(input, dims, (size,), _norm(norm)), out)


def _as_complex(input):
    if input.is_complex():
        return input
    from ..ops.spectral import _complex_dtype

    return input.to(_complex_dtype(input))


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The transform of a Hermitian-symmetric signal given by its first half: real output.

    >>> numtorch.fft.hfft(numtorch.tensor([1.0 + 0j, 2.0 + 0j]))
    tensor([ 3., -1.])
    """
    dims, _ = _dims_1d(input, None, dim, "hfft")
    if n is not None and n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    size = _c2r_sizes(input, dims, n)
    x = _as_complex(input).conj()
    return _finish(FftC2R.apply(x, dims, (size,), _SWAP[_norm(norm)]), out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """The inverse of :func:`hfft`: the first half of a real signal's inverse transform.

    >>> numtorch.fft.ihfft(numtorch.tensor([5.0, -3.0]))
    tensor([1.-0.j, 4.-0.j])
    """
    _check_real_input(input, "ihfft")
    dims, sizes = _dims_1d(input, n, dim, "ihfft")
    return _finish(FftR2C.apply(input, dims, sizes, _SWAP[_norm(norm)], True).conj(), out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D transform over ``dim`` (all dims by default) with sizes ``s``.

    >>> numtorch.fft.fftn(numtorch.ones(2, 2))
    tensor([[4.+0.j, 0.+0.j],
            [0.+0.j, 0.+0.j]])
    """
    dims, sizes = _dims_nd(input, s, dim)
    return _finish(_c2c(input, dims, sizes, _norm(norm), True), out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D inverse transform.

    >>> numtorch.fft.ifftn(numtorch.tensor([[4.0, 0.0], [0.0, 0.0]])).real
    tensor([[1., 1.],
            [1., 1.]])
    """
    dims, sizes = _dims_nd(input, s, dim)
    return _finish(_c2c(input, dims, sizes, _norm(norm), False), out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The n-D transform of a real input, one-sided in the last of ``dim``.

    >>> numtorch.fft.rfftn(numtorch.ones(2, 2)).shape
    numtorch.Size([2, 2])
    """
    _check_real_input(input, "rfftn")
    dims, sizes = _dims_nd(input, s, dim)
    return _finish(FftR2C.apply(input, dims, sizes, _norm(norm), True), out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """The inverse of :func:`rfftn` (the last size defaults to ``2 * (bins - 1)``).

    >>> numtorch.fft.irfftn(numtorch.fft.rfftn(numtorch.ones(2, 2)))
    tensor([[1., 1.],
            [1., 1.]])
    """
    dims, sizes = _dims_nd(input, s, dim)
    if s is None or s[-1] == -1:
        sizes = sizes[:-1] + (_c2r_sizes(input, dims, None),)
    return _finish(FftC2R.apply(input, dims, sizes, _norm(norm)), out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D transform over the last two dims.

    >>> numtorch.fft.fft2(numtorch.ones(1, 2)).shape
    numtorch.Size([1, 2])
    """
    return fftn(input, s, dim, norm, out=out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D inverse transform.

    >>> numtorch.fft.ifft2(numtorch.ones(1, 2)).shape
    numtorch.Size([1, 2])
    """
    return ifftn(input, s, dim, norm, out=out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The 2-D one-sided transform of a real input.

    >>> numtorch.fft.rfft2(numtorch.ones(2, 4)).shape
    numtorch.Size([2, 3])
    """
    return rfftn(input, s, dim, norm, out=out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """The inverse of :func:`rfft2`.

    >>> numtorch.fft.irfft2(numtorch.fft.rfft2(numtorch.ones(2, 4))).shape
    numtorch.Size([2, 4])
    """
    return irfftn(input, s, dim, norm, out=out)


def _freq_dtype(dtype):
    from .. import _dtype

    return dtype if dtype is not None else _dtype.get_default_dtype()


def fftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False,
            out=None):  # fmt: skip
    """The sample frequencies of an ``n``-point transform, in cycles per unit of ``d``.

    >>> numtorch.fft.fftfreq(4)
    tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    import numtorch

    k = numtorch.cat([numtorch.arange((n + 1) // 2), numtorch.arange(-(n // 2), 0)])
    result = (k.to(_freq_dtype(dtype)) / (n * d)).requires_grad_(requires_grad)
    return _finish(result, out)


def rfftfreq(n, d=1.0, *, dtype=None, layout=None, device=None, requires_grad=False,
             out=None):  # fmt: skip
    """The non-negative sample frequencies of an ``n``-point :func:`rfft`.

    >>> numtorch.fft.rfftfreq(5, d=0.5)
    tensor([0.0000, 0.4000, 0.8000])
    """
    import numtorch

    k = numtorch.arange(n // 2 + 1)
    result = (k.to(_freq_dtype(dtype)) / (n * d)).requires_grad_(requires_grad)
    return _finish(result, out)


def _shift_dims(input, dim):
    if dim is None:
        return tuple(range(input.dim()))
    return (dim,) if isinstance(dim, int) else tuple(dim)


def fftshift(input, dim=None):
    """Moves the zero frequency to the middle (a roll by half of each of ``dim``).

    >>> numtorch.fft.fftshift(numtorch.fft.fftfreq(4))
    tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    dims = _shift_dims(input, dim)
    return input.roll([input.shape[d] // 2 for d in dims], dims)


def ifftshift(input, dim=None):
    """The inverse of :func:`fftshift`.

    >>> numtorch.fft.ifftshift(numtorch.fft.fftshift(numtorch.arange(5)))
    tensor([0, 1, 2, 3, 4])
    """
    dims = _shift_dims(input, dim)
    return input.roll([(input.shape[d] + 1) // 2 for d in dims], dims)


_ = (FftC2C,)
