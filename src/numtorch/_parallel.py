"""Intra-op threads: ``set_num_threads`` / ``get_num_threads``.

numtorch's parallel work is its BLAS calls (matmul, convolution); everything else runs
NumPy's single-threaded loops. So, as ``torch.set_num_threads`` sets PyTorch's intra-op
threads, ``numtorch.set_num_threads`` sets the thread count of the BLAS that NumPy loaded
(OpenBLAS, as NumPy's wheels ship it, or MKL), found by its exported setter. Where no known
BLAS is found, the value is only recorded.

>>> import numtorch
>>> threads = numtorch.get_num_threads()
>>> numtorch.set_num_threads(1)
>>> numtorch.get_num_threads()
1
>>> numtorch.set_num_threads(threads)
"""

from __future__ import annotations

import os

from . import _blas


def _default_threads() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_threads = _default_threads()
_interop = _threads


def _blas_functions():
    return _blas.thread_functions()


def _positive(name: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise RuntimeError(f"{name} expects an int, but got {type(value).__name__}")
    if value <= 0:
        raise RuntimeError(f"{name} expects a positive integer")
    return int(value)


def set_num_threads(n: int) -> None:
    """Sets the number of threads for intra-op parallelism (numtorch: the BLAS threads).

    >>> numtorch.set_num_threads(numtorch.get_num_threads())
    """
    global _threads
    _threads = _positive("set_num_threads", n)
    blas = _blas_functions()
    if blas:
        blas[0](_threads)


def get_num_threads() -> int:
    """The number of threads used for intra-op parallelism.

    >>> numtorch.get_num_threads() >= 1
    True
    """
    blas = _blas_functions()
    return int(blas[1]()) if blas else _threads


def set_num_interop_threads(n: int) -> None:
    """Accepted as in PyTorch; numtorch runs one op at a time, so it is only recorded."""
    global _interop
    _interop = _positive("set_num_interop_threads", n)


def get_num_interop_threads() -> int:
    """The value given to ``set_num_interop_threads`` (the CPU count by default)."""
    return _interop
