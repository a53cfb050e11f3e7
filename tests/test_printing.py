"""Tests for numtorch._printing: checked-in expected strings, then comparisons with PyTorch.

The real Tensor class is written elsewhere, so a stand-in with just the attributes that
``tensor_repr`` reads is used. Torch-only tests skip when torch is not installed.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SRC = Path(__file__).resolve().parents[1] / "src"


def _load_modules() -> tuple[types.ModuleType, types.ModuleType]:
    """numtorch._dtype and numtorch._printing, even while the package __init__ is mid-edit."""
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    try:
        from numtorch import _dtype, _printing

        return _dtype, _printing
    except Exception:
        pass
    # The package does not import right now: load only these two modules under a bare package.
    for name in [n for n in sys.modules if n == "numtorch" or n.startswith("numtorch.")]:
        del sys.modules[name]
    package = types.ModuleType("numtorch")
    package.__path__ = [str(SRC / "numtorch")]
    sys.modules["numtorch"] = package
    loaded = []
    for name in ("_dtype", "_printing"):
        spec = importlib.util.spec_from_file_location(
            f"numtorch.{name}", SRC / "numtorch" / f"{name}.py"
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        setattr(package, name, module)
        loaded.append(module)
    return loaded[0], loaded[1]


_dtype, _printing = _load_modules()


class _Device:
    def __init__(self, name: str) -> None:
        self.type = name.split(":")[0]
        self._name = name

    def __str__(self) -> str:
        return self._name


class Tensor:
    """Stand-in for numtorch.Tensor with exactly the attributes tensor_repr may use."""

    def __init__(
        self,
        data: np.ndarray,
        *,
        requires_grad: bool = False,
        grad_fn: object | None = None,
        device: str = "cpu",
    ) -> None:
        self._data = data
        self.dtype = _dtype.from_numpy_dtype(data.dtype)
        self.requires_grad = requires_grad or grad_fn is not None
        self.grad_fn = grad_fn
        self.is_leaf = grad_fn is None
        self.device = _Device(device)

    def __repr__(self) -> str:
        return _printing.tensor_repr(self)


class MulBackward0:
    """Named like the PyTorch node whose name is printed in ``grad_fn=<...>``."""


def _grad_node(name: str) -> object:
    return type(name, (), {})()


@pytest.fixture(autouse=True)
def _restore_defaults() -> Iterator[None]:
    yield
    _printing.set_printoptions(profile="default")
    _dtype.set_default_dtype(_dtype.float32)
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------------------------------------
# Checked-in expectations (generated once from PyTorch 2.13, 'torch.' renamed 'numtorch.')

LITERAL_CASES = [
    pytest.param(
        np.array([1.0, 2.0], np.float32),
        dict(),
        dict(),
        "tensor([1., 2.])",
        id="float_vector",
    ),
    pytest.param(
        np.array([0.8329, -0.3, 1.2], np.float32),
        dict(),
        dict(),
        "tensor([ 0.8329, -0.3000,  1.2000])",
        id="mixed_signs",
    ),
    pytest.param(
        np.array(3.0, np.float32),
        dict(),
        dict(),
        "tensor(3.)",
        id="scalar_float",
    ),
    pytest.param(
        np.array(-0.0, np.float32),
        dict(),
        dict(),
        "tensor(-0.)",
        id="scalar_negative_zero",
    ),
    pytest.param(
        np.array(1e-5, np.float32),
        dict(),
        dict(),
        "tensor(1.0000e-05)",
        id="scalar_small",
    ),
    pytest.param(
        np.array(True),
        dict(),
        dict(),
        "tensor(True)",
        id="scalar_bool",
    ),
    pytest.param(
        np.array(-7),
        dict(),
        dict(),
        "tensor(-7)",
        id="scalar_int",
    ),
    pytest.param(
        np.ones((2, 2), np.float32),
        dict(requires_grad=True),
        dict(),
        ("tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)"),
        id="requires_grad",
    ),
    pytest.param(
        np.array([2.0, 2.0], np.float32),
        dict(grad_fn=MulBackward0()),
        dict(),
        "tensor([2., 2.], grad_fn=<MulBackward0>)",
        id="grad_fn",
    ),
    pytest.param(
        np.arange(2000, dtype=np.float32),
        dict(),
        dict(),
        (
            "tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n"
            "        1.9990e+03])"
        ),
        id="arange_float_2000",
    ),
    pytest.param(
        np.arange(2000),
        dict(),
        dict(),
        "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])",
        id="arange_int_2000",
    ),
    pytest.param(
        np.array([[1, -20, 300], [4, 5, 6]]),
        dict(),
        dict(),
        ("tensor([[  1, -20, 300],\n        [  4,   5,   6]])"),
        id="int_matrix",
    ),
    pytest.param(
        np.array([1.5, 2.25]),
        dict(),
        dict(),
        "tensor([1.5000, 2.2500], dtype=numtorch.float64)",
        id="float64",
    ),
    pytest.param(
        np.array([1.5, 2.25], np.float16),
        dict(),
        dict(),
        "tensor([1.5000, 2.2500], dtype=numtorch.float16)",
        id="float16",
    ),
    pytest.param(
        np.array([1, 2], np.int8),
        dict(),
        dict(),
        "tensor([1, 2], dtype=numtorch.int8)",
        id="int8",
    ),
    pytest.param(
        np.array([1, 255], np.uint8),
        dict(),
        dict(),
        "tensor([  1, 255], dtype=numtorch.uint8)",
        id="uint8",
    ),
    pytest.param(
        np.array([True, False, True]),
        dict(),
        dict(),
        "tensor([ True, False,  True])",
        id="bool",
    ),
    pytest.param(
        np.array([1 + 2j, -0.5 - 1j, 3j], np.complex64),
        dict(),
        dict(),
        "tensor([ 1.0000+2.j, -0.5000-1.j,  0.0000+3.j])",
        id="complex",
    ),
    pytest.param(
        np.array([1.25 + 2j, 0j]),
        dict(),
        dict(),
        "tensor([1.2500+2.j, 0.0000+0.j], dtype=numtorch.complex128)",
        id="complex128",
    ),
    pytest.param(
        np.array([complex(np.nan, np.inf), complex(1, -0.0)], np.complex64),
        dict(),
        dict(),
        "tensor([nan+infj, 1.-0.j])",
        id="complex_nonfinite",
    ),
    pytest.param(
        np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], np.float32),
        dict(),
        dict(),
        "tensor([nan, inf, -inf, 0., -0., 1.])",
        id="nonfinite",
    ),
    pytest.param(
        np.array([np.nan, 1.5, -np.inf], np.float32),
        dict(),
        dict(),
        "tensor([   nan, 1.5000,   -inf])",
        id="nonfinite_fraction",
    ),
    pytest.param(
        np.array([1e-5, 1.0, 123456.0], np.float32),
        dict(),
        dict(),
        "tensor([1.0000e-05, 1.0000e+00, 1.2346e+05])",
        id="sci_auto",
    ),
    pytest.param(
        np.array([1e9, 1.0], np.float32),
        dict(),
        dict(),
        "tensor([1.0000e+09, 1.0000e+00])",
        id="large_int_valued",
    ),
    pytest.param(
        np.zeros(0, np.float32),
        dict(),
        dict(),
        "tensor([])",
        id="empty",
    ),
    pytest.param(
        np.zeros((0, 3), np.float32),
        dict(),
        dict(),
        "tensor([], size=(0, 3))",
        id="empty_2d",
    ),
    pytest.param(
        np.zeros(0, np.int64),
        dict(),
        dict(),
        "tensor([], dtype=numtorch.int64)",
        id="empty_int",
    ),
    pytest.param(
        np.zeros((2, 0, 1), bool),
        dict(),
        dict(),
        "tensor([], size=(2, 0, 1), dtype=numtorch.bool)",
        id="empty_bool_3d",
    ),
    pytest.param(
        np.zeros(0, np.float32),
        dict(requires_grad=True),
        dict(),
        "tensor([], requires_grad=True)",
        id="empty_requires_grad",
    ),
    pytest.param(
        np.arange(40, dtype=np.float32) / np.float32(7),
        dict(),
        dict(),
        (
            "tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,\n"
            "        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,\n"
            "        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,\n"
            "        3.8571, 4.0000, 4.1429, 4.2857, 4.4286, 4.5714, 4.7143, 4.8571, 5.0000,\n"
            "        5.1429, 5.2857, 5.4286, 5.5714])"
        ),
        id="wide_row",
    ),
    pytest.param(
        np.arange(60).reshape(2, 30) * 1001,
        dict(),
        dict(),
        (
            "tensor([[    0,  1001,  2002,  3003,  4004,  5005,  6006,  7007,  8008,  9009,\n"
            "         10010, 11011, 12012, 13013, 14014, 15015, 16016, 17017, 18018, 19019,\n"
            "         20020, 21021, 22022, 23023, 24024, 25025, 26026, 27027, 28028, 29029],\n"
            "        [30030, 31031, 32032, 33033, 34034, 35035, 36036, 37037, 38038, 39039,\n"
            "         40040, 41041, 42042, 43043, 44044, 45045, 46046, 47047, 48048, 49049,\n"
            "         50050, 51051, 52052, 53053, 54054, 55055, 56056, 57057, 58058, 59059]])"
        ),
        id="wide_int_rows",
    ),
    pytest.param(
        np.arange(12, dtype=np.float32).reshape(2, 3, 2),
        dict(),
        dict(),
        (
            "tensor([[[ 0.,  1.],\n"
            "         [ 2.,  3.],\n"
            "         [ 4.,  5.]],\n"
            "\n"
            "        [[ 6.,  7.],\n"
            "         [ 8.,  9.],\n"
            "         [10., 11.]]])"
        ),
        id="three_d",
    ),
    pytest.param(
        np.arange(16).reshape(2, 2, 2, 2),
        dict(),
        dict(),
        (
            "tensor([[[[ 0,  1],\n"
            "          [ 2,  3]],\n"
            "\n"
            "         [[ 4,  5],\n"
            "          [ 6,  7]]],\n"
            "\n"
            "\n"
            "        [[[ 8,  9],\n"
            "          [10, 11]],\n"
            "\n"
            "         [[12, 13],\n"
            "          [14, 15]]]])"
        ),
        id="four_d",
    ),
    pytest.param(
        np.arange(16 * 40, dtype=np.float32).reshape(16, 40) / 1000,
        dict(),
        dict(threshold=100),
        (
            "tensor([[0.0000, 0.0010, 0.0020,  ..., 0.0370, 0.0380, 0.0390],\n"
            "        [0.0400, 0.0410, 0.0420,  ..., 0.0770, 0.0780, 0.0790],\n"
            "        [0.0800, 0.0810, 0.0820,  ..., 0.1170, 0.1180, 0.1190],\n"
            "        ...,\n"
            "        [0.5200, 0.5210, 0.5220,  ..., 0.5570, 0.5580, 0.5590],\n"
            "        [0.5600, 0.5610, 0.5620,  ..., 0.5970, 0.5980, 0.5990],\n"
            "        [0.6000, 0.6010, 0.6020,  ..., 0.6370, 0.6380, 0.6390]])"
        ),
        id="summarized_2d",
    ),
    pytest.param(
        np.arange(20 * 10 * 10).reshape(20, 10, 10),
        dict(),
        dict(),
        (
            "tensor([[[   0,    1,    2,  ...,    7,    8,    9],\n"
            "         [  10,   11,   12,  ...,   17,   18,   19],\n"
            "         [  20,   21,   22,  ...,   27,   28,   29],\n"
            "         ...,\n"
            "         [  70,   71,   72,  ...,   77,   78,   79],\n"
            "         [  80,   81,   82,  ...,   87,   88,   89],\n"
            "         [  90,   91,   92,  ...,   97,   98,   99]],\n"
            "\n"
            "        [[ 100,  101,  102,  ...,  107,  108,  109],\n"
            "         [ 110,  111,  112,  ...,  117,  118,  119],\n"
            "         [ 120,  121,  122,  ...,  127,  128,  129],\n"
            "         ...,\n"
            "         [ 170,  171,  172,  ...,  177,  178,  179],\n"
            "         [ 180,  181,  182,  ...,  187,  188,  189],\n"
            "         [ 190,  191,  192,  ...,  197,  198,  199]],\n"
            "\n"
            "        [[ 200,  201,  202,  ...,  207,  208,  209],\n"
            "         [ 210,  211,  212,  ...,  217,  218,  219],\n"
            "         [ 220,  221,  222,  ...,  227,  228,  229],\n"
            "         ...,\n"
            "         [ 270,  271,  272,  ...,  277,  278,  279],\n"
            "         [ 280,  281,  282,  ...,  287,  288,  289],\n"
            "         [ 290,  291,  292,  ...,  297,  298,  299]],\n"
            "\n"
            "        ...,\n"
            "\n"
            "        [[1700, 1701, 1702,  ..., 1707, 1708, 1709],\n"
            "         [1710, 1711, 1712,  ..., 1717, 1718, 1719],\n"
            "         [1720, 1721, 1722,  ..., 1727, 1728, 1729],\n"
            "         ...,\n"
            "         [1770, 1771, 1772,  ..., 1777, 1778, 1779],\n"
            "         [1780, 1781, 1782,  ..., 1787, 1788, 1789],\n"
            "         [1790, 1791, 1792,  ..., 1797, 1798, 1799]],\n"
            "\n"
            "        [[1800, 1801, 1802,  ..., 1807, 1808, 1809],\n"
            "         [1810, 1811, 1812,  ..., 1817, 1818, 1819],\n"
            "         [1820, 1821, 1822,  ..., 1827, 1828, 1829],\n"
            "         ...,\n"
            "         [1870, 1871, 1872,  ..., 1877, 1878, 1879],\n"
            "         [1880, 1881, 1882,  ..., 1887, 1888, 1889],\n"
            "         [1890, 1891, 1892,  ..., 1897, 1898, 1899]],\n"
            "\n"
            "        [[1900, 1901, 1902,  ..., 1907, 1908, 1909],\n"
            "         [1910, 1911, 1912,  ..., 1917, 1918, 1919],\n"
            "         [1920, 1921, 1922,  ..., 1927, 1928, 1929],\n"
            "         ...,\n"
            "         [1970, 1971, 1972,  ..., 1977, 1978, 1979],\n"
            "         [1980, 1981, 1982,  ..., 1987, 1988, 1989],\n"
            "         [1990, 1991, 1992,  ..., 1997, 1998, 1999]]])"
        ),
        id="summarized_3d",
    ),
    pytest.param(
        np.linspace(-1, 1, 8).reshape(2, 4) * 1234.5,
        dict(),
        dict(),
        (
            "tensor([[-1234.5000,  -881.7857,  -529.0714,  -176.3571],\n"
            "        [  176.3571,   529.0714,   881.7857,  1234.5000]], dtype=numtorch.float64)"
        ),
        id="float64_suffix_wraps",
    ),
    pytest.param(
        np.linspace(-1, 1, 60).reshape(3, 4, 5),
        dict(),
        dict(),
        (
            "tensor([[[-1.0000, -0.9661, -0.9322, -0.8983, -0.8644],\n"
            "         [-0.8305, -0.7966, -0.7627, -0.7288, -0.6949],\n"
            "         [-0.6610, -0.6271, -0.5932, -0.5593, -0.5254],\n"
            "         [-0.4915, -0.4576, -0.4237, -0.3898, -0.3559]],\n"
            "\n"
            "        [[-0.3220, -0.2881, -0.2542, -0.2203, -0.1864],\n"
            "         [-0.1525, -0.1186, -0.0847, -0.0508, -0.0169],\n"
            "         [ 0.0169,  0.0508,  0.0847,  0.1186,  0.1525],\n"
            "         [ 0.1864,  0.2203,  0.2542,  0.2881,  0.3220]],\n"
            "\n"
            "        [[ 0.3559,  0.3898,  0.4237,  0.4576,  0.4915],\n"
            "         [ 0.5254,  0.5593,  0.5932,  0.6271,  0.6610],\n"
            "         [ 0.6949,  0.7288,  0.7627,  0.7966,  0.8305],\n"
            "         [ 0.8644,  0.8983,  0.9322,  0.9661,  1.0000]]], dtype=numtorch.float64)"
        ),
        id="float64_suffix_measured_as_torch",
    ),
    pytest.param(
        np.array([1.0, 2.5], np.float32),
        dict(),
        dict(sci_mode=True),
        "tensor([1.0000e+00, 2.5000e+00])",
        id="sci_forced_on",
    ),
    pytest.param(
        np.array([0.0, -0.0], np.float32),
        dict(),
        dict(sci_mode=True),
        "tensor([0., -0.])",
        id="sci_forced_on_zeros",
    ),
    pytest.param(
        np.array([1e-6, 1e9], np.float32),
        dict(),
        dict(sci_mode=False),
        "tensor([         0.0000, 1000000000.0000])",
        id="sci_forced_off",
    ),
    pytest.param(
        np.array([np.pi, -np.e]),
        dict(),
        dict(precision=2),
        "tensor([ 3.14, -2.72], dtype=numtorch.float64)",
        id="precision_2",
    ),
    pytest.param(
        np.arange(10, dtype=np.float32) / 3,
        dict(),
        dict(profile="short", threshold=5),
        "tensor([0.00, 0.33,  ..., 2.67, 3.00])",
        id="profile_short",
    ),
    pytest.param(
        np.arange(10),
        dict(),
        dict(threshold=5, edgeitems=0),
        "tensor([...], size=(10,))",
        id="edgeitems_0",
    ),
    pytest.param(
        np.arange(3),
        dict(),
        dict(edgeitems=0),
        "tensor([0, 1, 2], size=(3,))",
        id="edgeitems_0_small",
    ),
    pytest.param(
        np.array([[1.5, -2.0, 3.0], [4.0, 5.0, 6.0]]),
        dict(requires_grad=True),
        dict(linewidth=20),
        (
            "tensor([[ 1.5000,\n"
            "         -2.0000,\n"
            "          3.0000],\n"
            "        [ 4.0000,\n"
            "          5.0000,\n"
            "          6.0000]],\n"
            "       dtype=numtorch.float64,\n"
            "       requires_grad=True)"
        ),
        id="narrow_linewidth",
    ),
]


@pytest.mark.parametrize(("data", "attributes", "options", "expected"), LITERAL_CASES)
def test_literal(
    data: np.ndarray, attributes: dict[str, Any], options: dict[str, Any], expected: str
) -> None:
    _printing.set_printoptions(**options)
    tensor = Tensor(data, **attributes)
    assert _printing.tensor_repr(tensor) == expected
    assert repr(tensor) == expected


def test_float_vector_in_f_order_and_strided_views() -> None:
    data = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
    assert repr(Tensor(data.T[::-1])) == (
        "tensor([[0.5000, 1.2500],\n        [0.2500, 1.0000],\n        [0.0000, 0.7500]])"
    )


def test_device_suffix_comes_first() -> None:
    data = np.array([1.0, 2.0], np.float64)
    assert repr(Tensor(data, device="cuda:0", requires_grad=True)) == (
        "tensor([1., 2.], device='cuda:0', dtype=numtorch.float64, requires_grad=True)"
    )


def test_default_dtype_float64_changes_implied_dtypes() -> None:
    _dtype.set_default_dtype(_dtype.float64)
    assert repr(Tensor(np.array([1.0, 2.0]))) == "tensor([1., 2.])"
    assert repr(Tensor(np.array([1.0], np.float32))) == "tensor([1.], dtype=numtorch.float32)"
    assert repr(Tensor(np.array([1j]))) == "tensor([0.+1.j])"
    assert repr(Tensor(np.array([1j], np.complex64))) == (
        "tensor([0.+1.j], dtype=numtorch.complex64)"
    )
    assert repr(Tensor(np.zeros(0, np.float32))) == "tensor([], dtype=numtorch.float32)"


def test_tensor_contents_replaces_values_only() -> None:
    tensor = Tensor(np.zeros((0, 2), np.int8), requires_grad=True)
    assert _printing.tensor_repr(tensor, tensor_contents="custom") == (
        "tensor(custom, size=(0, 2), dtype=numtorch.int8, requires_grad=True)"
    )


def test_subclass_prints_its_class_name() -> None:
    class MyTensor(Tensor):
        pass

    class Parameter(Tensor):
        pass

    class MyParameter(Parameter):
        pass

    data = np.array([1.0, 2.0], np.float32)
    assert repr(MyTensor(data)) == "MyTensor([1., 2.])"
    assert repr(Parameter(data)) == "tensor([1., 2.])"
    assert repr(MyParameter(data)) == "Parameter(MyParameter([1., 2.]))"


def test_unreadable_grad_fn_prints_invalid() -> None:
    class BrokenView(Tensor):
        @property  # type: ignore[override]
        def grad_fn(self) -> object:
            raise RuntimeError("view modified in-place")

        @grad_fn.setter
        def grad_fn(self, value: object) -> None:
            pass

    text = _printing.tensor_repr(BrokenView(np.array([1.0], np.float32)))
    assert text == "BrokenView([1.], grad_fn=<Invalid>)"


def test_printoptions_round_trip() -> None:
    defaults = {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80}
    assert _printing.get_printoptions() == {**defaults, "sci_mode": None}
    _printing.set_printoptions(profile="full", sci_mode=True)
    assert _printing.get_printoptions() == {**defaults, "threshold": math.inf, "sci_mode": True}
    # sci_mode is reset by every call that does not pass it, as in PyTorch
    _printing.set_printoptions(precision=6)
    assert _printing.PRINT_OPTS.sci_mode is None
    assert _printing.PRINT_OPTS.precision == 6
    _printing.set_printoptions(profile="short")
    assert (_printing.PRINT_OPTS.precision, _printing.PRINT_OPTS.edgeitems) == (2, 2)
    _printing.set_printoptions(profile="default")
    with _printing.printoptions(precision=1, linewidth=40):
        assert repr(Tensor(np.array([0.25, 1.5]))).startswith("tensor([0.2, 1.5]")
    assert _printing.get_printoptions() == {**defaults, "sci_mode": None}


def test_full_profile_prints_every_element() -> None:
    _printing.set_printoptions(profile="full")
    text = repr(Tensor(np.arange(1500)))
    assert "..." not in text
    assert text.count(",") == 1499


def test_summarized_print_is_fast() -> None:
    data = np.random.default_rng(0).standard_normal((1000, 1000), dtype=np.float32)
    start = time.perf_counter()
    for _ in range(10):
        text = repr(Tensor(data))
    assert time.perf_counter() - start < 1.0
    assert text.count("\n") == 6 and "..." in text


def test_summarized_print_reads_only_edge_items() -> None:
    """A huge broadcast view would take gigabytes if anything copied or scanned all of it."""
    data = np.broadcast_to(np.float32(1.5), (100_000, 100_000))
    assert repr(Tensor(data)) == (
        "tensor([[1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n"
        "        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n"
        "        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n"
        "        ...,\n"
        "        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n"
        "        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000],\n"
        "        [1.5000, 1.5000, 1.5000,  ..., 1.5000, 1.5000, 1.5000]])"
    )


# ---------------------------------------------------------------------------------------------
# Comparisons with PyTorch

FLOAT_TYPES = (np.float16, np.float32, np.float64)
COMPLEX_TYPES = (np.complex64, np.complex128)
INT_TYPES = (np.uint8, np.int8, np.int16, np.int32, np.int64)
ALL_TYPES = (*FLOAT_TYPES, *COMPLEX_TYPES, *INT_TYPES, np.bool_)

# Float values that exercise each formatting mode: integer-valued ("1."), fixed point, mixed
# magnitudes (scientific), extreme float64 values, and the non-finite / signed-zero cases.
FLOAT_VALUES = st.one_of(
    st.integers(-1000, 1000).map(float),
    st.floats(-10, 10),
    st.builds(lambda m, e: m * 10.0**e, st.floats(-10, 10), st.integers(-12, 12)),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 1e300, -5e-324, 99999.5]),
)


@st.composite
def _arrays(draw: st.DrawFn, max_dims: int = 4, min_side: int = 0, max_side: int = 5) -> np.ndarray:
    np_type = draw(st.sampled_from(ALL_TYPES))
    shape = draw(
        hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side)
    )
    if np_type in FLOAT_TYPES or np_type in COMPLEX_TYPES:
        parts = [draw(hnp.arrays(np.float64, shape, elements=FLOAT_VALUES))]
        if np_type in COMPLEX_TYPES:
            parts.append(draw(hnp.arrays(np.float64, shape, elements=FLOAT_VALUES)))
        values = np.empty(shape, np.complex128 if len(parts) == 2 else np.float64)
        values.real = parts[0]
        if len(parts) == 2:
            values.imag = parts[1]
        with np.errstate(over="ignore"):  # large values become inf in float16/complex64
            data = values.astype(np_type)
    else:
        data = draw(hnp.arrays(np_type, shape))
    if data.ndim >= 2 and draw(st.booleans()):
        data = data.T  # tensor_repr must not assume C order
    return data


def _grad_kind(data: np.ndarray, draw: st.DrawFn) -> str | None:
    if data.dtype.kind not in "fc":
        return None
    return draw(st.sampled_from([None, "requires_grad", "grad_fn"]))


def _check_against_torch(torch: Any, data: np.ndarray, grad: str | None = None) -> None:
    reference = torch.from_numpy(data.copy())  # copy: torch needs positive strides
    tensor = Tensor(data)
    if grad == "requires_grad":
        reference.requires_grad_()
        tensor.requires_grad = True
    elif grad == "grad_fn":
        reference = reference.requires_grad_().clone()
        tensor.grad_fn = _grad_node(type(reference.grad_fn).__name__)
        tensor.requires_grad = True
    expected = repr(reference).replace("torch.", "numtorch.")
    assert repr(tensor) == expected


@contextlib.contextmanager
def _both_printoptions(torch: Any, **options: Any) -> Iterator[None]:
    """Same options on both sides; restored per Hypothesis example, not just per test."""
    torch.set_printoptions(**options)
    _printing.set_printoptions(**options)
    try:
        yield
    finally:
        torch.set_printoptions(profile="default")
        _printing.set_printoptions(profile="default")


# The autouse fixture only restores defaults once per test; each example restores its own.
EXAMPLES = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@EXAMPLES
@given(st.data())
def test_matches_torch_on_random_arrays(data: st.DataObject) -> None:
    torch = pytest.importorskip("torch")
    array = data.draw(_arrays())
    _check_against_torch(torch, array, _grad_kind(array, data.draw))


@EXAMPLES
@given(st.data())
def test_matches_torch_with_printoptions(data: st.DataObject) -> None:
    torch = pytest.importorskip("torch")
    array = data.draw(_arrays())
    options = {
        "precision": data.draw(st.integers(0, 8)),
        "threshold": data.draw(st.sampled_from([0, 1, 5, 20, 1000, math.inf])),
        "edgeitems": data.draw(st.integers(0, 4)),
        "linewidth": data.draw(st.integers(1, 120)),
        "sci_mode": data.draw(st.sampled_from([None, True, False])),
    }
    profile = data.draw(st.sampled_from([None, "default", "short", "full"]))
    if profile is not None:
        options = {"profile": profile, "sci_mode": options["sci_mode"]}
    with _both_printoptions(torch, **options):
        _check_against_torch(torch, array, _grad_kind(array, data.draw))


@EXAMPLES
@given(st.data())
def test_matches_torch_on_wide_and_large_arrays(data: st.DataObject) -> None:
    """Rows that wrap at the line width and tensors big enough to be summarized."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    shape = data.draw(
        st.sampled_from(
            [
                (1, 80),
                (3, 35),
                (2, 2, 50),
                (1001,),
                (2500,),
                (40, 30),
                (3, 20, 20),
                (2, 3, 13, 13),
                (1, 2000),
                (700, 2),
                (8, 8, 8, 8),
            ]
        )
    )
    np_type = data.draw(st.sampled_from(ALL_TYPES))
    scale = 10.0 ** data.draw(st.integers(-9, 9))
    values = rng.standard_normal(shape) * scale
    if data.draw(st.booleans()):
        values = np.round(values)
    if data.draw(st.booleans()):
        values.flat[rng.integers(0, values.size, 3)] = [math.nan, math.inf, -0.0]
    if np_type in COMPLEX_TYPES:
        values = values + 1j * rng.standard_normal(shape) * scale
    with np.errstate(over="ignore", invalid="ignore"):
        if np_type in INT_TYPES:
            info = np.iinfo(np_type)
            array = np.clip(np.nan_to_num(values), info.min, info.max).astype(np_type)
        elif np_type is np.bool_:
            array = values > 0
        else:
            array = values.astype(np_type)
    _check_against_torch(torch, array, _grad_kind(array, data.draw))


@pytest.mark.parametrize(
    "array",
    [
        np.array([1.0, 2.5]),
        np.array([1.0, 2.5], np.float32),
        np.array([1 + 1j, 2.5j]),
        np.array([1 + 1j, 2.5j], np.complex64),
        np.zeros(0),
        np.zeros((0, 2), np.float32),
        np.zeros(0, np.complex128),
        np.array(7.0),
        np.arange(4, dtype=np.int64),
    ],
)
def test_matches_torch_with_default_dtype_float64(array: np.ndarray) -> None:
    torch = pytest.importorskip("torch")
    torch.set_default_dtype(torch.float64)
    _dtype.set_default_dtype(_dtype.float64)
    _check_against_torch(torch, array)


def test_matches_torch_with_tensor_contents() -> None:
    torch = pytest.importorskip("torch")
    for array in (np.array([1.0, 2.0]), np.zeros((0, 2), np.int8), np.array(True)):
        expected = torch.Tensor.__repr__(torch.from_numpy(array.copy()), tensor_contents="x=1")
        actual = _printing.tensor_repr(Tensor(array), tensor_contents="x=1")
        assert actual == expected.replace("torch.", "numtorch.")


def test_matches_torch_on_subclass_prefix() -> None:
    torch = pytest.importorskip("torch")

    class MyTensor(torch.Tensor):
        pass

    class MyStandIn(Tensor):
        pass

    # same name length as the torch subclass, or the layout would differ
    MyStandIn.__name__ = "MyTensor"
    array = np.array([[1.5, -2.0], [3.0, 4.0]])
    expected = repr(torch.from_numpy(array).as_subclass(MyTensor))
    assert repr(MyStandIn(array)) == expected.replace("torch.", "numtorch.")


def test_format_of_a_scalar_tensor_is_its_number():
    # f"{loss}" prints the number, with or without a format spec, as PyTorch does
    import numtorch

    loss = numtorch.tensor(0.5, requires_grad=True) * 2
    assert f"{loss}" == "1.0" and f"{loss:.3f}" == "1.000"
    assert f"{numtorch.tensor(3)}" == "3" and f"{numtorch.tensor(True)}" == "True"
    assert f"{numtorch.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        f"{numtorch.tensor([1.0, 2.0]):.2f}"
    p = numtorch.nn.Parameter(numtorch.tensor(2.0))
    assert f"{p}" == str(p)  # a subclass formats as its repr
    with pytest.raises(TypeError, match="passed to Parameter.__format__"):
        f"{p:.2f}"
