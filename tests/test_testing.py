"""numtorch.testing.assert_close: torch's tolerances and messages, word for word."""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest

import numtorch
import numtorch.testing
from numtorch.testing import assert_close


def test_docstring_examples_run():
    result = doctest.testmod(
        numtorch.testing, globs={"numtorch": numtorch}, optionflags=doctest.ELLIPSIS
    )
    assert result.attempted > 0 and result.failed == 0


def message(actual, expected, **kwargs) -> str:
    with pytest.raises((AssertionError, TypeError, ValueError)) as info:
        assert_close(actual, expected, **kwargs)
    return f"{type(info.value).__name__}: {info.value}"


def test_float32_message():
    got = message(numtorch.tensor([1.0, 2.0, 3.0]), numtorch.tensor([1.0, 2.0, 3.1]))
    assert got == (
        "AssertionError: Tensor-likes are not close!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.09999990463256836 at index (2,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.032258033752441406 at index (2,) (up to 1.3e-06 allowed)"
    )


def test_default_tolerances_per_dtype():
    base = numtorch.tensor([1.0])
    assert_close(base, base + 9e-6)  # float32 atol 1e-5
    assert_close(base.double(), base.double() + 1.9e-7)  # float64: 1e-7 + 1e-7 * 1
    with pytest.raises(AssertionError):
        assert_close(base.double(), base.double() + 3e-7)
    assert_close(base.half(), (base + 1e-3).half())
    with pytest.raises(AssertionError, match="Tensor-likes are not equal!"):
        assert_close(numtorch.tensor([1, 2]), numtorch.tensor([1, 3]))


def test_attribute_mismatches():
    assert "attribute 'dtype' do not match" in message(
        numtorch.tensor([1.0]), numtorch.tensor([1.0]).double()
    )
    assert_close(numtorch.tensor([1.0]), numtorch.tensor([1.0]).double(), check_dtype=False)
    assert "attribute 'shape' do not match" in message(numtorch.zeros(2), numtorch.zeros(3))
    assert "attribute 'stride()' do not match: (2, 1) != (1, 2)." in message(
        numtorch.zeros(2, 2), numtorch.zeros(2, 2).t().contiguous().t(), check_stride=True
    )


def test_scalars_sequences_and_mappings():
    assert message(1.0, 1.1).startswith("AssertionError: Scalars are not close!")
    assert "The (d)types do not match: <class 'int'> != <class 'float'>." in message(1, 1.0)
    assert message([1.0, 2.0], [1.0, 2.5]).endswith("The failure occurred for item [1]")
    assert message([[1.0], {"x": 2.0}], [[1.0], {"x": 3.0}]).endswith(
        "The failure occurred for item [1]['x']"
    )
    assert message({"a": 1}, {"b": 1}) == (
        "AssertionError: The keys of the mappings do not match:\n"
        "Missing keys in the actual mapping: ['b']\n"
        "Additional keys in the actual mapping: ['a']"
    )
    assert "The length of the sequences mismatch: 2 != 3" in message([1, 2], [1, 2, 3])
    assert_close((1.0,), [1.0])
    assert_close(None, None)
    assert message(True, False) == "AssertionError: Booleans mismatch: True is not False"


def test_nan_inf_and_options():
    nan = numtorch.tensor([math.nan])
    with pytest.raises(AssertionError):
        assert_close(nan, nan)
    assert_close(nan, nan, equal_nan=True)
    inf = numtorch.tensor([math.inf])
    assert_close(inf, inf)
    with pytest.raises(AssertionError):
        assert_close(inf, -inf)
    assert message(numtorch.tensor([1.0]), numtorch.tensor([1.5]), msg="custom") == (
        "AssertionError: custom"
    )
    assert message(numtorch.tensor([1.0]), numtorch.tensor([1.5]), msg=lambda m: "X" + m)[
        16:
    ].startswith("XTensor-likes")
    assert "got no atol" in message(numtorch.tensor([1.0]), numtorch.tensor([1.0]), rtol=0.5)
    assert_close(numtorch.tensor([1.0]), numtorch.tensor([1.4]), rtol=0.5, atol=0.0)


def test_unsupported_pairs_are_type_errors():
    assert "No comparison pair was able to handle inputs" in message(numtorch.tensor([1.0]), [1])
    assert "No comparison pair" in message("a", "b")
    assert_close(np.array([1.0]), np.array([1.0]))


def test_assert_allclose_is_deprecated():
    with pytest.warns(FutureWarning, match="assert_allclose\\(\\)` is deprecated since 1.12"):
        numtorch.testing.assert_allclose(numtorch.tensor([1.0, math.nan]), [1.0, math.nan])


def test_make_tensor_ranges():
    floats = numtorch.testing.make_tensor(100, dtype=numtorch.float32, device="cpu")
    assert floats.shape == (100,) and bool((floats >= -9).all() and (floats < 9).all())
    ints = numtorch.testing.make_tensor((4, 5), dtype=numtorch.int64, device="cpu", low=0, high=3)
    assert ints.dtype is numtorch.int64 and bool((ints >= 0).all() and (ints <= 3).all())
    flags = numtorch.testing.make_tensor(3, dtype=numtorch.bool, device="cpu")
    assert flags.dtype is numtorch.bool
    grad = numtorch.testing.make_tensor(2, dtype=numtorch.float64, device="cpu", requires_grad=True)
    assert grad.requires_grad and grad.dtype is numtorch.float64


CASES = [
    ("[1.,2.,3.]", "[1.,2.,3.1]", {}),
    ("[[1.,2.],[3.,4.]]", "[[1.,2.5],[3.,5.]]", {}),
    ("[1,2,3]", "[1,2,4]", {}),
    ("[True, False]", "[True, True]", {}),
    ("1.", "2.", {}),
    ("[0.]", "[1.]", {}),
    ("[float('nan')]", "[float('nan')]", {}),
    ("[float('inf')]", "[-float('inf')]", {}),
    ("[1e30]", "[2e30]", {}),
    ("[1+1j]", "[1+2j]", {}),
    ("[2.]", "[1.]", {"atol": 0, "rtol": 0}),
    ("[1.]", "[1.]", {"rtol": 1e-3}),
]


@pytest.mark.parametrize("actual, expected, kwargs", CASES)
def test_messages_match_torch(actual, expected, kwargs):
    torch = pytest.importorskip("torch")
    texts = []
    for module in (torch, numtorch):
        a = module.tensor(eval(actual))
        e = module.tensor(eval(expected))
        try:
            module.testing.assert_close(a, e, **kwargs)
            texts.append("passed")
        except (AssertionError, ValueError) as error:
            texts.append(f"{type(error).__name__}: {error}")
    assert texts[1] == texts[0]


@pytest.mark.parametrize(
    "actual, expected",
    [(1.0, 1.1), (1, 2), (1, 1.0), ([1.0, 2.0], [1.0, 2.5]), ({"a": 1}, {"a": 1, "b": 2})],
)
def test_python_value_messages_match_torch(actual, expected):
    torch = pytest.importorskip("torch")
    texts = []
    for module in (torch, numtorch):
        try:
            module.testing.assert_close(actual, expected)
            texts.append("passed")
        except AssertionError as error:
            texts.append(str(error))
    assert texts[1] == texts[0]
