"""numtorch.ops.signal against PyTorch: windows, stft/istft, gradient, frombuffer, histogramdd."""

from __future__ import annotations

import array
import doctest
import warnings

import numpy as np
import pytest

import numtorch
from numtorch.autograd import gradcheck
from numtorch.ops import signal
from numtorch.ops.signal import (
    bartlett_window,
    blackman_window,
    frombuffer,
    gradient,
    hamming_window,
    hann_window,
    histogramdd,
    istft,
    kaiser_window,
    stft,
)

WINDOWS = {
    "hann_window": hann_window,
    "hamming_window": hamming_window,
    "blackman_window": blackman_window,
    "bartlett_window": bartlett_window,
    "kaiser_window": kaiser_window,
}


def _torch():
    return pytest.importorskip("torch")


def _nt(t, **kw):
    """A torch tensor as a numtorch one (same values and dtype)."""
    return numtorch.tensor(t.detach().numpy(), **kw)


def _close(ours, theirs, rtol=1e-5, atol=1e-6):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol, atol)


def _raises_like(ours, theirs):
    """Both calls raise the same exception type with the same text (package names aside)."""
    with pytest.raises(Exception) as t_err:
        theirs()
    with pytest.raises(type(t_err.value)) as n_err:
        ours()
    assert str(n_err.value).replace("numtorch.", "torch.") == str(t_err.value)


# -- windows -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(WINDOWS))
@pytest.mark.parametrize("length", [0, 1, 2, 3, 8, 33])
@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_window_values(name, length, periodic, dtype):
    torch = _torch()
    ours = WINDOWS[name](length, periodic, dtype=getattr(numtorch, dtype))
    theirs = getattr(torch, name)(length, periodic, dtype=getattr(torch, dtype))
    _close(ours, theirs, rtol=1e-6, atol=1e-6 if dtype == "float32" else 1e-12)


@pytest.mark.parametrize("name", list(WINDOWS))
def test_window_default_dtype_float16_and_requires_grad(name):
    torch = _torch()
    _close(WINDOWS[name](10), getattr(torch, name)(10))
    _close(
        WINDOWS[name](6, dtype=numtorch.float16),
        getattr(torch, name)(6, dtype=torch.float16),
        rtol=2e-3,
        atol=2e-3,
    )
    w = WINDOWS[name](5, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    numtorch.set_default_dtype(numtorch.float64)
    try:
        assert WINDOWS[name](4).dtype == numtorch.float64
    finally:
        numtorch.set_default_dtype(numtorch.float32)


def test_window_parameters():
    torch = _torch()
    _close(hamming_window(7, True, 0.5), torch.hamming_window(7, True, 0.5))
    _close(hamming_window(7, False, 0.6, 0.3), torch.hamming_window(7, False, 0.6, 0.3))
    for beta in (0.0, 3.0, 12.0, 20.0):
        for dt in ("float32", "float64"):
            _close(
                kaiser_window(9, False, beta, dtype=getattr(numtorch, dt)),
                torch.kaiser_window(9, False, beta, dtype=getattr(torch, dt)),
                rtol=1e-5 if dt == "float32" else 1e-12,
                atol=1e-7 if dt == "float32" else 1e-15,
            )


@pytest.mark.parametrize("name", list(WINDOWS))
def test_window_errors(name):
    torch = _torch()
    ours, theirs = WINDOWS[name], getattr(torch, name)
    _raises_like(lambda: ours(-1), lambda: theirs(-1))
    _raises_like(lambda: ours(3, dtype=numtorch.int64), lambda: theirs(3, dtype=torch.int64))
    _raises_like(lambda: ours(3, dtype=numtorch.bool), lambda: theirs(3, dtype=torch.bool))
    _raises_like(lambda: ours(2.5), lambda: theirs(2.5))
    _raises_like(lambda: ours(True), lambda: theirs(True))
    _raises_like(
        lambda: ours(3, dtype=numtorch.complex64), lambda: theirs(3, dtype=torch.complex64)
    )


# -- stft ----------------------------------------------------------------------------------------

STFT_CASES = [
    # (signal shape, n_fft, options)
    ((64,), 16, {}),
    ((64,), 16, {"hop_length": 3}),
    ((2, 50), 16, {"hop_length": 5, "win_length": 10}),
    ((2, 50), 15, {"hop_length": 4, "win_length": 9, "normalized": True}),
    ((50,), 16, {"onesided": False}),
    ((50,), 16, {"center": False, "hop_length": 7}),
    ((3, 40), 8, {"pad_mode": "constant"}),
    ((40,), 8, {"pad_mode": "replicate", "normalized": True}),
    ((40,), 8, {"pad_mode": "circular"}),
    ((40,), 16, {"center": False, "win_length": 8, "hop_length": 3, "align_to_window": True}),
    ((40,), 16, {"center": False, "win_length": 7, "hop_length": 3, "align_to_window": False}),
]


@pytest.mark.parametrize("shape,n_fft,opts", STFT_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_stft_matches_torch(shape, n_fft, opts, dtype):
    torch = _torch()
    gen = np.random.default_rng(0)
    data = gen.standard_normal(shape).astype(dtype)
    win = opts.get("win_length", n_fft)
    w = np.hanning(win + 2)[1:-1].astype(dtype)
    ours = stft(
        numtorch.tensor(data), n_fft, window=numtorch.tensor(w), return_complex=True, **opts
    )
    theirs = torch.stft(
        torch.tensor(data), n_fft, window=torch.tensor(w), return_complex=True, **opts
    )
    tol = 1e-5 if dtype == "float32" else 1e-12
    _close(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_stft_complex_input_and_window(dtype):
    torch = _torch()
    gen = np.random.default_rng(1)
    data = (gen.standard_normal((2, 30)) + 1j * gen.standard_normal((2, 30))).astype(dtype)
    w = np.hanning(8).astype("float32" if dtype == "complex64" else "float64")
    ours = stft(numtorch.tensor(data), 8, 2, window=numtorch.tensor(w))
    theirs = torch.stft(torch.tensor(data), 8, 2, window=torch.tensor(w))
    _close(ours, theirs, rtol=1e-5, atol=1e-5)
    cw = (w * (1 + 0.5j)).astype(dtype)
    real = gen.standard_normal(30).astype(w.dtype)
    ours = stft(numtorch.tensor(real), 8, 2, window=numtorch.tensor(cw))
    theirs = torch.stft(torch.tensor(real), 8, 2, window=torch.tensor(cw))
    _close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_stft_real_output_and_warnings():
    torch = _torch()
    x = np.linspace(-1, 1, 40).astype("float32")
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        ours = stft(numtorch.tensor(x), 8, window=numtorch.ones(8), return_complex=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.stft(torch.tensor(x), 8, window=torch.ones(8), return_complex=False)
    _close(ours, theirs)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ours = stft(numtorch.tensor(x), 8, return_complex=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.stft(torch.tensor(x), 8, return_complex=True)
    _close(ours, theirs)


def test_stft_errors_match_torch():
    torch = _torch()
    x, tx = numtorch.arange(100.0), torch.arange(100.0)
    w, tw = numtorch.ones(16), torch.ones(16)
    cases = [
        ({"n_fft": 16, "window": "w"}, "return_complex missing"),
        ({"n_fft": 200, "window": "w", "return_complex": True, "center": False}, ""),
        ({"n_fft": 200, "window": "w", "return_complex": True}, ""),
        ({"n_fft": 16, "window": "w", "hop_length": 0, "return_complex": True}, ""),
        ({"n_fft": 16, "win_length": 20, "return_complex": True, "window": "w"}, ""),
        ({"n_fft": 16, "window": "w10", "return_complex": True}, ""),
        ({"n_fft": 16, "window": "w", "pad_mode": "foo", "return_complex": True}, ""),
        ({"n_fft": 16, "window": "w", "align_to_window": True, "return_complex": True}, ""),
        ({"n_fft": 16, "window": "w", "onesided": True, "return_complex": True, "cx": 1}, ""),
    ]
    for kw, _ in cases:
        kw = dict(kw)
        cx = kw.pop("cx", 0)
        wn = kw.pop("window")
        ow = w if wn == "w" else numtorch.ones(10)
        theirs_w = tw if wn == "w" else torch.ones(10)
        xi = x.to(numtorch.complex64) if cx else x
        txi = tx.to(torch.complex64) if cx else tx
        _raises_like(
            lambda kw=kw, xi=xi, ow=ow: stft(xi, window=ow, **kw),
            lambda kw=kw, txi=txi, tw=theirs_w: torch.stft(txi, window=tw, **kw),
        )
    _raises_like(
        lambda: stft(numtorch.ones(2, 3, 40), 8, window=numtorch.ones(8), return_complex=True),
        lambda: torch.stft(torch.ones(2, 3, 40), 8, window=torch.ones(8), return_complex=True),
    )
    _raises_like(
        lambda: stft(numtorch.arange(40), 8, window=numtorch.ones(8), return_complex=True),
        lambda: torch.stft(torch.arange(40), 8, window=torch.ones(8), return_complex=True),
    )


def test_stft_gradcheck():
    gen = np.random.default_rng(2)
    x = numtorch.tensor(gen.standard_normal((2, 20)), requires_grad=True)
    w = numtorch.tensor(gen.standard_normal(6), requires_grad=True)

    def f(x, w):
        return numtorch.view_as_real(
            stft(x, 8, 3, win_length=6, window=w, return_complex=True, normalized=True)
        )

    assert gradcheck(f, (x, w))

    def g(x, w):
        s = stft(x, 8, 2, win_length=6, window=w, return_complex=True, onesided=False)
        return s.abs()

    assert gradcheck(g, (x, w))
    z = numtorch.tensor(gen.standard_normal(16) + 1j * gen.standard_normal(16), requires_grad=True)
    assert gradcheck(
        lambda z: numtorch.view_as_real(
            stft(z, 4, 2, window=numtorch.ones(4, dtype=numtorch.float64))
        ),
        (z,),
    )


def test_tensor_methods_attached():
    x = numtorch.randn(32)
    w = hann_window(8)
    s = x.stft(8, 2, window=w, return_complex=True)
    np.testing.assert_allclose(s.istft(8, 2, window=w, length=32).numpy(), x.numpy(), atol=1e-5)


# -- istft ---------------------------------------------------------------------------------------

ISTFT_CASES = [
    ((64,), 16, {"hop_length": 4}),
    ((2, 50), 16, {"hop_length": 5, "win_length": 10}),
    ((2, 51), 15, {"hop_length": 4, "win_length": 9, "normalized": True}),
    ((50,), 16, {"hop_length": 4, "onesided": False}),
    ((50,), 16, {"hop_length": 8, "center": False}),
]


@pytest.mark.parametrize("shape,n_fft,opts", ISTFT_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("length", [None, "same", "short", "long"])
def test_istft_matches_torch_and_round_trips(shape, n_fft, opts, dtype, length):
    torch = _torch()
    gen = np.random.default_rng(3)
    data = gen.standard_normal(shape).astype(dtype)
    win = opts.get("win_length", n_fft)
    w = np.hanning(win + 2)[1:-1].astype(dtype)
    nw, tw = numtorch.tensor(w), torch.tensor(w)
    spec = torch.stft(torch.tensor(data), n_fft, window=tw, return_complex=True, **opts)
    n = shape[-1]
    size = {None: None, "same": n, "short": n - 5, "long": n + 7}[length]
    center = opts.get("center", True)
    iopts = {k: v for k, v in opts.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the "padded with zeros" warning, checked below
        try:
            theirs = torch.istft(spec, n_fft, window=tw, length=size, **iopts)
        except RuntimeError:
            # a long length reaches the zero-padded window's tail: both fail the NOLA check
            _raises_like(
                lambda: istft(_nt(spec), n_fft, window=nw, length=size, **iopts),
                lambda: torch.istft(spec, n_fft, window=tw, length=size, **iopts),
            )
            return
        ours = istft(_nt(spec), n_fft, window=nw, length=size, **iopts)
    tol = 1e-5 if dtype == "float32" else 1e-12
    _close(ours, theirs, rtol=tol, atol=tol)
    if center and size in (None, n):
        np.testing.assert_allclose(ours.numpy(), data[..., : ours.shape[-1]], atol=tol * 10)
    # stft -> istft in numtorch alone
    again = istft(
        stft(numtorch.tensor(data), n_fft, window=nw, return_complex=True, **opts),
        n_fft,
        window=nw,
        length=n if center else None,
        **iopts,
    )
    np.testing.assert_allclose(again.numpy(), data[..., : again.shape[-1]], atol=tol * 10)


def test_istft_return_complex_and_warnings():
    torch = _torch()
    gen = np.random.default_rng(4)
    data = gen.standard_normal(40) + 1j * gen.standard_normal(40)
    w = np.hanning(10)[1:-1].copy()
    spec = torch.stft(torch.tensor(data), 8, 2, window=torch.tensor(w), return_complex=True)
    theirs = torch.istft(spec, 8, 2, window=torch.tensor(w), return_complex=True)
    ours = istft(_nt(spec), 8, 2, window=numtorch.tensor(w), return_complex=True)
    _close(ours, theirs, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.numpy(), data, atol=1e-10)
    s = stft(numtorch.randn(40), 8, 2, window=hann_window(8), return_complex=True)
    with pytest.warns(UserWarning, match="A window was not provided"):
        istft(s, 8, 2)
    with pytest.warns(UserWarning, match="Result is being padded with zeros"):
        out = istft(s, 8, 2, window=hann_window(8), length=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.istft(torch.tensor(s.numpy()), 8, 2, window=torch.hann_window(8), length=50)
    _close(out, theirs, rtol=1e-5, atol=1e-5)
    assert bool((out[44:] == 0).all())


def test_istft_errors_match_torch():
    torch = _torch()
    spec = torch.stft(torch.randn(100), 16, window=torch.ones(16), return_complex=True)
    ns = _nt(spec)
    w, tw = numtorch.ones(16), torch.ones(16)
    cases = [
        (
            lambda: istft(numtorch.view_as_real(ns), 16, window=w),
            lambda: torch.istft(torch.view_as_real(spec), 16, window=tw),
        ),
        (
            lambda: istft(ns, 16, window=w, onesided=False),
            lambda: torch.istft(spec, 16, window=tw, onesided=False),
        ),
        (
            lambda: istft(ns, 16, window=w, return_complex=True),
            lambda: torch.istft(spec, 16, window=tw, return_complex=True),
        ),
        (
            lambda: istft(ns, 16, window=numtorch.zeros(16)),
            lambda: torch.istft(spec, 16, window=torch.zeros(16)),
        ),
        (
            lambda: istft(ns, 16, window=hann_window(16), center=False),
            lambda: torch.istft(spec, 16, window=torch.hann_window(16), center=False),
        ),
        (
            lambda: istft(ns, 16, window=w, hop_length=17),
            lambda: torch.istft(spec, 16, window=tw, hop_length=17),
        ),
        (
            lambda: istft(ns, 16, window=w, win_length=17),
            lambda: torch.istft(spec, 16, window=tw, win_length=17),
        ),
        (
            lambda: istft(ns, 16, window=numtorch.ones(10)),
            lambda: torch.istft(spec, 16, window=torch.ones(10)),
        ),
        (lambda: istft(ns[:0], 16, window=w), lambda: torch.istft(spec[:0], 16, window=tw)),
        (lambda: istft(ns[0], 16, window=w), lambda: torch.istft(spec[0], 16, window=tw)),
        (
            lambda: istft(ns[None, None], 16, window=w),
            lambda: torch.istft(spec[None, None], 16, window=tw),
        ),
        (
            lambda: istft(ns, 7, window=numtorch.ones(7)),
            lambda: torch.istft(spec, 7, window=torch.ones(7)),
        ),
    ]
    for ours, theirs in cases:
        _raises_like(ours, theirs)


def test_istft_gradcheck():
    gen = np.random.default_rng(5)
    spec = stft(
        numtorch.tensor(gen.standard_normal((2, 24))),
        8,
        2,
        window=hann_window(8, dtype=numtorch.float64),
        return_complex=True,
    )
    s = spec.detach().requires_grad_(True)
    w = numtorch.tensor(np.hanning(8) + 0.1, requires_grad=True)
    assert gradcheck(lambda s, w: istft(s, 8, 2, window=w), (s, w))
    assert gradcheck(lambda s, w: istft(s, 8, 2, window=w, normalized=True, length=20), (s, w))
    x = numtorch.tensor(gen.standard_normal(20), requires_grad=True)
    w6 = numtorch.tensor(np.hanning(6) + 0.2, requires_grad=True)
    assert gradcheck(
        lambda x, w: istft(
            stft(x, 8, 2, win_length=6, window=w, return_complex=True),
            8,
            2,
            win_length=6,
            window=w,
            length=20,
        ),
        (x, w6),
    )


# -- gradient ------------------------------------------------------------------------------------

GRADIENT_CASES = [
    ((7,), {}),
    ((7,), {"spacing": 2.0}),
    ((7,), {"spacing": 3}),
    ((7,), {"edge_order": 2}),
    ((5, 6), {}),
    ((5, 6), {"dim": 1}),
    ((5, 6), {"dim": [-1, 0], "spacing": [0.5, 2.0]}),
    ((5, 6), {"spacing": [2.0, 0.5], "edge_order": 2}),
    ((3, 4, 5), {"dim": (0, 2), "edge_order": 2}),
    ((4, 5), {"spacing": "coords"}),
    ((4, 5), {"spacing": "coords", "edge_order": 2}),
    ((4, 5), {"spacing": "coords1", "dim": 1, "edge_order": 2}),
]


def _gradient_args(shape, kw, lib, dtype):
    kw = dict(kw)
    gen = np.random.default_rng(6)
    if kw.get("spacing") == "coords":
        kw["spacing"] = tuple(
            lib.tensor(np.cumsum(gen.uniform(0.5, 2.0, n)).astype(dtype)) for n in shape
        )
    elif kw.get("spacing") == "coords1":
        kw["spacing"] = (lib.tensor(np.cumsum(gen.uniform(0.5, 2.0, shape[1])).astype(dtype)),)
    return kw


@pytest.mark.parametrize("shape,kw", GRADIENT_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_matches_torch(shape, kw, dtype):
    torch = _torch()
    data = np.random.default_rng(7).standard_normal(shape).astype(dtype)
    ours = gradient(numtorch.tensor(data), **_gradient_args(shape, kw, numtorch, dtype))
    theirs = torch.gradient(torch.tensor(data), **_gradient_args(shape, kw, torch, dtype))
    assert isinstance(ours, tuple) and len(ours) == len(theirs)
    tol = 1e-5 if dtype == "float32" else 1e-12
    for o, t in zip(ours, theirs, strict=True):
        _close(o, t, rtol=tol, atol=tol)


def test_gradient_dtypes_and_shapes():
    torch = _torch()
    for ours, theirs in [
        (gradient(numtorch.arange(5)), torch.gradient(torch.arange(5))),
        (gradient(numtorch.arange(5), spacing=2), torch.gradient(torch.arange(5), spacing=2)),
        (
            gradient(numtorch.tensor([1 + 1j, 2, 4j])),
            torch.gradient(torch.tensor([1 + 1j, 2, 4j])),
        ),
        (gradient(numtorch.zeros(3, 0), dim=0), torch.gradient(torch.zeros(3, 0), dim=0)),
        (
            gradient(numtorch.arange(5.0), spacing=(numtorch.arange(5.0).double(),)),
            torch.gradient(torch.arange(5.0), spacing=(torch.arange(5.0).double(),)),
        ),
    ]:
        for o, t in zip(ours, theirs, strict=True):
            _close(o, t)
    assert gradient(numtorch.tensor(1.0)) == ()


def test_gradient_errors_match_torch():
    torch = _torch()
    a, ta = numtorch.arange(12.0).reshape(3, 4), torch.arange(12.0).reshape(3, 4)
    cases = [
        {"edge_order": 3},
        {"dim": 2},
        {"dim": (0, 0)},
        {"dim": (0, 1), "spacing": [1.0, 2.0, 3.0]},
        {"spacing": [1.0, 2.0, 3.0]},
        {"spacing": (2.0,)},
        {"spacing": "scalar tensors"},
    ]
    for kw in cases:
        ok, tk = dict(kw), dict(kw)
        if kw.get("spacing") == "scalar tensors":
            ok["spacing"] = [numtorch.tensor(2.0), numtorch.tensor(3.0)]
            tk["spacing"] = [torch.tensor(2.0), torch.tensor(3.0)]
        _raises_like(lambda ok=ok: gradient(a, **ok), lambda tk=tk: torch.gradient(ta, **tk))
    _raises_like(
        lambda: gradient(numtorch.ones(2), edge_order=2),
        lambda: torch.gradient(torch.ones(2), edge_order=2),
    )
    _raises_like(lambda: gradient(numtorch.ones(1)), lambda: torch.gradient(torch.ones(1)))
    _raises_like(
        lambda: gradient(numtorch.ones(3, dtype=numtorch.uint8)),
        lambda: torch.gradient(torch.ones(3, dtype=torch.uint8)),
    )
    _raises_like(
        lambda: gradient(numtorch.tensor([True, False, True])),
        lambda: torch.gradient(torch.tensor([True, False, True])),
    )
    _raises_like(
        lambda: gradient(a, spacing=numtorch.tensor([1.0, 2.0])),
        lambda: torch.gradient(ta, spacing=torch.tensor([1.0, 2.0])),
    )


def test_gradient_gradcheck():
    gen = np.random.default_rng(8)
    x = numtorch.tensor(gen.standard_normal((4, 5)), requires_grad=True)
    c = numtorch.tensor(np.cumsum(gen.uniform(0.5, 2, 5)), requires_grad=True)
    for order in (1, 2):
        assert gradcheck(lambda x, o=order: gradient(x, spacing=0.7, edge_order=o), (x,))
        assert gradcheck(
            lambda x, c, o=order: gradient(x, spacing=(c,), dim=1, edge_order=o), (x, c)
        )


# -- frombuffer ----------------------------------------------------------------------------------


def test_frombuffer_shares_memory():
    buf = array.array("i", [1, 2, 3, 4])
    t = frombuffer(buf, dtype=numtorch.int32)
    assert t.tolist() == [1, 2, 3, 4] and t.dtype == numtorch.int32
    t[0] = 10
    assert buf[0] == 10
    buf[1] = 20
    assert t[1].item() == 20
    part = frombuffer(buf, dtype=numtorch.int32, count=2, offset=4)
    assert part.tolist() == [20, 3]
    raw = bytearray(np.arange(3, dtype=np.float64).tobytes())
    f = frombuffer(raw, dtype=numtorch.float64, requires_grad=True)
    assert f.requires_grad and f.tolist() == [0.0, 1.0, 2.0]
    assert frombuffer(buf, dtype=numtorch.int32, count=-2).tolist() == [10, 20, 3, 4]


def test_frombuffer_matches_torch_and_errors():
    torch = _torch()
    buf = array.array("i", [1, 2, 3, 4])
    _close(frombuffer(buf, dtype=numtorch.int64), torch.frombuffer(buf, dtype=torch.int64))
    _close(
        frombuffer(bytearray(b"\x01\x02\x03"), dtype=numtorch.int16, offset=1),
        torch.frombuffer(bytearray(b"\x01\x02\x03"), dtype=torch.int16, offset=1),
    )
    for kw in [
        {"dtype": "int64", "offset": 4},
        {"dtype": "int32", "count": 5},
        {"dtype": "int32", "count": 0},
        {"dtype": "int32", "offset": 16},
        {"dtype": "int32", "offset": -1},
        {"dtype": "int32", "requires_grad": True},
        {},
    ]:
        ok, tk = dict(kw), dict(kw)
        if "dtype" in kw:
            ok["dtype"], tk["dtype"] = getattr(numtorch, kw["dtype"]), getattr(torch, kw["dtype"])
        _raises_like(lambda ok=ok: frombuffer(buf, **ok), lambda tk=tk: torch.frombuffer(buf, **tk))
    _raises_like(
        lambda: frombuffer(bytearray(), dtype=numtorch.int16),
        lambda: torch.frombuffer(bytearray(), dtype=torch.int16),
    )
    _raises_like(
        lambda: frombuffer([1, 2], dtype=numtorch.int16),
        lambda: torch.frombuffer([1, 2], dtype=torch.int16),
    )


def test_frombuffer_readonly_warns_once(monkeypatch):
    monkeypatch.setattr(signal, "_READONLY_WARNED", [False])
    with pytest.warns(UserWarning, match="The given buffer is not writable"):
        t = frombuffer(b"\x01\x02\x03\x04", dtype=numtorch.uint8)
    assert t.tolist() == [1, 2, 3, 4]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frombuffer(b"\x01\x02", dtype=numtorch.uint8)  # suppressed from now on, as in PyTorch


# -- histogramdd ---------------------------------------------------------------------------------


def _hist_close(ours, theirs):
    assert type(ours).__name__ == "histogramdd"
    _close(ours.hist, theirs.hist)
    assert len(ours.bin_edges) == len(theirs.bin_edges)
    for o, t in zip(ours.bin_edges, theirs.bin_edges, strict=True):
        _close(o, t)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_histogramdd_matches_torch(dtype):
    torch = _torch()
    gen = np.random.default_rng(9)
    pts = gen.standard_normal((200, 3)).astype(dtype)
    wts = gen.uniform(0, 2, 200).astype(dtype)
    edges = [np.sort(gen.standard_normal(n)).astype(dtype) for n in (4, 5, 6)]
    np_, tp = numtorch.tensor(pts), torch.tensor(pts)
    for kw in [
        {"bins": 4},
        {"bins": [3, 4, 5]},
        {"bins": [3, 4, 5], "range": [-1.0, 1.0, -2.0, 2.0, 0.0, 0.5]},
        {"bins": (2, 2, 2), "weight": "w"},
        {"bins": [5, 1, 2], "weight": "w", "density": True},
        {"bins": "edges"},
        {"bins": "edges", "weight": "w", "density": True},
    ]:
        ok, tk = dict(kw), dict(kw)
        if kw.get("weight") == "w":
            ok["weight"], tk["weight"] = numtorch.tensor(wts), torch.tensor(wts)
        if kw["bins"] == "edges":
            ok["bins"] = [numtorch.tensor(e) for e in edges]
            tk["bins"] = [torch.tensor(e) for e in edges]
        _hist_close(histogramdd(np_, **ok), torch.histogramdd(tp, **tk))
    # batched points (leading dims flatten), constant and empty inputs
    _hist_close(
        histogramdd(np_.reshape(10, 20, 3)[..., :2], [3, 3]),
        torch.histogramdd(tp.reshape(10, 20, 3)[..., :2], [3, 3]),
    )
    _hist_close(histogramdd(numtorch.ones(3, 2), 2), torch.histogramdd(torch.ones(3, 2), 2))
    _hist_close(histogramdd(numtorch.zeros(0, 2), 2), torch.histogramdd(torch.zeros(0, 2), 2))


def test_histogramdd_repr_and_errors():
    torch = _torch()
    x = numtorch.tensor([[0.0, 1.0], [1.0, 0.0], [2.0, 0.0], [2.0, 2.0]])
    tx = torch.tensor(x.numpy())
    r, tr = histogramdd(x, 2), torch.histogramdd(tx, 2)
    assert repr(r).replace("numtorch.", "torch.") == repr(tr)
    hist, edges = r
    assert hist is r.hist and edges is r.bin_edges
    for ours, theirs in [
        (lambda: histogramdd(x[:, 0], 4), lambda: torch.histogramdd(tx[:, 0], 4)),
        (lambda: histogramdd(x, [2, 2, 2]), lambda: torch.histogramdd(tx, [2, 2, 2])),
        (lambda: histogramdd(x, 0), lambda: torch.histogramdd(tx, 0)),
        (
            lambda: histogramdd(x, [2, 2], range=[0.0, 1.0]),
            lambda: torch.histogramdd(tx, [2, 2], range=[0.0, 1.0]),
        ),
        (
            lambda: histogramdd(x, [2, 2], range=[1.0, 0.0, 0.0, 1.0]),
            lambda: torch.histogramdd(tx, [2, 2], range=[1.0, 0.0, 0.0, 1.0]),
        ),
        (
            lambda: histogramdd(x, [2, 2], weight=numtorch.ones(3)),
            lambda: torch.histogramdd(tx, [2, 2], weight=torch.ones(3)),
        ),
        (
            lambda: histogramdd(x, [2, 2], weight=numtorch.ones(4).double()),
            lambda: torch.histogramdd(tx, [2, 2], weight=torch.ones(4).double()),
        ),
        (lambda: histogramdd(x.long(), [2, 2]), lambda: torch.histogramdd(tx.long(), [2, 2])),
        (
            lambda: histogramdd(x, [numtorch.tensor([0.0, 1.0])]),
            lambda: torch.histogramdd(tx, [torch.tensor([0.0, 1.0])]),
        ),
        (
            lambda: histogramdd(x, [numtorch.tensor([0, 1]), numtorch.tensor([0.0, 1.0])]),
            lambda: torch.histogramdd(tx, [torch.tensor([0, 1]), torch.tensor([0.0, 1.0])]),
        ),
        (
            lambda: histogramdd(numtorch.tensor([[float("nan"), 1.0]]), 2),
            lambda: torch.histogramdd(torch.tensor([[float("nan"), 1.0]]), 2),
        ),
        (
            lambda: histogramdd(numtorch.tensor([[float("inf"), 1.0]]), 2),
            lambda: torch.histogramdd(torch.tensor([[float("inf"), 1.0]]), 2),
        ),
    ]:
        _raises_like(ours, theirs)


class _Wired:
    """``numtorch`` as the docstrings see it once these functions are exported from it."""

    def __getattr__(self, name):
        return getattr(signal if name in signal.__all__ else numtorch, name)


def test_docstring_examples():
    result = doctest.testmod(
        signal, globs={"numtorch": _Wired()}, optionflags=doctest.NORMALIZE_WHITESPACE
    )
    assert result.attempted > 10 and result.failed == 0
