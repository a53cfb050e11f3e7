"""numtorch.save / numtorch.load: round trips, the file format, torch interop, weights_only."""

from __future__ import annotations

import io
import os
import pathlib
import pickle
import pickletools
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import numtorch
from numtorch import serialization as S
from numtorch._tensor import make

try:
    import torch
except ImportError:  # the interop tests need PyTorch; the rest run without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]
DTYPES += ["complex64", "complex128"]


def roundtrip(obj, **load_kwargs):
    buf = io.BytesIO()
    S.save(obj, buf)
    buf.seek(0)
    return S.load(buf, **load_kwargs)


def sample(dtype: str, shape=(3, 4)):
    data = np.arange(int(np.prod(shape))).reshape(shape) % 7
    return numtorch.from_numpy(np.ascontiguousarray(data.astype(dtype)))


def same(a, b) -> bool:
    return (
        a.dtype == b.dtype
        and a.shape == b.shape
        and a.stride() == b.stride()
        and np.array_equal(a._data, b._data)
    )


def checkpoint(pkl: bytes, records: dict | None = None, prefix: str = "archive") -> bytes:
    """A zip checkpoint holding a hand-written data.pkl (and storage records)."""
    buf = io.BytesIO()
    S._write_zip(buf, prefix, [("data.pkl", pkl), *(records or {}).items()])
    return buf.getvalue()


def data_pkl(blob: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return zf.read([n for n in zf.namelist() if n.endswith("/data.pkl")][0])


def replace_pkl(blob: bytes, pkl: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        records = [(n.split("/", 1)[1], zf.read(n)) for n in zf.namelist()]
    return checkpoint(pkl, {n: d for n, d in records if n != "data.pkl"})


def load_bytes(blob: bytes, **kwargs):
    return S.load(io.BytesIO(blob), **kwargs)


# -- round trips ---------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_roundtrip_dtypes(dtype):
    t = sample(dtype)
    out = roundtrip(t)
    assert same(out, t)
    assert out._data.flags.writeable


@pytest.mark.parametrize(
    "make",
    [
        lambda a: a,
        lambda a: a[1:, 2:],
        lambda a: a.t(),
        lambda a: a[:, 1],
        lambda a: a[::2],
        lambda a: a[2, 3],
        lambda a: a.reshape(-1)[5:9],
        lambda a: a[:0],
        lambda a: a[0:1].expand(5, 4),
    ],
    ids=["whole", "slice", "t", "column", "step", "scalar", "flat", "empty", "expand"],
)
def test_views_keep_stride_offset_and_storage(make):
    base = sample("float32", (4, 4))
    view = make(base)
    whole, part = roundtrip([base, view])
    assert same(part, view)
    if view.numel():
        assert part.storage_offset() == view.storage_offset()
        assert np.shares_memory(part._data, whole._data)


def test_shared_storage_stays_shared():
    w = numtorch.arange(6.0)
    sd = OrderedDict(a=w, b=w[2:], c=w.view(2, 3))
    out = roundtrip(sd)
    assert isinstance(out, OrderedDict) and list(out) == ["a", "b", "c"]
    out["a"][3] = 100.0
    assert out["b"][1].item() == 100.0 and out["c"][1, 0].item() == 100.0
    assert out["b"].untyped_storage().data_ptr() == out["a"].untyped_storage().data_ptr()


def test_same_tensor_twice_is_one_object():
    t = numtorch.ones(2)
    a, b = roundtrip((t, t))
    assert a is b


def test_resaving_a_loaded_checkpoint_keeps_sharing():
    w = numtorch.arange(8.0)
    out = roundtrip(roundtrip({"w": w, "v": w[4:]}))
    assert np.shares_memory(out["w"]._data, out["v"]._data)
    assert out["v"].storage_offset() == 4


def test_nested_containers_numbers_strings():
    obj = {
        "int": 3,
        "big": 2**70,
        "float": 2.5,
        "complex": 1 + 2j,
        "str": "héllo",
        "none": None,
        "bool": True,
        "bytes": b"\x00\xff",
        "bytearray": bytearray(b"ab"),
        "tuple": (1, (2, [3, {"x": numtorch.zeros(1)}])),
        "set": {1, 2},
        "frozenset": frozenset({3}),
        "od": OrderedDict(b=1, a=2),
        "dtype": numtorch.float16,
        "size": numtorch.Size([2, 3]),
        "device": numtorch.device("cpu"),
    }
    out = roundtrip(obj)
    assert out["tuple"][1][1][1]["x"].shape == (1,)
    del out["tuple"], obj["tuple"]
    assert out == obj
    assert out["dtype"] is numtorch.float16 and type(out["size"]) is numtorch.Size


def test_requires_grad_survives_and_non_leaves_load_as_leaves():
    x = numtorch.ones(3, requires_grad=True)
    y = x * 2
    lx, ly = roundtrip([x, y])
    assert lx.requires_grad and lx.is_leaf
    assert ly.requires_grad and ly.is_leaf and ly.grad_fn is None
    assert np.array_equal(ly._data, [2, 2, 2])


def test_optimizer_like_state_dict():
    params = [numtorch.randn(3, 2), numtorch.randn(3)]
    state = {
        "state": {
            i: {"step": numtorch.tensor(5.0), "exp_avg": p * 0.1} for i, p in enumerate(params)
        },
        "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0, 1], "amsgrad": False}],
    }
    out = roundtrip(state)
    assert out["param_groups"] == state["param_groups"]
    assert same(out["state"][1]["exp_avg"], state["state"][1]["exp_avg"])


def test_paths_and_file_objects(tmp_path):
    t = numtorch.arange(4)
    S.save(t, tmp_path / "a.pt")
    S.save(t, str(tmp_path / "b.pt"))
    with open(tmp_path / "c.pt", "wb") as fp:
        S.save(t, fp)
    for name in "abc":
        assert same(S.load(tmp_path / f"{name}.pt"), t)
    with open(tmp_path / "c.pt", "rb") as fp:
        assert same(S.load(fp), t)


def test_unseekable_streams():
    class WriteOnly:
        def __init__(self):
            self.chunks = []

        def write(self, b):
            self.chunks.append(bytes(b))
            return len(b)

        def flush(self):
            pass

    sink = WriteOnly()
    S.save({"w": numtorch.ones(3)}, sink)
    blob = b"".join(sink.chunks)

    class ReadOnly(io.RawIOBase):
        def __init__(self, data):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, b):
            return self.inner.readinto(b)

    assert same(S.load(ReadOnly(blob))["w"], numtorch.ones(3))


def test_pickle_protocol_4_roundtrip():
    buf = io.BytesIO()
    S.save({"w": numtorch.ones(2), "s": {1}}, buf, pickle_protocol=4)
    buf.seek(0)
    out = S.load(buf)
    assert out["s"] == {1} and same(out["w"], numtorch.ones(2))


def test_mmap_is_copy_on_write(tmp_path):
    path = tmp_path / "m.pt"
    S.save({"w": numtorch.arange(5.0)}, path)
    mapped = S.load(path, mmap=True)["w"]
    mapped[0] = 42.0
    assert mapped[0].item() == 42.0
    assert S.load(path)["w"][0].item() == 0.0
    with pytest.raises(ValueError, match="file path"):
        S.load(io.BytesIO(path.read_bytes()), mmap=True)


def test_negative_strides_are_saved_as_a_copy():
    t = make(np.arange(5.0)[::-1])  # numtorch's own ops never make these; arrays can
    out = roundtrip(t)
    assert np.array_equal(out._data, [4, 3, 2, 1, 0])


def test_two_dtypes_over_one_buffer_is_refused_as_torch_does():
    raw = np.zeros(4, np.float32)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        S.save([numtorch.from_numpy(raw), numtorch.from_numpy(raw.view(np.int32))], io.BytesIO())


# -- the file format -------------------------------------------------------------------------------
def test_archive_layout_matches_torch():
    a = numtorch.arange(6.0)
    buf = io.BytesIO()
    S.save(OrderedDict(a=a, b=a[1:], c=numtorch.ones(2, dtype=numtorch.int64)), buf)
    blob = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        names = zf.namelist()
        assert names == [
            "archive/data.pkl",
            "archive/.format_version",
            "archive/.storage_alignment",
            "archive/byteorder",
            "archive/data/0",
            "archive/data/1",
            "archive/version",
            "archive/.data/serialization_id",
        ]
        assert zf.read("archive/version") == b"3\n"
        assert zf.read("archive/byteorder") == b"little"
        assert zf.read("archive/data/0") == np.arange(6, dtype="<f4").tobytes()
        for info in zf.infolist():
            assert info.compress_type == zipfile.ZIP_STORED
            assert S._data_start(blob, info) % 64 == 0
        pkl = zf.read("archive/data.pkl")
    ops = list(pickletools.genops(pkl))
    assert ops[0][0].name == "PROTO" and ops[0][1] == 2
    globals_ = {arg for op, arg, _ in ops if op.name == "GLOBAL"}
    assert globals_ == {
        "collections OrderedDict",
        "torch._utils _rebuild_tensor_v2",
        "torch FloatStorage",
        "torch LongStorage",
    }


def test_archive_is_named_after_the_file(tmp_path):
    S.save(numtorch.ones(1), tmp_path / "model.pth")
    with zipfile.ZipFile(tmp_path / "model.pth") as zf:
        assert zf.namelist()[0] == "model/data.pkl"


# -- interop with PyTorch --------------------------------------------------------------------------
@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_loads_numtorch_files(dtype):
    base = sample(dtype, (4, 5))
    obj = {"base": base, "view": base[1:, ::2], "t": base.t(), "n": 1, "s": "x"}
    buf = io.BytesIO()
    S.save(obj, buf)
    buf.seek(0)
    out = torch.load(buf, weights_only=True)
    for key in ("base", "view", "t"):
        ours, theirs = obj[key], out[key]
        assert str(theirs.dtype) == f"torch.{dtype}"
        assert tuple(theirs.shape) == ours.shape and theirs.stride() == ours.stride()
        assert theirs.storage_offset() == ours.storage_offset()
        assert np.array_equal(theirs.numpy(), ours._data)
    assert out["view"].untyped_storage().data_ptr() == out["base"].untyped_storage().data_ptr()


@needs_torch
@pytest.mark.parametrize("dtype", DTYPES)
def test_numtorch_loads_torch_files(dtype):
    base = torch.from_numpy(sample(dtype, (4, 5))._data.copy())
    obj = {"base": base, "view": base[1:, ::2], "t": base.t(), "e": base[:1].expand(3, 5)}
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    out = S.load(buf)
    for key in obj:
        theirs, ours = obj[key], out[key]
        assert str(ours.dtype) == f"numtorch.{dtype}"
        assert ours.shape == tuple(theirs.shape) and ours.stride() == theirs.stride()
        assert ours.storage_offset() == theirs.storage_offset()
        assert np.array_equal(ours._data, theirs.numpy())
    assert np.shares_memory(out["view"]._data, out["base"]._data)


@needs_torch
def test_numtorch_loads_torch_module_and_optimizer_state():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 3)).sum().backward()
    opt.step()
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "p": model[0].weight}, buf)
    buf.seek(0)
    out = S.load(buf)
    sd = out["model"]
    assert isinstance(sd, OrderedDict) and list(sd) == list(model.state_dict())
    assert sd._metadata[""] == {"version": 1}  # nn.Module's state dict metadata (a BUILD)
    for key, value in model.state_dict().items():
        assert np.array_equal(sd[key]._data, value.numpy())
    assert out["opt"]["param_groups"][0]["lr"] == 0.01
    assert np.array_equal(
        out["opt"]["state"][0]["exp_avg"]._data, opt.state[model[0].weight]["exp_avg"].numpy()
    )
    assert out["p"].requires_grad and np.array_equal(
        out["p"]._data, model[0].weight.detach().numpy()
    )


@needs_torch
def test_torch_loads_numtorch_parameters():
    if not hasattr(numtorch, "nn"):
        pytest.skip("numtorch.nn is not there yet")
    p = numtorch.nn.Parameter(numtorch.ones(2, 3))
    buf = io.BytesIO()
    S.save({"p": p}, buf)
    buf.seek(0)
    out = torch.load(buf)
    assert isinstance(out["p"], torch.nn.Parameter) and out["p"].shape == (2, 3)
    buf.seek(0)
    back = S.load(buf)["p"]
    assert isinstance(back, numtorch.nn.Parameter) and back.requires_grad


@needs_torch
def test_torch_files_of_other_protocols_and_dtypes():
    buf = io.BytesIO()
    torch.save({"x": torch.arange(3), "b": b"raw"}, buf, pickle_protocol=4)
    buf.seek(0)
    out = S.load(buf)
    assert out["b"] == b"raw" and np.array_equal(out["x"]._data, [0, 1, 2])
    buf = io.BytesIO()
    torch.save(torch.ones(2, dtype=torch.bfloat16), buf)
    buf.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="BFloat16Storage"):
        S.load(buf)


@needs_torch
def test_torch_legacy_format_gives_a_clear_error():
    buf = io.BytesIO()
    torch.save(torch.ones(2), buf, _use_new_zipfile_serialization=False)
    buf.seek(0)
    with pytest.raises(RuntimeError, match="legacy"):
        S.load(buf)


@needs_torch
def test_weights_only_false_maps_torch_names():
    buf = io.BytesIO()
    torch.save({"size": torch.Size([2]), "dt": torch.float64, "dev": torch.device("cpu")}, buf)
    buf.seek(0)
    out = S.load(buf, weights_only=False)
    assert out == {
        "size": numtorch.Size([2]),
        "dt": numtorch.float64,
        "dev": numtorch.device("cpu"),
    }


# -- map_location ----------------------------------------------------------------------------------
def cuda_checkpoint() -> bytes:
    buf = io.BytesIO()
    S.save({"w": numtorch.ones(2)}, buf)
    blob = buf.getvalue()
    pkl = data_pkl(blob).replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
    return replace_pkl(blob, pkl)


@pytest.mark.parametrize(
    "map_location",
    ["cpu", numtorch.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage],
    ids=["str", "device", "dict", "callable"],
)
def test_map_location_to_cpu(map_location):
    out = load_bytes(cuda_checkpoint(), map_location=map_location)
    assert same(out["w"], numtorch.ones(2))


def test_cuda_storages_need_a_map_location():
    with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
        load_bytes(cuda_checkpoint())
    with pytest.raises(RuntimeError, match="only place storages on the CPU"):
        roundtrip(numtorch.ones(1), map_location="cuda:1")


# -- weights_only ----------------------------------------------------------------------------------
class Payload:
    """Unpickling this calls os.system: the canonical hostile checkpoint."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f"touch {self.path}",))


class Point:
    def __init__(self, x=0):
        self.x = x

    def __eq__(self, other):
        return type(other) is Point and other.x == self.x


def test_hostile_global_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    S.save({"w": numtorch.ones(1), "evil": Payload(marker)}, buf)
    with pytest.raises(pickle.UnpicklingError) as info:
        load_bytes(buf.getvalue())
    message = str(info.value)
    assert "Weights only load failed" in message
    assert "Unsupported global: GLOBAL posix.system" in message or "GLOBAL os.system" in message
    assert not marker.exists()
    with pytest.raises(pickle.UnpicklingError):
        load_bytes(buf.getvalue(), weights_only=True)
    assert not marker.exists()


def test_weights_only_false_runs_the_pickle(tmp_path):
    marker = tmp_path / "ran"
    buf = io.BytesIO()
    S.save([Point(3), Payload(marker)], buf)
    out = load_bytes(buf.getvalue(), weights_only=False)
    assert out[0] == Point(3) and marker.exists()


def test_safe_globals_allow_user_classes():
    buf = io.BytesIO()
    S.save({"p": Point(4)}, buf)
    with pytest.raises(pickle.UnpicklingError, match="Point"):
        load_bytes(buf.getvalue())
    with S.safe_globals([Point]):
        assert load_bytes(buf.getvalue()) == {"p": Point(4)}
        assert Point in S.get_safe_globals()
    assert Point not in S.get_safe_globals()


@pytest.mark.parametrize(
    "pkl, match",
    [
        (b"\x80\x02cbuiltins\neval\nX\x04\x00\x00\x001+1q\x00\x85R.", "builtins.eval"),
        (b"\x80\x02c__builtin__\ngetattr\n.", "builtins.getattr"),
        (b"\x80\x02cnumpy\nndarray\n.", "numpy.ndarray"),
        (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)R.", "truncated|Trying|corrupted"),
        (b"\x80\x02ccollections\nOrderedDict\n}b.", "BUILD|build"),
        (b"\x80\x02}q\x00}b.", "build"),
        (b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00\x40\x85R.", "bytearray"),
        (b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00xX\x04\x00\x00\x00zlib\x86R.", "bytes"),
        (b"\x80\x02X\x03\x00\x00\x00abcQ.", "persistent"),
        (b"\x80\x02)}a.", "append"),
        (b"\x80\x02]K\x01K\x02s.", "set items"),
        (b"\x80\x02h\x05.", "corrupted"),
        (b"\x80\x02X\xff\xff\xff\x7f.", "truncated"),
        (b"\x80\x02\xff.", "Unsupported operand"),
        (b"\x80\x02c" + b"a" * 300, "truncated"),
        (b"\x80\x02(ccollections\nOrderedDict\n)R}(X\x04\x00\x00\x00keysK\x01ub.", "keys"),
    ],
    ids=[
        "eval",
        "getattr",
        "ndarray",
        "no-args",
        "build-class",
        "build-dict",
        "bytearray-size",
        "codec",
        "persid",
        "append-tuple",
        "setitem-list",
        "bad-memo",
        "long-str",
        "bad-op",
        "long-line",
        "shadow-method",
    ],
)
def test_hostile_pickles(pkl, match):
    with pytest.raises(pickle.UnpicklingError, match=match):
        load_bytes(checkpoint(pkl))


def test_storage_checks():
    storage = (
        b"(X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
        b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ"
    )

    def tensor(offset: int, size: int, stride: int) -> bytes:
        return (
            b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n("
            + storage
            + bytes([75, offset, 75, size, 0x85, 75, stride, 0x85])
            + b"\x89ccollections\nOrderedDict\n)Rtq\x00R."
        )

    records = {"data/0": np.arange(4, dtype="<f4").tobytes()}
    assert np.array_equal(load_bytes(checkpoint(tensor(1, 3, 1), records))._data, [1, 2, 3])
    with pytest.raises(pickle.UnpicklingError, match="reaches element"):
        load_bytes(checkpoint(tensor(1, 4, 1), records))
    with pytest.raises(pickle.UnpicklingError, match="reaches element"):
        load_bytes(checkpoint(tensor(0, 3, 2), records))
    with pytest.raises(RuntimeError, match="holds 8 bytes"):
        load_bytes(checkpoint(tensor(0, 1, 1), {"data/0": b"\x00" * 8}))
    with pytest.raises(RuntimeError, match="data/0"):
        load_bytes(checkpoint(tensor(0, 1, 1)))


# -- what is not a checkpoint ----------------------------------------------------------------------
def good_blob() -> bytes:
    buf = io.BytesIO()
    S.save({"w": numtorch.arange(10.0), "b": numtorch.ones(3)}, buf)
    return buf.getvalue()


@pytest.mark.parametrize(
    "blob, error, match",
    [
        (b"", RuntimeError, "empty"),
        (b"hello world, not a checkpoint", pickle.UnpicklingError, "not a PyTorch checkpoint"),
        (pickle.dumps({"a": 1}, protocol=2), pickle.UnpicklingError, "bare pickle"),
        (b"\x10\x00\x00\x00\x00\x00\x00\x00{}", RuntimeError, "safetensors"),
        (b"PK\x03\x04" + b"\x00" * 100, RuntimeError, "zip archive"),
    ],
    ids=["empty", "text", "pickle", "safetensors", "bad-zip"],
)
def test_wrong_formats(blob, error, match):
    with pytest.raises(error, match=match):
        load_bytes(blob)


def test_zip_without_data_pkl():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("notes.txt", "hi")
    with pytest.raises(RuntimeError, match="data.pkl"):
        load_bytes(buf.getvalue())


@pytest.mark.parametrize("cut", [0.1, 0.5, 0.9, 0.99])
def test_truncated_files(cut):
    blob = good_blob()
    with pytest.raises((RuntimeError, pickle.UnpicklingError)):
        load_bytes(blob[: int(len(blob) * cut)])


def test_flipped_storage_byte_fails_the_crc():
    blob = bytearray(good_blob())
    with zipfile.ZipFile(io.BytesIO(bytes(blob))) as zf:
        info = zf.getinfo("archive/data/0")
    blob[S._data_start(blob, info) + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match="CRC"):
        load_bytes(bytes(blob))


def test_compressed_records_are_refused():
    blob = good_blob()
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        records = [(n, zf.read(n)) for n in zf.namelist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in records:
            zf.writestr(name, data)
    with pytest.raises(RuntimeError, match="compressed"):
        load_bytes(buf.getvalue())


def test_unsupported_arguments():
    with pytest.raises(NotImplementedError):
        S.save(numtorch.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)
    with pytest.raises(TypeError):
        S.save(numtorch.bfloat16, io.BytesIO())


def test_paths_are_pathlike(tmp_path):
    path = pathlib.Path(tmp_path) / "x.pt"
    S.save([1, 2], path)
    assert S.load(path) == [1, 2]
