"""The BLAS that NumPy loaded, reached through ctypes for the few routines NumPy does not expose.

NumPy's wheels ship OpenBLAS (as ``scipy_openblas``); other builds may link MKL or a plain
OpenBLAS. Two things use it here:

* the thread count (``numtorch.set_num_threads``), through the library's own setter;
* ``axpy``, ``y += alpha * x`` in one pass: on CPUs with FMA the BLAS kernels compute it as a
  fused multiply-add, the rounding PyTorch's vectorised ``add(alpha=)`` gives, in a single
  memory-bound sweep instead of the five float64 passes that emulate it with NumPy.

Nothing here is trusted blindly: ``axpy`` is used only once a probe has shown that this
library, on this CPU, rounds exactly as a fused multiply-add does, called as ``axpy`` calls
it (every element position, several lengths and alignments); otherwise callers fall back to
their NumPy path.
"""

from __future__ import annotations

import ctypes
import os

import numpy as np

_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
    "MKL_Set_Num_Threads",
)
_GETTERS = (
    "scipy_openblas_get_num_threads64_",
    "openblas_get_num_threads64_",
    "openblas_get_num_threads",
    "MKL_Get_Max_Threads",
)
# (symbol, integer type): the 64-bit-integer interfaces first, as NumPy's own wheels use them
_AXPY = {
    np.dtype(np.float32): (
        ("scipy_cblas_saxpy64_", ctypes.c_int64, ctypes.c_float),
        ("cblas_saxpy64_", ctypes.c_int64, ctypes.c_float),
        ("cblas_saxpy", ctypes.c_int, ctypes.c_float),
    ),
    np.dtype(np.float64): (
        ("scipy_cblas_daxpy64_", ctypes.c_int64, ctypes.c_double),
        ("cblas_daxpy64_", ctypes.c_int64, ctypes.c_double),
        ("cblas_daxpy", ctypes.c_int, ctypes.c_double),
    ),
}
# axpy runs on the leading multiple of this many elements per BLAS thread, in one call: each
# thread's share is a multiple of every vector body, so no element falls to a scalar tail loop
# (which the compiler does not fuse).
AXPY_CHUNK = 8192

_libraries: list | None = None
_threads: tuple | None | bool = False  # False: not looked up yet
_axpy: dict = {}  # (dtype, BLAS threads) -> ctypes function, or None once refused


def libraries() -> list:
    """The BLAS libraries mapped into this process (ctypes handles), NumPy's first."""
    global _libraries
    if _libraries is None:
        _libraries = _find_libraries()
    return _libraries


def _find_libraries() -> list:
    try:
        with open("/proc/self/maps") as maps:  # NumPy is imported above, so its BLAS is mapped
            paths = {line.split()[-1] for line in maps if "blas" in line or "mkl" in line}
    except OSError:  # not Linux
        return []
    found = []
    for path in sorted(paths):
        if not os.path.isfile(path):
            continue
        try:
            found.append(ctypes.CDLL(path))
        except OSError:
            continue
    return found


def thread_functions():
    """``(set, get)`` ctypes functions for the BLAS thread count, or None."""
    global _threads
    if _threads is False:
        _threads = _find_thread_functions()
    return _threads


def _find_thread_functions():
    for library in libraries():
        setter = next((getattr(library, n) for n in _SETTERS if hasattr(library, n)), None)
        getter = next((getattr(library, n) for n in _GETTERS if hasattr(library, n)), None)
        if setter is not None and getter is not None:
            setter.argtypes, setter.restype = [ctypes.c_int], None
            getter.argtypes, getter.restype = [], ctypes.c_int
            return setter, getter
    return None


def axpy(alpha, x: np.ndarray, y: np.ndarray) -> int:
    """``y += alpha * x``, rounded once per element, on the leading whole ``AXPY_CHUNK``s of
    the flat arrays; returns how many elements it did (0: none, ``y`` untouched), the caller
    does the rest. Nothing is done unless the library's axpy is proved fused here and both
    arrays are C-contiguous, of one float32/float64 dtype and one shape, and ``alpha`` is a
    nonzero finite scalar of that dtype (BLAS skips a zero ``alpha``, where ``0 * inf`` must
    give NaN).

    >>> y = np.ones(10000, np.float32)
    >>> done = axpy(np.float32(0.5), np.full(10000, 2, np.float32), y)
    >>> done in (0, 8192), bool((y[:done] == 2).all() and (y[done:] == 1).all())
    (True, True)
    """
    dtype = y.dtype
    size = y.size
    if (
        size < AXPY_CHUNK
        or x.dtype != dtype
        or x.shape != y.shape
        or type(alpha) is not dtype.type
        or not (x.flags.c_contiguous and y.flags.c_contiguous and y.flags.writeable)
        or not alpha
        or not np.isfinite(alpha)
    ):
        return 0
    threads = thread_count()
    if threads > 1 and size >= threads * AXPY_CHUNK:
        # on all the BLAS's threads when each thread's share is whole chunks too
        routine = _routine(dtype, threads)
        if routine is not None:
            done = size - size % (threads * AXPY_CHUNK)
            routine(done, alpha, x.ctypes.data, 1, y.ctypes.data, 1)
            return done
    routine = _routine(dtype, 1)
    if routine is None:
        return 0
    done = size - size % AXPY_CHUNK
    _single_threaded(routine, done, alpha, x.ctypes.data, y.ctypes.data)
    return done


def thread_count() -> int:
    """The BLAS's current thread count (1 when it cannot be read)."""
    functions = thread_functions()
    return functions[1]() if functions else 1


def _routine(dtype, threads: int):
    key = (dtype, threads)
    routine = _axpy.get(key, False)
    if routine is False:
        routine = _axpy[key] = _fused_axpy(dtype, threads)
    return routine


def _single_threaded(routine, size, alpha, x_address, y_address) -> None:
    threads = thread_functions()
    before = threads[1]() if threads else 1
    if before != 1:
        threads[0](1)
    try:
        routine(size, alpha, x_address, 1, y_address, 1)
    finally:
        if before != 1:
            threads[0](before)


def _fused_axpy(dtype, threads: int = 1):
    """The library's axpy for ``dtype`` if it rounds as a fused multiply-add when called on
    ``threads`` threads, else None."""
    for library in libraries():
        for name, integer, real in _AXPY.get(dtype, ()):
            routine = getattr(library, name, None)
            if routine is None:
                continue
            routine.argtypes = [integer, real, ctypes.c_void_p, integer, ctypes.c_void_p, integer]
            routine.restype = None
            return routine if _rounds_fused(routine, dtype, threads) else None
    return None


def _rounds_fused(routine, dtype, threads: int = 1) -> bool:
    """Probes ``routine`` as ``axpy`` calls it (on ``threads`` threads, whole chunks per
    thread), at several lengths and alignments, on values where a separate multiply and add
    round differently from a fused one, against an exact reference: a body/tail split, a
    thread boundary or an alignment peel that is not fused shows."""
    from ._random import _fma_f64

    rng = np.random.default_rng(12345)
    unit = threads * AXPY_CHUNK
    for size, shift in ((unit, 0), (unit, 1), (3 * unit, 3), (2 * unit, 5)):
        x = rng.standard_normal(size + shift).astype(dtype)[shift:]
        y = rng.standard_normal(size + shift).astype(dtype)[shift:]
        alpha = dtype.type(rng.uniform(0.01, 3.0))
        if dtype == np.float64:
            expected = _fma_f64(x, float(alpha), y)
        else:
            # a float32 product is exact in float64; the sum then rounds once to 53 bits and
            # once to 24, which can differ from one rounding only at an exact float32 tie:
            # the probe's values are fixed, and have none
            expected = (x.astype(np.float64) * float(alpha) + y).astype(dtype)
        unfused = (x * alpha + y).astype(dtype)
        got = np.empty(size + shift, dtype)[shift:]  # as misaligned as x and y
        got[...] = y
        if threads == 1:
            _single_threaded(routine, size, alpha, x.ctypes.data, got.ctypes.data)
        else:
            routine(size, alpha, x.ctypes.data, 1, got.ctypes.data, 1)
        if not np.array_equal(got, expected):
            return False
        if np.array_equal(unfused[-100:], expected[-100:]):  # the probe would prove nothing
            return False
    return True
