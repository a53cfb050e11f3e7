"""set_num_threads / get_num_threads: PyTorch's API and errors, applied to NumPy's BLAS."""

from __future__ import annotations

import pytest

import numtorch


@pytest.fixture
def restore_threads():
    before = numtorch.get_num_threads()
    yield
    numtorch.set_num_threads(before)


def test_round_trip_sets_blas_threads(restore_threads):
    numtorch.set_num_threads(1)
    assert numtorch.get_num_threads() == 1
    numtorch.set_num_threads(2)
    assert numtorch.get_num_threads() == 2
    # the BLAS NumPy ships with (OpenBLAS) is found, so the setting reaches matmul
    assert numtorch._parallel._blas_functions()
    a = numtorch.randn(64, 64)
    assert (a @ a).shape == (64, 64)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "set_num_threads expects a positive integer"),
        (-1, "set_num_threads expects a positive integer"),
        (2.5, "set_num_threads expects an int, but got float"),
        ("2", "set_num_threads expects an int, but got str"),
    ],
)
def test_errors_match_torch(value, message):
    with pytest.raises(RuntimeError, match=f"^{message}$"):
        numtorch.set_num_threads(value)


def test_interop_threads(restore_threads):
    assert numtorch.get_num_interop_threads() >= 1
    numtorch.set_num_interop_threads(3)
    assert numtorch.get_num_interop_threads() == 3
    with pytest.raises(RuntimeError, match="set_num_interop_threads expects a positive integer"):
        numtorch.set_num_interop_threads(0)


def test_docstring_examples(restore_threads):
    import doctest

    result = doctest.testmod(numtorch._parallel, extraglobs={"numtorch": numtorch})
    assert result.attempted > 0 and result.failed == 0
