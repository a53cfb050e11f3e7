"""The BLAS axpy path of the optimizers' fused multiply-add: used only where proved fused, and
always the same numbers as the exact NumPy emulation."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest

from numtorch import _blas, _random
from numtorch.optim import _math


def _exact(x, alpha, y):
    if y.dtype == np.float64:
        return _random._fma_f64(x, float(alpha), y)
    return (x.astype(np.float64) * float(alpha) + y).astype(y.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [100, 8191, 8192, 3 * 8192 + 17])
def test_fma_matches_the_exact_emulation(dtype, size):
    rng = np.random.default_rng(size)
    x = rng.standard_normal(size).astype(dtype)
    y = rng.standard_normal(size).astype(dtype)
    alpha = dtype(-0.7071)
    expected = _exact(x, alpha, y)
    assert not np.array_equal(x * alpha + y, expected)  # the rounding is really tested
    out_of_place = _math.fma(x, alpha, y)
    assert out_of_place is not y and np.array_equal(out_of_place, expected)
    in_place = y.copy()
    assert _math.fma(alpha, x, in_place, out=in_place) is in_place
    assert np.array_equal(in_place, expected)


def test_numpy_wheel_blas_is_used_where_fused():
    """On this machine's NumPy (OpenBLAS), float32 axpy takes whole chunks, never the tail."""
    x = np.ones(2 * _blas.AXPY_CHUNK + 5, np.float32)
    y = np.zeros_like(x)
    done = _blas.axpy(np.float32(2), x, y)
    if _blas._axpy.get((y.dtype, 1)) is None:
        pytest.skip("this BLAS's axpy is not fused here (the NumPy path is used)")
    assert done == 2 * _blas.AXPY_CHUNK
    assert (y[:done] == 2).all() and (y[done:] == 0).all()


@pytest.mark.parametrize(
    ("alpha", "why"),
    [(np.float32(0), "zero"), (np.float32(np.inf), "not finite"), (0.5, "a Python float")],
)
def test_axpy_refuses(alpha, why):
    x = np.ones(_blas.AXPY_CHUNK, np.float32)
    y = np.zeros_like(x)
    assert _blas.axpy(alpha, x, y) == 0, why
    assert (y == 0).all()


def test_zero_alpha_still_propagates_nan():
    x = np.full(2 * _blas.AXPY_CHUNK, np.inf, np.float32)
    y = np.zeros_like(x)
    assert np.isnan(_math.fma(x, np.float32(0), y)).all()


def test_overlapping_operands_fall_back():
    buffer = np.arange(3 * _blas.AXPY_CHUNK, dtype=np.float32)
    x, y = buffer[1:], buffer[:-1]
    expected = _exact(x.copy(), np.float32(0.5), y.copy())
    y_view = buffer[:-1]
    assert np.array_equal(_math.fma(x, np.float32(0.5), y_view, out=y_view), expected)


def _fake_axpy(fused: bool, tail: int = 0):
    """A ctypes-shaped axpy that rounds fused or not (or fused except its last ``tail``)."""

    def routine(size, alpha, x_address, _incx, y_address, _incy):
        pointer = ctypes.POINTER(ctypes.c_float)
        x = np.ctypeslib.as_array(ctypes.cast(x_address, pointer), shape=(size,))
        y = np.ctypeslib.as_array(ctypes.cast(y_address, pointer), shape=(size,))
        result = _exact(x, alpha, y) if fused else x * alpha + y
        if tail:
            result[-tail:] = x[-tail:] * alpha + y[-tail:]
        y[...] = result

    return routine


@pytest.mark.parametrize(
    ("routine", "accepted"),
    [
        (_fake_axpy(fused=True), True),
        (_fake_axpy(fused=False), False),
        (_fake_axpy(fused=True, tail=7), False),  # a vector body fused, a scalar tail not
    ],
)
def test_probe_accepts_only_fused_rounding(routine, accepted):
    assert _blas._rounds_fused(routine, np.dtype(np.float32)) is accepted


def test_docstring_examples():
    import doctest

    result = doctest.testmod(_blas)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fma_is_exact_at_each_blas_thread_count(threads, dtype):
    # with several BLAS threads each thread's share is whole chunks: probed once per count
    import numtorch

    before = numtorch.get_num_threads()
    numtorch.set_num_threads(threads)
    try:
        rng = np.random.default_rng(threads)
        size = 5 * _blas.AXPY_CHUNK + 3
        x = rng.standard_normal(size).astype(dtype)
        y = rng.standard_normal(size).astype(dtype)
        alpha = dtype(1.2345)
        expected = _exact(x, alpha, y)
        assert np.array_equal(_math.fma(x, alpha, y.copy()), expected)
        done = _blas.axpy(alpha, x, y)
        whole = [size - size % (n * _blas.AXPY_CHUNK) for n in (1, _blas.thread_count())]
        assert done in (0, *whole)
        assert np.array_equal(y[:done], expected[:done])
    finally:
        numtorch.set_num_threads(before)
