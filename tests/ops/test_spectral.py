"""numtorch.fft: values against NumPy and PyTorch (dtypes, ``n``/``s``, ``dim``, ``norm``),
gradients by finite differences (float64/complex128) and against torch, shifts and errors."""

from __future__ import annotations

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck, gradgradcheck

RNG = np.random.default_rng(7)
REAL = RNG.standard_normal((3, 5))
CPLX = RNG.standard_normal((3, 4)) + 1j * RNG.standard_normal((3, 4))

# name -> (call on a library T, input)
CASES = {
    "fft": (lambda T, x: T.fft.fft(x), REAL),
    "fft_n_pad": (lambda T, x: T.fft.fft(x, n=8, dim=0, norm="ortho"), REAL),
    "fft_n_cut": (lambda T, x: T.fft.fft(x, n=3, norm="forward"), CPLX),
    "ifft": (lambda T, x: T.fft.ifft(x), CPLX),
    "ifft_real": (lambda T, x: T.fft.ifft(x, norm="ortho"), REAL),
    "rfft": (lambda T, x: T.fft.rfft(x), REAL),
    "rfft_n": (lambda T, x: T.fft.rfft(x, n=7, norm="ortho"), REAL),
    "irfft": (lambda T, x: T.fft.irfft(x), CPLX),
    "irfft_odd": (lambda T, x: T.fft.irfft(x, n=5, norm="ortho"), CPLX),
    "irfft_pad": (lambda T, x: T.fft.irfft(x, n=10, dim=0), CPLX),
    "fft2": (lambda T, x: T.fft.fft2(x, s=(4, 3)), CPLX),
    "ifft2": (lambda T, x: T.fft.ifft2(x, norm="forward"), CPLX),
    "fftn_real": (lambda T, x: T.fft.fftn(x), REAL),
    "ifftn_dim": (lambda T, x: T.fft.ifftn(x, dim=0), CPLX),
    "rfft2": (lambda T, x: T.fft.rfft2(x, norm="forward"), REAL),
    "rfftn_s": (lambda T, x: T.fft.rfftn(x, s=(2, 6)), REAL),
    "irfft2": (lambda T, x: T.fft.irfft2(x), CPLX),
    "irfftn_s": (lambda T, x: T.fft.irfftn(x, s=(2, 5)), CPLX),
    "hfft": (lambda T, x: T.fft.hfft(x), CPLX),
    "hfft_n": (lambda T, x: T.fft.hfft(x, n=5, norm="forward"), CPLX),
    "ihfft": (lambda T, x: T.fft.ihfft(x), REAL),
}


def _np_ref(name, x):
    f = np.fft
    return {
        "fft": lambda: f.fft(x),
        "fft_n_pad": lambda: f.fft(x, n=8, axis=0, norm="ortho"),
        "fft_n_cut": lambda: f.fft(x, n=3, norm="forward"),
        "ifft": lambda: f.ifft(x),
        "ifft_real": lambda: f.ifft(x, norm="ortho"),
        "rfft": lambda: f.rfft(x),
        "rfft_n": lambda: f.rfft(x, n=7, norm="ortho"),
        "irfft": lambda: f.irfft(x),
        "irfft_odd": lambda: f.irfft(x, n=5, norm="ortho"),
        "irfft_pad": lambda: f.irfft(x, n=10, axis=0),
        "fft2": lambda: f.fft2(x, s=(4, 3)),
        "ifft2": lambda: f.ifft2(x, norm="forward"),
        "fftn_real": lambda: f.fftn(x),
        "ifftn_dim": lambda: f.ifftn(x, axes=(0,)),
        "rfft2": lambda: f.rfft2(x, norm="forward"),
        "rfftn_s": lambda: f.rfftn(x, s=(2, 6), axes=(0, 1)),
        "irfft2": lambda: f.irfft2(x),
        "irfftn_s": lambda: f.irfftn(x, s=(2, 5), axes=(0, 1)),
        "hfft": lambda: f.hfft(x),
        "hfft_n": lambda: f.hfft(x, n=5, norm="forward"),
        "ihfft": lambda: f.ihfft(x),
    }[name]()


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_numpy(name):
    call, x = CASES[name]
    out = call(numtorch, numtorch.tensor(x))
    np.testing.assert_allclose(out.numpy(), _np_ref(name, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradcheck(name):
    call, x = CASES[name]
    t = numtorch.tensor(x, requires_grad=True)
    assert gradcheck(lambda a: call(numtorch, a), (t,))
    assert gradgradcheck(lambda a: call(numtorch, a), (t,))


def test_single_precision_results():
    x = numtorch.tensor(REAL.astype(np.float32))
    assert numtorch.fft.fft(x).dtype == numtorch.complex64
    assert numtorch.fft.rfft(x).dtype == numtorch.complex64
    assert numtorch.fft.irfft(numtorch.fft.rfft(x)).dtype == numtorch.float32
    assert numtorch.fft.fft(numtorch.tensor([1, 2])).dtype == numtorch.complex64


def test_freqs_and_shifts():
    np.testing.assert_allclose(numtorch.fft.fftfreq(5, 0.1).numpy(), np.fft.fftfreq(5, 0.1))
    np.testing.assert_allclose(numtorch.fft.rfftfreq(6).numpy(), np.fft.rfftfreq(6))
    a = np.arange(12).reshape(3, 4)
    np.testing.assert_array_equal(
        numtorch.fft.fftshift(numtorch.tensor(a)).numpy(), np.fft.fftshift(a)
    )
    np.testing.assert_array_equal(
        numtorch.fft.ifftshift(numtorch.tensor(a), dim=1).numpy(), np.fft.ifftshift(a, axes=1)
    )


def test_errors():
    x = numtorch.tensor(REAL)
    with pytest.raises(RuntimeError, match='Invalid normalization mode: "bad"'):
        numtorch.fft.fft(x, norm="bad")
    with pytest.raises(IndexError, match="Dimension out of range"):
        numtorch.fft.fft(x, dim=3)
    with pytest.raises(RuntimeError, match="Invalid number of data points"):
        numtorch.fft.fft(x, n=0)
    with pytest.raises(RuntimeError, match="expects a real input"):
        numtorch.fft.rfft(numtorch.tensor(CPLX))


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_matches_torch(name, dtype):
    torch = pytest.importorskip("torch")
    call, x = CASES[name]
    x = x.astype("complex64" if x.dtype.kind == "c" and dtype == "float32" else x.dtype)
    x = x.astype(dtype) if x.dtype.kind == "f" else x
    tn = numtorch.tensor(x, requires_grad=True)
    tt = torch.tensor(x, requires_grad=True)
    on, ot = call(numtorch, tn), call(torch, tt)
    assert str(on.dtype).split(".")[-1] == str(ot.dtype).split(".")[-1]
    assert tuple(on.shape) == tuple(ot.shape)
    tol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(
        on.detach().numpy(), ot.detach().resolve_conj().numpy(), rtol=tol, atol=tol
    )
    assert type(on.grad_fn).__name__ == type(ot.grad_fn).__name__
    g = RNG.standard_normal(tuple(ot.shape))
    if ot.is_complex():
        g = g + 1j * RNG.standard_normal(tuple(ot.shape))
    g = g.astype(on.detach().numpy().dtype)
    (gn,) = numtorch.autograd.grad(on, tn, numtorch.tensor(g))
    (gt,) = torch.autograd.grad(ot, tt, torch.tensor(g))
    np.testing.assert_allclose(gn.numpy(), gt.resolve_conj().numpy(), rtol=tol * 10, atol=tol * 10)


def test_printing_matches_torch():
    torch = pytest.importorskip("torch")
    x = [1.0, 2.0, 0.5, -1.0]
    a = repr(numtorch.fft.rfft(numtorch.tensor(x, requires_grad=True)))
    b = repr(torch.fft.rfft(torch.tensor(x, requires_grad=True)))
    assert a == b
