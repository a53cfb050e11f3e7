"""dtype objects, the default dtype and PyTorch's type promotion (checked against torch when it
is installed, and against hard-coded expectations always)."""

from __future__ import annotations

import itertools
import math

import pytest

import numtorch

NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
OPS = ["add", "sub", "mul", "div"]
SCALARS = [True, 2, 2.5, 1j]


def _d(m, name):
    return getattr(m, name)


def _make(m, name, zero_dim):
    return m.ones((), dtype=_d(m, name)) if zero_dim else m.ones(2, dtype=_d(m, name))


def _result(m, op, a, b):
    try:
        return str(getattr(m, op)(a, b).dtype).split(".")[-1]
    except Exception as e:  # noqa: BLE001
        return type(e).__name__


def _torch_complex32(torch, op, a, b):
    """numtorch has no complex32 (ComplexHalf): skip what torch computes (or refuses) in it."""
    try:
        return getattr(torch, op)(a, b).dtype == torch.complex32
    except Exception as e:  # noqa: BLE001
        return "ComplexHalf" in str(e)


_INTS = {"uint8", "int8", "int16", "int32", "int64"}


def _known_elementwise_bug(op, a, b, za, zb, reverse=False):
    """Cases where torch itself refuses the op (subtraction with bool operands)."""
    return op == "sub" and ("bool" in (a, b) or b is True)


def test_dtype_attributes():
    torch = pytest.importorskip("torch")
    for name in NAMES:
        d, t = _d(numtorch, name), _d(torch, name)
        assert d.is_floating_point == t.is_floating_point, name
        assert d.is_complex == t.is_complex, name
        assert d.is_signed == t.is_signed, name
        assert d.itemsize == t.itemsize, name
        assert repr(d) == repr(t).replace("torch", "numtorch")


def test_dtype_attributes_hard_coded():
    f = numtorch
    assert f.float32.is_floating_point and not f.float32.is_complex and f.float32.itemsize == 4
    assert (
        f.complex64.is_complex and not f.complex64.is_floating_point and f.complex64.itemsize == 8
    )
    assert not f.uint8.is_signed and f.int8.is_signed and not f.bool.is_signed
    assert f.bool.itemsize == 1 and f.int64.itemsize == 8 and f.float16.itemsize == 2
    assert f.float is f.float32 and f.double is f.float64 and f.long is f.int64
    assert f.int is f.int32 and f.half is f.float16 and f.cfloat is f.complex64
    assert str(f.float32) == "numtorch.float32"


@pytest.mark.parametrize("op", OPS)
def test_binary_promotion_matrix_matches_torch(op):
    torch = pytest.importorskip("torch")
    checked = 0
    for a, b in itertools.product(NAMES, repeat=2):
        for za, zb in itertools.product((False, True), repeat=2):
            ta, tb = _make(torch, a, za), _make(torch, b, zb)
            if _torch_complex32(torch, op, ta, tb) or _known_elementwise_bug(op, a, b, za, zb):
                continue
            got = _result(numtorch, op, _make(numtorch, a, za), _make(numtorch, b, zb))
            assert got == _result(torch, op, ta, tb), (op, a, b, za, zb)
            assert numtorch.result_type(_make(numtorch, a, za), _make(numtorch, b, zb)) is _d(
                numtorch, str(torch.result_type(ta, tb)).split(".")[-1]
            )
            checked += 1
    for a, s in itertools.product(NAMES, SCALARS):
        for za in (False, True):
            ta, na = _make(torch, a, za), _make(numtorch, a, za)
            if _torch_complex32(torch, op, ta, s):
                continue
            if not _known_elementwise_bug(op, a, s, za, None):
                assert _result(numtorch, op, na, s) == _result(torch, op, ta, s), (op, a, s, za)
                checked += 1
            if not _known_elementwise_bug(op, a, s, za, None, reverse=True):
                assert _result(numtorch, op, s, na) == _result(torch, op, s, ta), (op, s, a, za)
                checked += 1
    assert checked > 400


def test_sub_with_bool_raises_like_torch():
    with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool tensor"):
        numtorch.ones(2, dtype=numtorch.bool) - numtorch.ones(2)


def test_python_scalar_plus_zero_dim_tensor():
    assert numtorch.add(2, numtorch.ones((), dtype=numtorch.int8)).dtype is numtorch.int8


def test_python_int_times_uint8_tensor():
    assert numtorch.mul(2, numtorch.ones(2, dtype=numtorch.uint8)).dtype is numtorch.uint8


def test_uint8_tensor_plus_large_python_int_wraps():
    assert (numtorch.ones(2, dtype=numtorch.uint8) + 1000).tolist() == [233, 233]


# (a, b, a is 0-d, b is 0-d or a Python scalar) -> result of a + b, recorded from torch 2.13
HARD_CODED = [
    ("int32", "int64", False, False, "int64"),
    ("int32", "int64", False, True, "int32"),
    ("int32", "float64", False, True, "float64"),
    ("float16", "float64", False, True, "float16"),
    ("uint8", "int8", False, False, "int16"),
    ("bool", "int8", False, True, "int8"),
    ("bool", "uint8", True, True, "uint8"),
    ("float32", "complex128", False, True, "complex64"),
    ("float64", "complex64", False, True, "complex128"),
    ("float64", "complex64", False, False, "complex128"),
    ("int64", "complex64", False, True, "complex64"),
    ("int8", 2.5, False, None, "float32"),
    ("bool", 2, False, None, "int64"),
    ("bool", True, False, None, "bool"),
    ("uint8", 100, False, None, "uint8"),
    ("int16", 1j, False, None, "complex64"),
    ("float64", 1j, False, None, "complex128"),
    ("float16", 2.5, False, None, "float16"),
    ("int64", 2.5, True, None, "float32"),
]


@pytest.mark.parametrize("a,b,za,zb,expected", HARD_CODED)
def test_promotion_hard_coded(a, b, za, zb, expected):
    x = _make(numtorch, a, za)
    y = b if zb is None else _make(numtorch, b, zb)
    assert str((x + y).dtype) == f"numtorch.{expected}"
    assert numtorch.result_type(x, y) is _d(numtorch, expected)


def test_uint8_tensor_plus_signed_zero_dim():
    out = numtorch.ones(2, dtype=numtorch.uint8) + numtorch.ones((), dtype=numtorch.int8)
    assert out.dtype is numtorch.uint8


def test_promote_types_and_can_cast_match_torch():
    torch = pytest.importorskip("torch")
    for a, b in itertools.product(NAMES, repeat=2):
        got = numtorch.promote_types(_d(numtorch, a), _d(numtorch, b))
        assert repr(got) == repr(torch.promote_types(_d(torch, a), _d(torch, b))).replace(
            "torch", "numtorch"
        )
        assert numtorch.can_cast(_d(numtorch, a), _d(numtorch, b)) == torch.can_cast(
            _d(torch, a), _d(torch, b)
        )


def test_promote_types_and_can_cast_hard_coded():
    n = numtorch
    assert n.promote_types(n.uint8, n.int8) is n.int16
    assert n.promote_types(n.float16, n.int64) is n.float16
    assert n.promote_types(n.complex64, n.float64) is n.complex128
    assert n.promote_types(n.bool, n.bool) is n.bool
    assert n.can_cast(n.int64, n.float16) and not n.can_cast(n.float32, n.int64)
    assert not n.can_cast(n.complex64, n.float64) and n.can_cast(n.bool, n.uint8)
    assert not n.can_cast(n.int8, n.bool)


def test_result_type_matches_torch():
    torch = pytest.importorskip("torch")
    for a, s in itertools.product(NAMES, SCALARS):
        for m_args in ((False,), (True,)):
            za = m_args[0]
            ta, na = _make(torch, a, za), _make(numtorch, a, za)
            if _torch_complex32(torch, "add", ta, s):
                continue
            assert repr(numtorch.result_type(na, s)) == repr(torch.result_type(ta, s)).replace(
                "torch", "numtorch"
            )


@pytest.fixture
def float64_default():
    old = numtorch.get_default_dtype()
    numtorch.set_default_dtype(numtorch.float64)
    yield
    numtorch.set_default_dtype(old)


def test_default_dtype_effects(float64_default):
    n = numtorch
    assert n.get_default_dtype() is n.float64
    assert n.tensor([1.5]).dtype is n.float64
    assert n.tensor(1.5).dtype is n.float64
    assert n.tensor([1j]).dtype is n.complex128
    assert n.arange(0.0, 1.0, 0.5).dtype is n.float64
    assert n.arange(3).dtype is n.int64
    assert n.zeros(2).dtype is n.float64
    assert n.Tensor([1, 2]).dtype is n.float64
    assert (n.tensor([1, 2]) * 2.5).dtype is n.float64
    assert n.full((2,), 1.5).dtype is n.float64
    assert n.linspace(0, 1, 3).dtype is n.float64
    assert n.rand(2).dtype is n.float64


def test_default_dtype_float32_effects():
    n = numtorch
    assert n.get_default_dtype() is n.float32
    assert n.tensor([1.5]).dtype is n.float32
    assert n.tensor([1j]).dtype is n.complex64
    assert n.Tensor([1]).dtype is n.float32
    assert (n.tensor([1, 2]) / 2).dtype is n.float32


def test_set_default_dtype_rejects_non_float():
    with pytest.raises(TypeError, match="only floating-point types are supported"):
        numtorch.set_default_dtype(numtorch.int64)
    assert numtorch.get_default_dtype() is numtorch.float32


def test_default_dtype_matches_torch(float64_default):
    torch = pytest.importorskip("torch")
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        for fn in (
            lambda m: m.tensor([1.5, 2]),
            lambda m: m.tensor([1, 2j]),
            lambda m: m.arange(0.5, 3),
            lambda m: m.tensor([1, 2], dtype=m.int32) * 1.5,
            lambda m: m.Tensor(2, 3),
            lambda m: m.ones(2) + m.tensor(1.0, dtype=m.float32),
        ):
            assert repr(fn(numtorch).dtype) == repr(fn(torch).dtype).replace("torch", "numtorch")
    finally:
        torch.set_default_dtype(old)


def test_finfo_and_iinfo():
    f32 = numtorch.finfo(numtorch.float32)
    assert f32.eps == 2.0**-23 and f32.bits == 32 and f32.dtype == "float32"
    assert numtorch.finfo() == f32 and numtorch.finfo(numtorch.complex128).dtype == "float64"
    assert repr(numtorch.finfo(numtorch.float16)) == (
        "finfo(resolution=0.001, min=-65504, max=65504, eps=0.000976562, "
        "smallest_normal=6.10352e-05, tiny=6.10352e-05, dtype=float16)"
    )
    assert numtorch.finfo(numtorch.bfloat16).eps == 0.0078125
    assert repr(numtorch.iinfo(numtorch.int8)) == "iinfo(min=-128, max=127, dtype=int8)"
    assert numtorch.iinfo(numtorch.uint8).max == 255 and numtorch.iinfo(numtorch.int64).bits == 64
    with pytest.raises(TypeError, match=r"^torch.finfo\(\) requires a floating point input"):
        numtorch.finfo(numtorch.int32)
    with pytest.raises(TypeError, match=r"^torch.iinfo\(\) requires an integer input type"):
        numtorch.iinfo(numtorch.float32)
    with pytest.raises(TypeError, match="is not supported by torch.iinfo"):
        numtorch.iinfo(numtorch.bool)
    assert math.isnan(numtorch.nan) and numtorch.inf == math.inf and numtorch.newaxis is None
    assert (numtorch.pi, numtorch.e) == (math.pi, math.e)


def test_finfo_and_iinfo_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("float16", "bfloat16", "float32", "float64", "complex64"):
        ours, theirs = numtorch.finfo(getattr(numtorch, name)), torch.finfo(getattr(torch, name))
        assert repr(ours) == repr(theirs)
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(ours, attr) == getattr(theirs, attr), (name, attr)
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        ours, theirs = numtorch.iinfo(getattr(numtorch, name)), torch.iinfo(getattr(torch, name))
        assert repr(ours) == repr(theirs) and (ours.min, ours.max, ours.bits) == (
            theirs.min,
            theirs.max,
            theirs.bits,
        )


def test_bfloat16_casts_say_numpy_has_no_such_type():
    # Tensor.bfloat16() and Module.bfloat16() exist (scripts call them) and raise to()'s error
    with pytest.raises(TypeError, match="bfloat16 is not supported: NumPy has no such type"):
        numtorch.ones(2).bfloat16()
    with pytest.raises(TypeError, match="bfloat16 is not supported: NumPy has no such type"):
        numtorch.nn.Linear(2, 2).bfloat16()
