"""Interop: DLPack, the NumPy array protocols, and safetensors files."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

import numtorch
from numtorch import _dlpack
from numtorch import _safetensors as st
from numtorch._tensor import Tensor, make

try:
    import torch
except ImportError:
    torch = None
try:
    import safetensors.numpy as st_numpy
except ImportError:
    st_numpy = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")
needs_safetensors = pytest.mark.skipif(st_numpy is None, reason="safetensors is not installed")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
DTYPES += ["complex64", "complex128"]


def sample(dtype: str, shape=(3, 4)) -> Tensor:
    data = np.arange(int(np.prod(shape))).reshape(shape) % 5
    return numtorch.from_numpy(np.ascontiguousarray(data.astype(dtype)))


# -- DLPack ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_from_dlpack_shares_memory(dtype):
    t = sample(dtype)
    a = np.from_dlpack(t)
    assert a.dtype == t._data.dtype and np.shares_memory(a, t._data)
    t2 = _dlpack.from_dlpack(a)
    assert np.shares_memory(t2._data, a) and t2.dtype == t.dtype


def test_dlpack_keeps_strides_and_writes_through():
    t = numtorch.arange(12.0).reshape(3, 4).t()[1:]
    a = np.from_dlpack(t)
    assert a.strides == t._data.strides
    a[0, 0] = -1.0
    assert t[0, 0].item() == -1.0
    back = _dlpack.from_dlpack(np.arange(10.0)[::3])
    assert back.stride() == (3,) and back.tolist() == [0.0, 3.0, 6.0, 9.0]


def test_dlpack_device_and_errors():
    t = numtorch.ones(2)
    assert t.__dlpack_device__() == (1, 0)
    assert t.__dlpack_device__()[0] is _dlpack.DLDeviceType.kDLCPU
    with pytest.raises(BufferError, match="require gradient"):
        np.from_dlpack(numtorch.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match="stream"):
        t.__dlpack__(stream="0")
    with pytest.raises(AssertionError, match="stream should be None on cpu"):
        t.__dlpack__(stream=3)
    assert t.__dlpack__(stream=-1) is not None
    with pytest.raises(TypeError, match="__dlpack__"):
        _dlpack.from_dlpack([1, 2])
    with pytest.raises(RuntimeError, match="CPU"):
        _dlpack.from_dlpack(np.ones(2), device="cuda")
    with pytest.raises(TypeError, match="uint16"):
        _dlpack.from_dlpack(np.ones(2, np.uint16))


def test_dlpack_copy_argument():
    a = np.zeros(3)
    copied = _dlpack.from_dlpack(a, copy=True)
    assert not np.shares_memory(copied._data, a)
    assert np.shares_memory(_dlpack.from_dlpack(a, copy=False)._data, a)
    b = np.from_dlpack(numtorch.ones(2), copy=True)
    assert b.tolist() == [1.0, 1.0]


def test_capsules_both_ways():
    t = numtorch.arange(3)
    back = _dlpack.from_dlpack(_dlpack.to_dlpack(t))
    assert np.shares_memory(back._data, t._data)


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_dlpack_both_ways(dtype):
    t = sample(dtype)
    tt = torch.from_dlpack(t)
    assert str(tt.dtype) == f"torch.{dtype}" and tt.data_ptr() == t.data_ptr()
    x = torch.from_numpy(sample(dtype)._data.copy())
    ours = _dlpack.from_dlpack(x)
    assert ours.data_ptr() == x.data_ptr() and str(ours.dtype) == f"numtorch.{dtype}"


@needs_torch
def test_torch_capsules_and_views():
    x = torch.arange(12.0).reshape(3, 4).t()
    ours = _dlpack.from_dlpack(x)
    ours[0, 0] = 42.0
    assert x[0, 0].item() == 42.0
    # a bare capsule is DLPack 0.x, which has no read-only flag: NumPy maps it read-only
    legacy = _dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(x))
    assert legacy.stride() == x.stride() and legacy.data_ptr() == x.data_ptr()
    theirs = torch.utils.dlpack.from_dlpack(_dlpack.to_dlpack(numtorch.ones(2)))
    assert theirs.tolist() == [1.0, 1.0]
    with pytest.raises((RuntimeError, BufferError, TypeError)):
        _dlpack.from_dlpack(torch.ones(2, dtype=torch.bfloat16))


# -- NumPy protocols -------------------------------------------------------------------------------
_NO_COPY = (
    "Unable to avoid copy while creating an array as requested.\nIf using `np.array(obj, "
    "copy=False)` replace it with `np.asarray(obj)` to allow a copy when needed (no behavior "
    "change in NumPy 1.x).\nFor more details, see "
    "https://numpy.org/devdocs/numpy_2_0_migration_guide.html#adapting-to-changes-in-the-copy-"
    "keyword."
)


def _proposed_array(self, dtype=None, copy=None):  # the patch proposed for _tensor.py
    if self._requires_grad:
        self.numpy()  # raises PyTorch's error
    data = self._data
    if dtype is not None and data.dtype != dtype:
        if copy is False:
            raise ValueError(_NO_COPY)
        return data.astype(dtype)
    return data.copy() if copy else data


def _proposed_array_wrap(self, array, context=None, return_scalar=False):
    return make(np.asarray(array))


@pytest.fixture
def protocols(monkeypatch):
    """Tensor with the NumPy protocols of the proposed _tensor.py patch (no-op once landed)."""
    try:
        np.array(numtorch.ones(1), dtype=np.float64, copy=False)
    except ValueError:
        pass
    else:
        monkeypatch.setattr(Tensor, "__array__", _proposed_array)
    if not hasattr(Tensor, "__array_wrap__"):
        monkeypatch.setattr(Tensor, "__array_wrap__", _proposed_array_wrap, raising=False)


def test_asarray_shares_memory(protocols):
    t = numtorch.arange(4.0)
    a = np.asarray(t)
    assert np.shares_memory(a, t._data)
    assert np.shares_memory(np.array(t, copy=False), t._data)
    assert not np.shares_memory(np.array(t), t._data)
    assert not np.shares_memory(np.array(t, copy=True), t._data)
    assert np.asarray(t, dtype=np.float64).dtype == np.float64


def test_copy_false_when_a_copy_is_needed(protocols):
    t = numtorch.arange(4.0)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.array(t, dtype=np.float64, copy=False)
    with pytest.raises(ValueError, match="Unable to avoid copy"):
        np.asarray(t, dtype=np.int64, copy=False)


def test_requires_grad_refuses_numpy(protocols):
    t = numtorch.ones(2, requires_grad=True)
    message = (
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
    )
    for convert in (np.asarray, np.array, lambda x: np.array(x, copy=True)):
        with pytest.raises(RuntimeError) as info:
            convert(t)
        assert str(info.value) == message
    assert np.shares_memory(np.asarray(t.detach()), t._data)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**", "<", "==", "//"])
def test_ndarray_op_tensor_gives_a_tensor(op):
    # NumPy 2 honours Tensor.__array_priority__ for binary operators: ndarray.__add__ returns
    # NotImplemented and Python calls Tensor.__radd__, so no __array_ufunc__ is needed
    scope = {
        "a": np.arange(1.0, 5.0, dtype=np.float32).reshape(2, 2),
        "t": numtorch.full((2, 2), 2.0),
    }
    out = eval(f"a {op} t", scope)
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out._data, eval(f"a {op} t._data", scope))


def test_ndarray_scalars_with_tensors_give_tensors():
    t = numtorch.ones(2)
    assert isinstance(np.float32(2) * t, Tensor) and isinstance(t * np.float64(2), Tensor)
    assert (np.float64(2.0) * t).dtype == numtorch.float32  # a NumPy scalar counts as a scalar


def test_ufuncs_on_tensors_give_tensors(protocols):
    t = numtorch.tensor([0.0, 1.0])
    out = np.sin(t)
    assert isinstance(out, Tensor) and np.allclose(out._data, np.sin([0.0, 1.0]))
    assert isinstance(np.add(np.ones(2, np.float32), t), Tensor)


# -- safetensors -----------------------------------------------------------------------------------
ST_DTYPES = [d for d in DTYPES if d != "complex128"]


def test_safetensors_roundtrip_all_dtypes(tmp_path):
    tensors = {f"t_{d}": sample(d, (2, 3)) for d in ST_DTYPES}
    tensors["scalar"] = numtorch.tensor(3.0)
    tensors["empty"] = numtorch.zeros(0, 4)
    path = tmp_path / "m.safetensors"
    st.save_file(tensors, path, metadata={"format": "pt"})
    out = st.load_file(path)
    assert set(out) == set(tensors)
    for name, t in tensors.items():
        assert out[name].dtype == t.dtype and out[name].shape == t.shape
        assert np.array_equal(out[name]._data, t._data)
        assert out[name]._data.flags.writeable and out[name]._data.flags.aligned
    blob = path.read_bytes()
    n = int.from_bytes(blob[:8], "little")
    assert n % 8 == 0 and json.loads(blob[8 : 8 + n])["__metadata__"] == {"format": "pt"}
    assert st.load(st.save(tensors)).keys() == tensors.keys()


def test_safetensors_refuses_what_the_format_cannot_hold():
    with pytest.raises(ValueError, match="non contiguous"):
        st.save({"a": numtorch.ones(2, 3).t()})
    w = numtorch.ones(4)
    with pytest.raises(RuntimeError, match="share memory"):
        st.save({"a": w, "b": w[2:]})
    with pytest.raises(ValueError, match="expected torch.Tensor"):
        st.save({"a": np.ones(2)})
    with pytest.raises(st.SafetensorError, match="complex128"):
        st.save({"a": numtorch.ones(2, dtype=numtorch.complex128)})
    with pytest.raises(st.SafetensorError, match="metadata"):
        st.save({"a": numtorch.ones(1)}, metadata={"k": 1})
    with pytest.raises(RuntimeError, match="CPU"):
        st.load_file("unused.safetensors", device="cuda")


def _blob(header: dict, body: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + body


@pytest.mark.parametrize(
    "blob, match",
    [
        (b"\x01\x00", "HeaderTooSmall"),
        ((2**40).to_bytes(8, "little"), "HeaderTooLarge"),
        ((100).to_bytes(8, "little") + b"{}", "InvalidHeaderLength"),
        ((2).to_bytes(8, "little") + b"[]", "InvalidHeaderStart"),
        ((3).to_bytes(8, "little") + b"{x}", "InvalidHeaderDeserialization"),
        (
            _blob({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4),
            "TensorInvalidInfo",
        ),
        (
            _blob({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 8),
            "Incomplete",
        ),
        (
            _blob({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, b"\0" * 8),
            "InvalidOffset",
        ),
        (
            _blob({"a": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}, b"\0" * 2),
            "bfloat16",
        ),
        (_blob({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4), "shape"),
        (_blob({"a": {"dtype": "F32", "shape": [1]}}, b"\0" * 4), "bad entry"),
        (_blob({"__metadata__": {"k": 1}}), "__metadata__"),
    ],
    ids=[
        "short",
        "huge-header",
        "header-past-end",
        "not-object",
        "bad-json",
        "size-mismatch",
        "incomplete",
        "gap",
        "bf16",
        "negative",
        "missing-key",
        "metadata",
    ],
)
def test_malformed_safetensors(blob, match):
    with pytest.raises(st.SafetensorError, match=match):
        st.load(blob)


@needs_safetensors
def test_files_are_byte_identical_to_the_reference():
    arrays = {
        "weight": np.arange(12, dtype=np.float32).reshape(3, 4),
        "bias": np.ones(4, np.float64),
        "ids": np.array([1, 2, 3], np.int64),
        "mask": np.array([True, False]),
        "half": np.ones((2, 2), np.float16),
        "z": np.array([1 + 2j], np.complex64),
    }
    ours = st.save({k: numtorch.from_numpy(v) for k, v in arrays.items()}, metadata={"a": "b"})
    assert ours == st_numpy.save(arrays, metadata={"a": "b"})


@needs_safetensors
def test_reference_reads_ours_and_we_read_theirs(tmp_path):
    arrays = {f"x{d}": sample(d, (2, 2))._data.copy() for d in ST_DTYPES}
    st_numpy.save_file(arrays, tmp_path / "theirs.safetensors")
    out = st.load_file(tmp_path / "theirs.safetensors")
    for k, v in arrays.items():
        assert np.array_equal(out[k]._data, v) and out[k]._data.dtype == v.dtype
    st.save_file({k: make(v) for k, v in arrays.items()}, tmp_path / "ours.safetensors")
    back = st_numpy.load_file(str(tmp_path / "ours.safetensors"))
    for k, v in arrays.items():
        assert np.array_equal(back[k], v)


def test_load_is_not_confused_with_torch_checkpoints():
    from numtorch import serialization

    with pytest.raises(RuntimeError, match="safetensors"):
        serialization.load(io.BytesIO(st.save({"a": numtorch.ones(1)})))
