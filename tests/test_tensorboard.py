"""numtorch.utils.tensorboard: event files written with NumPy and the standard library only.

Everything written is read back by a small TFRecord/protobuf/PNG reader defined here (independent
of the package: its CRC-32C is bit-by-bit, not table-driven). When the ``tensorboard`` package is
importable, TensorBoard's own ``EventAccumulator`` and generated protos read the files as well.
"""

from __future__ import annotations

import doctest
import gc
import glob
import io
import os
import pathlib
import re
import socket
import struct
import subprocess
import sys
import wave
import zlib
from typing import Any

import numpy as np
import pytest

import numtorch
import numtorch.utils.tensorboard as tb
from numtorch.utils.tensorboard import SummaryWriter, _crc32c, _png, _proto, _summary
from numtorch.utils.tensorboard import writer as writer_module
from numtorch.utils.tensorboard._crc32c import crc32c, encode_record, masked_crc32c

# --- an independent reader ---------------------------------------------------------------------


def _crc32c_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    c = _crc32c_bitwise(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path: str | os.PathLike[str]) -> list[bytes]:
    """Split a TFRecord file, checking both masked CRCs of every record."""
    buf = pathlib.Path(path).read_bytes()
    out, pos = [], 0
    while pos < len(buf):
        header = buf[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (len_crc,) = struct.unpack("<I", buf[pos + 8 : pos + 12])
        assert len_crc == _masked(header), "length CRC mismatch"
        data = buf[pos + 12 : pos + 12 + length]
        (data_crc,) = struct.unpack("<I", buf[pos + 12 + length : pos + 16 + length])
        assert data_crc == _masked(data), "data CRC mismatch"
        out.append(data)
        pos += 16 + length
    assert pos == len(buf)
    return out


def parse(buf: bytes) -> dict[int, list]:
    """Protobuf wire format -> {field: [values]}; varints as int, fixed64/fixed32 and
    length-delimited fields as raw bytes."""
    fields: dict[int, list] = {}
    pos = 0

    def varint() -> int:
        nonlocal pos
        shift = result = 0
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    while pos < len(buf):
        key = varint()
        field, wire = key >> 3, key & 7
        if wire == 0:
            value: object = varint()
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            n = varint()
            value, pos = buf[pos : pos + n], pos + n
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        fields.setdefault(field, []).append(value)
    assert pos == len(buf)
    return fields


def one(fields: dict[int, list], field: int, default: Any = None) -> Any:
    vals = fields.get(field, [])
    assert len(vals) <= 1, f"field {field} repeated"
    return vals[0] if vals else default


def as_double(b: Any) -> float:
    return 0.0 if b is None else struct.unpack("<d", b)[0]


def as_float(b: Any) -> float:
    return struct.unpack("<f", b)[0]


def doubles(b: Any) -> list[float]:
    b = b or b""
    return list(struct.unpack(f"<{len(b) // 8}d", b))


def floats(b: Any) -> list[float]:
    b = b or b""
    return list(struct.unpack(f"<{len(b) // 4}f", b))


def varints(b: Any) -> list[int]:
    """A packed repeated int64 field, as signed integers."""
    out, shift, acc = [], 0, 0
    for byte in b or b"":
        acc |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            out.append(acc - (1 << 64) if acc >= 1 << 63 else acc)
            shift = acc = 0
    return out


def event_files(logdir: str | os.PathLike[str]) -> list[str]:
    return sorted(glob.glob(os.path.join(logdir, "events.out.tfevents.*")))


def load_events(logdir: str | os.PathLike[str]) -> list[dict]:
    """Events of the single event file in ``logdir``."""
    (path,) = event_files(logdir)
    return read_events(path)


def read_events(path: str | os.PathLike[str]) -> list[dict]:
    """Each event as wall_time, step, and whatever is set of file_version, summary values (each
    parsed) and session_log."""
    events = []
    for rec in read_records(path):
        f = parse(rec)
        ev: dict = {"wall_time": as_double(one(f, 1)), "step": one(f, 2, 0)}
        if 3 in f:
            ev["file_version"] = one(f, 3).decode()
        if 5 in f:
            ev["values"] = [parse(v) for v in parse(one(f, 5)).get(1, [])]
        if 7 in f:
            ev["session_log"] = parse(one(f, 7))
        events.append(ev)
    return events


def summary_events(logdir: str | os.PathLike[str]) -> list[dict]:
    return [e for e in load_events(logdir) if "values" in e]


def tag_of(value: dict) -> str:
    return one(value, 1).decode()


def plugin_of(value: dict) -> tuple[str, bytes]:
    plugin_data = parse(one(parse(one(value, 9)), 1))
    return one(plugin_data, 1).decode(), one(plugin_data, 2, b"")


def decode_png(png: bytes) -> np.ndarray:
    """A PNG reader for what the encoder writes: 8-bit, non-interlaced, filter type 0."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", data)
        elif kind == b"IDAT":
            idat += data
        pos += 12 + n
    assert header is not None and kind == b"IEND"
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and interlace == 0
    channels = {0: 1, 4: 2, 2: 3, 6: 4}[color]
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * channels)
    assert (rows[:, 0] == 0).all()
    return rows[:, 1:].reshape(height, width, channels)


# --- CRC-32C and framing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"123456789", 0xE3069283),
        (b"", 0x00000000),
        (b"a", 0xC1D04330),
        (bytes(32), 0x8A9136AA),
        (b"\xff" * 32, 0x62A8AB43),
        (bytes(range(32)), 0x46DD794E),
        (bytes(range(31, -1, -1)), 0x113FDB5C),
    ],
)
def test_crc32c_known_vectors(data, expected):
    # RFC 3720 (iSCSI) appendix B.4 vectors, plus the common "123456789" check value
    assert crc32c(data) == expected
    assert _crc32c_bitwise(data) == expected


def test_crc32c_matches_bitwise_reference_and_is_not_zlib_crc32():
    rng = np.random.default_rng(0)
    for n in (1, 7, 8, 9, 15, 16, 17, 100, 1000, 4099):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert crc32c(data) == _crc32c_bitwise(data), n
        assert crc32c(memoryview(data)) == crc32c(bytearray(data))
        # continuing a running checksum gives the checksum of the concatenation
        assert crc32c(data[n // 3 :], crc32c(data[: n // 3])) == crc32c(data)
    assert crc32c(b"123456789") != zlib.crc32(b"123456789")


def test_masked_crc_and_record_framing():
    for data in (b"", b"x", b"hello world" * 10):
        assert masked_crc32c(data) == _masked(data)
    rec = encode_record(b"payload")
    assert len(rec) == 8 + 4 + 7 + 4
    assert struct.unpack("<Q", rec[:8]) == (7,)
    assert struct.unpack("<I", rec[8:12]) == (_masked(rec[:8]),)
    assert rec[12:19] == b"payload"
    assert struct.unpack("<I", rec[19:]) == (_masked(b"payload"),)


def test_varint_and_fields_roundtrip():
    for n in (0, 1, 127, 128, 300, 2**31, 2**63 - 1):
        assert parse(_proto.field_varint(1, n, always=True)) == {1: [n]}
    assert parse(_proto.field_varint(2, -1)) == {2: [2**64 - 1]}
    assert _proto.field_varint(2, 0) == b"" and _proto.field_double(1, 0.0) == b""
    assert parse(_proto.field_double(1, -0.0)) == {1: [struct.pack("<d", -0.0)]}


@pytest.mark.parametrize("module", [_crc32c, _proto, _png, _summary])
def test_module_docstring_examples(module):
    if module is _summary:
        pytest.importorskip("matplotlib")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


# --- files, directories, lifecycle -------------------------------------------------------------


def test_default_log_dir_and_event_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with SummaryWriter(comment="_lr0.1", filename_suffix=".v2") as w:
        logdir = w.get_logdir()
    host = re.escape(socket.gethostname())
    assert re.fullmatch(
        rf"runs{re.escape(os.sep)}[A-Z][a-z]{{2}}\d{{2}}_\d{{2}}-\d{{2}}-\d{{2}}_{host}_lr0\.1",
        logdir,
    ), logdir
    (path,) = event_files(logdir)
    name = os.path.basename(path)
    m = re.fullmatch(rf"events\.out\.tfevents\.(\d{{10}})\.{host}\.(\d+)\.(\d+)\.v2", name)
    assert m, name
    assert int(m.group(2)) == os.getpid()


def test_first_event_is_file_version(tmp_path):
    SummaryWriter(tmp_path).close()
    (ev,) = load_events(tmp_path)
    assert ev["file_version"] == "brain.Event:2"
    assert ev["step"] == 0 and ev["wall_time"] > 1.5e9


def test_log_dir_as_path_and_module_paths(tmp_path):
    from numtorch.utils.tensorboard.writer import FileWriter
    from numtorch.utils.tensorboard.writer import SummaryWriter as WriterFromModule

    assert WriterFromModule is SummaryWriter and FileWriter is tb.FileWriter
    assert writer_module.SummaryWriter is SummaryWriter
    with SummaryWriter(tmp_path / "run") as w:
        assert w.get_logdir() == tmp_path / "run"
        w.add_scalar("a", 1.0)
    assert len(summary_events(tmp_path / "run")) == 1


def test_max_queue_buffers_until_full_then_flush_and_close(tmp_path):
    w = SummaryWriter(tmp_path, max_queue=3, flush_secs=10_000)
    (path,) = event_files(tmp_path)
    assert len(read_records(path)) == 1  # only the file-version event, flushed at once
    w.add_scalar("x", 1.0, 0)
    w.add_scalar("x", 2.0, 1)
    assert len(read_records(path)) == 1
    w.add_scalar("x", 3.0, 2)  # the third pending record fills the queue
    assert len(read_records(path)) == 4
    w.add_scalar("x", 4.0, 3)
    assert len(read_records(path)) == 4
    w.flush()
    assert len(read_records(path)) == 5
    w.add_scalar("x", 5.0, 4)
    w.close()
    assert len(read_records(path)) == 6
    w.close()  # closing twice is fine


def test_flush_secs_zero_writes_every_event(tmp_path):
    w = SummaryWriter(tmp_path, flush_secs=0)
    w.add_scalar("x", 1.0, 0)
    (path,) = event_files(tmp_path)
    assert len(read_records(path)) == 2
    w.close()


def test_add_after_close_opens_a_new_event_file(tmp_path):
    w = SummaryWriter(tmp_path)
    w.add_scalar("x", 1.0, 0)
    w.close()
    w.add_scalar("x", 2.0, 1)
    w.close()
    files = event_files(tmp_path)
    assert len(files) == 2
    values = sorted(
        as_float(one(v, 2)) for f in files for e in read_events(f) for v in e.get("values", [])
    )
    assert values == [1.0, 2.0]


def test_garbage_collected_writer_flushes(tmp_path):
    w = SummaryWriter(tmp_path, flush_secs=10_000)
    w.add_scalar("x", 7.0, 3)
    del w
    gc.collect()
    (ev,) = summary_events(tmp_path)
    assert ev["step"] == 3


def test_purge_step_writes_session_log_start(tmp_path):
    with SummaryWriter(tmp_path, purge_step=42) as w:
        w.add_scalar("x", 1.0, 42)
    events = load_events(tmp_path)
    assert events[0]["file_version"] == "brain.Event:2" and events[0]["step"] == 0
    assert events[1]["file_version"] == "brain.Event:2" and events[1]["step"] == 42
    assert events[2]["step"] == 42 and one(events[2]["session_log"], 1) == 1  # START
    assert events[3]["step"] == 42 and "values" in events[3]


# --- scalars -----------------------------------------------------------------------------------


def test_add_scalar_accepts_numbers_numpy_scalars_and_tensors(tmp_path):
    x = numtorch.tensor(3.0, requires_grad=True)
    inputs = [
        0.0,
        1,
        2.5,
        np.float32(0.125),
        np.float64(-4.0),
        np.int64(6),
        numtorch.tensor(1.5),
        x * 2,
        numtorch.tensor([[9.0]]),
        np.array(10.0),
        True,
    ]
    with SummaryWriter(tmp_path) as w:
        for step, value in enumerate(inputs):
            w.add_scalar("loss", value, step, walltime=1000.0 + step)
    events = summary_events(tmp_path)
    assert [e["step"] for e in events] == list(range(len(inputs)))
    assert [e["wall_time"] for e in events] == [1000.0 + s for s in range(len(inputs))]
    got = []
    for e in events:
        (v,) = e["values"]
        assert tag_of(v) == "loss"
        assert 2 in v, "simple_value must be present even when it is 0"
        got.append(as_float(one(v, 2)))
    assert got == [0.0, 1.0, 2.5, 0.125, -4.0, 6.0, 1.5, 6.0, 9.0, 10.0, 1.0]


def test_add_scalar_stores_float32_and_default_walltime_and_step(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("pi", np.pi)
        w.add_scalar("big", 1.0, global_step=numtorch.tensor(2**40))
    e0, e1 = summary_events(tmp_path)
    assert e0["step"] == 0 and e0["wall_time"] > 1.5e9
    assert as_float(one(e0["values"][0], 2)) == float(np.float32(np.pi))
    assert e1["step"] == 2**40


def test_add_scalar_rejects_non_scalars(tmp_path):
    with SummaryWriter(tmp_path) as w, pytest.raises(AssertionError, match="one element"):
        w.add_scalar("v", numtorch.tensor([1.0, 2.0]))


@pytest.mark.parametrize("double_precision", [False, True])
def test_add_scalar_new_style(tmp_path, double_precision):
    with SummaryWriter(tmp_path) as w:
        w.add_scalar("acc", 0.1, 5, new_style=True, double_precision=double_precision)
    (e,) = summary_events(tmp_path)
    (v,) = e["values"]
    assert 2 not in v
    assert plugin_of(v) == ("scalars", b"")
    tensor = parse(one(v, 8))
    assert 2 not in tensor  # no shape: rank 0
    if double_precision:
        assert one(tensor, 1) == 2 and doubles(one(tensor, 6)) == [0.1]
    else:
        assert one(tensor, 1) == 1 and floats(one(tensor, 5)) == [float(np.float32(0.1))]


def test_add_scalars_writes_one_run_per_tag(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for step in range(3):
            w.add_scalars("loss/total", {"train": step, "val": 10 + step}, step)
    assert summary_events(tmp_path) == []
    for sub, offset in (("loss_total_train", 0), ("loss_total_val", 10)):
        events = summary_events(tmp_path / sub)
        assert [e["step"] for e in events] == [0, 1, 2]
        for step, e in enumerate(events):
            (v,) = e["values"]
            assert tag_of(v) == "loss/total"
            assert as_float(one(v, 2)) == offset + step


# --- histograms --------------------------------------------------------------------------------


def _histo(logdir) -> dict:
    (e,) = summary_events(logdir)
    (v,) = e["values"]
    h = parse(one(v, 5))
    return {
        "tag": tag_of(v),
        "step": e["step"],
        "min": as_double(one(h, 1)),
        "max": as_double(one(h, 2)),
        "num": as_double(one(h, 3)),
        "sum": as_double(one(h, 4)),
        "sum_squares": as_double(one(h, 5)),
        "bucket_limit": np.array(doubles(one(h, 6))),
        "bucket": np.array(doubles(one(h, 7))),
    }


def test_default_tensorflow_bins():
    bins = _summary.default_bins()
    assert len(bins) == 1549
    assert bins[774] == 0 and bins[775] == 1e-12 and bins[773] == -1e-12
    assert bins[-1] == -bins[0] and 1e20 / 1.1 <= bins[-1] < 1e20
    assert (np.diff(bins) > 0).all()


def test_add_histogram_fields(tmp_path):
    values = np.random.default_rng(1).normal(size=(40, 25)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_histogram("layer/w", numtorch.from_numpy(values), 7)
    h = _histo(tmp_path)
    flat = values.astype(np.float64).reshape(-1)
    assert h["tag"] == "layer/w" and h["step"] == 7
    assert h["min"] == flat.min() and h["max"] == flat.max()
    assert h["num"] == flat.size
    assert h["sum"] == pytest.approx(flat.sum())
    assert h["sum_squares"] == pytest.approx(flat.dot(flat))
    limits, counts = h["bucket_limit"], h["bucket"]
    assert len(limits) == len(counts) and counts.sum() == flat.size
    # the limits are a contiguous run of TensorFlow's default edges
    bins = np.array(_summary.default_bins())
    first = int(np.searchsorted(bins, limits[0]))
    np.testing.assert_array_equal(limits, bins[first : first + len(limits)])
    # bucket i counts the values in [limit[i-1], limit[i]); bucket 0 is the empty left pad
    assert counts[0] == 0
    expected = [
        ((flat >= lo) & (flat < hi)).sum() for lo, hi in zip(limits[:-1], limits[1:], strict=True)
    ]
    expected[-1] += (flat == limits[-1]).sum()
    np.testing.assert_array_equal(counts[1:], expected)
    assert counts[1] > 0 and counts[-1] > 0


def test_add_histogram_numpy_bins_max_bins_and_constant_input(tmp_path):
    with SummaryWriter(tmp_path / "a") as w:
        w.add_histogram("h", np.arange(100), 0, bins=10)
    h = _histo(tmp_path / "a")
    np.testing.assert_array_equal(h["bucket"], [0] + [10] * 10)
    np.testing.assert_allclose(h["bucket_limit"], np.linspace(0, 99, 11))
    with SummaryWriter(tmp_path / "b") as w:
        w.add_histogram("h", np.arange(100), 0, bins=10, max_bins=5)
    h = _histo(tmp_path / "b")
    np.testing.assert_array_equal(h["bucket"], [0] + [20] * 5)
    with SummaryWriter(tmp_path / "c") as w:
        w.add_histogram("h", [3.0, 3.0, 3.0], 0)
    h = _histo(tmp_path / "c")
    assert h["min"] == h["max"] == 3.0 and h["bucket"].sum() == 3
    with SummaryWriter(tmp_path / "d") as w, pytest.raises(ValueError, match="no element"):
        w.add_histogram("h", np.array([]), 0)


def test_add_histogram_raw(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_histogram_raw("r", 0, 2, 3, 3, 5, [1.0, 2.0], [1, 2], global_step=4)
        with pytest.raises(ValueError):
            w.add_histogram_raw("r", 0, 2, 3, 3, 5, [1.0], [1, 2])
    h = _histo(tmp_path)
    assert (h["min"], h["max"], h["num"], h["sum"], h["sum_squares"]) == (0, 2, 3, 3, 5)
    assert h["bucket_limit"].tolist() == [1.0, 2.0] and h["bucket"].tolist() == [1, 2]


# --- images ------------------------------------------------------------------------------------


def _image(logdir) -> tuple[str, dict, np.ndarray]:
    (e,) = summary_events(logdir)
    (v,) = e["values"]
    img = parse(one(v, 4))
    info = {"height": one(img, 1), "width": one(img, 2), "colorspace": one(img, 3)}
    return tag_of(v), info, decode_png(one(img, 4))


def test_png_encoder_roundtrip_all_channel_counts():
    rng = np.random.default_rng(2)
    for shape in [(5, 7), (5, 7, 1), (5, 7, 2), (5, 7, 3), (5, 7, 4)]:
        arr = rng.integers(0, 256, shape, dtype=np.uint8)
        got = decode_png(_png.encode_png(arr))
        np.testing.assert_array_equal(got, arr.reshape(5, 7, -1))
    with pytest.raises(TypeError):
        _png.encode_png(np.zeros((2, 2), np.float32))
    with pytest.raises(ValueError):
        _png.encode_png(np.zeros((2, 2, 5), np.uint8))


def test_add_image_float_chw_is_scaled_by_255(tmp_path):
    rng = np.random.default_rng(3)
    img = rng.random((3, 6, 9)).astype(np.float32)
    img[0, 0, 0], img[1, 0, 0] = 1.5, -0.2  # clipped like PyTorch
    with SummaryWriter(tmp_path) as w:
        w.add_image("sample", numtorch.from_numpy(img), 2)
    tag, info, pixels = _image(tmp_path)
    assert tag == "sample" and info == {"height": 6, "width": 9, "colorspace": 3}
    expected = (img.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels, expected)
    assert pixels[0, 0, 0] == 255 and pixels[0, 0, 1] == 0


def test_add_image_dataformats(tmp_path):
    rng = np.random.default_rng(4)
    hwc = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
    with SummaryWriter(tmp_path / "hwc") as w:
        w.add_image("i", hwc, 0, dataformats="HWC")
    np.testing.assert_array_equal(_image(tmp_path / "hwc")[2], hwc)  # uint8: no scaling
    hw = rng.random((4, 5))
    with SummaryWriter(tmp_path / "hw") as w:
        w.add_image("i", hw, 0, dataformats="HW")
    grey = (hw * 255).astype(np.float32).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(_image(tmp_path / "hw")[2], np.stack([grey] * 3, 2))
    rgba = rng.integers(0, 256, (4, 5, 4), dtype=np.uint8)
    with SummaryWriter(tmp_path / "rgba") as w:
        w.add_image("i", rgba, 0, dataformats="HWC")
    _, info, pixels = _image(tmp_path / "rgba")
    assert info["colorspace"] == 4
    np.testing.assert_array_equal(pixels, rgba)
    with SummaryWriter(tmp_path / "bad") as w:
        with pytest.raises(AssertionError, match="different"):
            w.add_image("i", np.zeros((1, 3, 4, 5)), 0)  # 4-D under the default CHW
        with pytest.raises(AssertionError, match="twice"):
            w.add_image("i", hwc, 0, dataformats="HHW")


def test_add_images_tiles_a_batch(tmp_path):
    batch = np.random.default_rng(5).random((10, 1, 3, 4)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        w.add_images("batch", batch, 0)
    _, info, pixels = _image(tmp_path)
    assert (info["height"], info["width"]) == (6, 32)  # 8 columns, 2 rows
    tile = (batch[9, 0] * 255).clip(0, 255).astype(np.uint8)
    np.testing.assert_array_equal(pixels[3:6, 4:8, 0], tile)
    assert (pixels[3:6, 8:, :] == 0).all()  # unused grid cells stay black


def test_png_decodable_by_matplotlib(tmp_path):
    mpimg = pytest.importorskip("matplotlib.image")
    pytest.importorskip("PIL")
    img = np.random.default_rng(6).integers(0, 256, (3, 5, 4), dtype=np.uint8)
    with SummaryWriter(tmp_path) as w:
        w.add_image("i", img, 0)
    (e,) = summary_events(tmp_path)
    png = one(parse(one(e["values"][0], 4)), 4)
    decoded = mpimg.imread(io.BytesIO(png), format="png")
    np.testing.assert_array_equal(np.round(decoded * 255).astype(np.uint8), img.transpose(1, 2, 0))


def test_add_figure(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 1), dpi=20)
    plt.plot([0, 1], [1, 0])
    with SummaryWriter(tmp_path / "one") as w:
        w.add_figure("fig", fig, 1)
    assert not plt.fignum_exists(fig.number)  # closed
    _, info, pixels = _image(tmp_path / "one")
    assert (info["height"], info["width"]) == (20, 40)
    assert pixels.min() < 255  # something was drawn on the white background
    figs = [plt.figure(figsize=(1, 1), dpi=10) for _ in range(2)]
    with SummaryWriter(tmp_path / "two") as w:
        w.add_figure("figs", figs, 0, close=False)
    assert all(plt.fignum_exists(f.number) for f in figs)
    plt.close("all")
    _, info, _ = _image(tmp_path / "two")
    assert (info["height"], info["width"]) == (10, 20)


# --- text, audio, tensors, pr curves, hparams, graphs ------------------------------------------


def test_add_text(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_text("notes", "héllo **world**", 3)
    (e,) = summary_events(tmp_path)
    (v,) = e["values"]
    assert e["step"] == 3 and tag_of(v) == "notes/text_summary"
    assert plugin_of(v) == ("text", b"")
    tensor = parse(one(v, 8))
    assert one(tensor, 1) == 7  # DT_STRING
    shape = parse(one(tensor, 2))
    assert [one(parse(d), 1) for d in shape[2]] == [1]
    assert tensor[8] == ["héllo **world**".encode()]


def test_add_audio(tmp_path):
    samples = np.sin(np.arange(400) * 0.1) * 1.2  # out of range: clipped
    with SummaryWriter(tmp_path) as w:
        w.add_audio("tone", samples, 0, sample_rate=8000)
    (e,) = summary_events(tmp_path)
    audio = parse(one(e["values"][0], 6))
    assert as_float(one(audio, 1)) == 8000 and one(audio, 2) == 1 and one(audio, 3) == 400
    assert one(audio, 5) == b"audio/wav"
    with wave.open(io.BytesIO(one(audio, 4)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        pcm = np.frombuffer(wav.readframes(400), "<i2")
    np.testing.assert_array_equal(pcm, (samples.clip(-1, 1) * 32767).astype("<i2"))


def test_add_tensor(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_tensor("t", numtorch.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
        w.add_tensor("i", np.array([1, -2], dtype=np.int64), 2)
    e1, e2 = summary_events(tmp_path)
    t1 = parse(one(e1["values"][0], 8))
    assert one(t1, 1) == 1 and floats(one(t1, 5)) == [1.0, 2.0, 3.0, 4.0]
    assert [one(parse(d), 1) for d in parse(one(t1, 2))[2]] == [2, 2]
    assert plugin_of(e1["values"][0])[0] == "tensor"
    t2 = parse(one(e2["values"][0], 8))
    assert one(t2, 1) == 9 and varints(one(t2, 10)) == [1, -2]


def test_add_pr_curve(tmp_path):
    labels = np.array([1, 0, 1, 1, 0])
    preds = np.array([0.9, 0.2, 0.6, 0.4, 0.7])
    with SummaryWriter(tmp_path) as w:
        w.add_pr_curve("pr", labels, preds, 0, num_thresholds=5)
    (e,) = summary_events(tmp_path)
    (v,) = e["values"]
    name, content = plugin_of(v)
    assert name == "pr_curves" and parse(content) == {2: [5]}
    tensor = parse(one(v, 8))
    assert [one(parse(d), 1) for d in parse(one(tensor, 2))[2]] == [6, 5]
    data = np.array(floats(one(tensor, 5))).reshape(6, 5)
    # threshold 0: everything predicted positive
    assert data[:4, 0].tolist() == [3, 2, 0, 0]
    tp, fp = data[0], data[1]
    for i, thr in enumerate(np.arange(5) / 4):
        assert tp[i] == ((preds >= thr) & (labels == 1)).sum()
        assert fp[i] == ((preds >= thr) & (labels == 0)).sum()


def test_add_hparams_writes_plugin_protos_and_metrics(tmp_path):
    with SummaryWriter(tmp_path) as w:
        w.add_hparams(
            {"lr": 0.1, "bsize": 32, "opt": "adam", "bn": True, "skip": None},
            {"hparam/accuracy": 0.75},
            hparam_domain_discrete={"opt": ["adam", "sgd"]},
            run_name="trial",
        )
        with pytest.raises(TypeError):
            w.add_hparams([("lr", 0.1)], {})
    events = summary_events(tmp_path / "trial")
    tags = [tag_of(e["values"][0]) for e in events]
    assert tags == [
        "_hparams_/experiment",
        "_hparams_/session_start_info",
        "_hparams_/session_end_info",
        "hparam/accuracy",
    ]
    plugin = [plugin_of(e["values"][0]) for e in events[:3]]
    assert all(name == "hparams" for name, _ in plugin)
    experiment = parse(one(parse(plugin[0][1]), 2))
    infos = [parse(i) for i in experiment[4]]
    assert [(one(i, 1), one(i, 4)) for i in infos] == [
        (b"lr", 3),
        (b"bsize", 3),
        (b"opt", 1),
        (b"bn", 2),
    ]
    domain = parse(one(infos[2], 5))
    assert [parse(d) for d in domain[1]] == [{3: [b"adam"]}, {3: [b"sgd"]}]
    (metric,) = experiment[5]
    assert parse(one(parse(metric), 1)) == {2: [b"hparam/accuracy"]}
    start = parse(one(parse(plugin[1][1]), 3))
    hp = {}
    for entry in start[1]:
        kv = parse(entry)
        hp[one(kv, 1).decode()] = parse(one(kv, 2))
    assert as_double(one(hp["lr"], 2)) == 0.1 and as_double(one(hp["bsize"], 2)) == 32.0
    assert hp["opt"] == {3: [b"adam"]} and hp["bn"] == {4: [1]} and "skip" not in hp
    end = parse(one(parse(plugin[2][1]), 4))
    assert end == {1: [1]}  # STATUS_SUCCESS
    assert as_float(one(events[3]["values"][0], 2)) == 0.75


def test_add_graph_warns_once_and_records_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "_graph_warned", False)
    model = numtorch.nn.Linear(2, 1)
    with SummaryWriter(tmp_path) as w:
        with pytest.warns(UserWarning, match="does not record model graphs"):
            w.add_graph(model, numtorch.randn(1, 2))
        w.add_graph(model, numtorch.randn(1, 2))  # no second warning (warnings are errors)
    assert summary_events(tmp_path) == []


def test_unsupported_methods_raise_not_implemented(tmp_path):
    with SummaryWriter(tmp_path) as w:
        for name in ("add_embedding", "add_video", "add_image_with_boxes", "add_mesh"):
            with pytest.raises(NotImplementedError):
                getattr(w, name)("x")


def test_import_needs_neither_torch_nor_tensorboard():
    code = (
        "import sys, numtorch.utils.tensorboard as tb, tempfile\n"
        "w = tb.SummaryWriter(tempfile.mkdtemp()); w.add_scalar('x', 1.0); w.close()\n"
        "bad = [m for m in ('torch', 'tensorboard', 'google.protobuf', 'PIL')"
        " if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- TensorBoard's own reader, when installed --------------------------------------------------


def test_tensorboard_event_accumulator_reads_everything(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import event_accumulator as ea_mod
    from tensorboard.compat.proto import event_pb2

    rng = np.random.default_rng(7)
    hist_values = rng.normal(size=500)
    img = rng.random((3, 4, 6)).astype(np.float32)
    with SummaryWriter(tmp_path) as w:
        for step in range(5):
            w.add_scalar("loss", 1.0 / (step + 1), step)
        w.add_scalar("acc", 0.5, 0, new_style=True)
        w.add_histogram("w", hist_values, 3)
        w.add_image("img", img, 4)
        w.add_text("note", "hello", 0)
        w.add_pr_curve("pr", np.array([1, 0, 1]), np.array([0.8, 0.3, 0.6]), 0)

    (path,) = event_files(tmp_path)
    # every record parses with the generated protos and matches our own reading
    protos = [event_pb2.Event.FromString(rec) for rec in read_records(path)]
    assert protos[0].file_version == "brain.Event:2"
    assert [p.summary.value[0].tag for p in protos[1:6]] == ["loss"] * 5

    acc = ea_mod.EventAccumulator(
        str(tmp_path),
        size_guidance={
            ea_mod.SCALARS: 0,
            ea_mod.HISTOGRAMS: 0,
            ea_mod.IMAGES: 0,
            ea_mod.TENSORS: 0,
        },
    )
    acc.Reload()
    scalars = acc.Scalars("loss")
    assert [s.step for s in scalars] == list(range(5))
    np.testing.assert_allclose([s.value for s in scalars], [1 / (s + 1) for s in range(5)], 1e-6)
    (h,) = acc.Histograms("w")
    assert h.step == 3 and h.histogram_value.num == 500
    assert h.histogram_value.min == hist_values.min()
    assert sum(h.histogram_value.bucket) == 500
    (im,) = acc.Images("img")
    assert (im.step, im.width, im.height) == (4, 6, 4)
    np.testing.assert_array_equal(
        decode_png(im.encoded_image_string),
        (img.transpose(1, 2, 0) * 255).clip(0, 255).astype(np.uint8),
    )
    tensors = acc.Tags()["tensors"]
    assert {"acc", "note/text_summary", "pr"} <= set(tensors)
    (text,) = acc.Tensors("note/text_summary")
    assert text.tensor_proto.string_val == [b"hello"]
    assert acc.SummaryMetadata("note/text_summary").plugin_data.plugin_name == "text"


def test_tensorboard_reads_hparams(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import event_pb2
    from tensorboard.plugins.hparams import plugin_data_pb2

    with SummaryWriter(tmp_path) as w:
        w.add_hparams({"lr": 0.01, "opt": "sgd", "bn": False}, {"m/acc": 0.9}, run_name="r")
    (path,) = event_files(tmp_path / "r")
    events = [event_pb2.Event.FromString(rec) for rec in read_records(path)][1:]
    data = [
        plugin_data_pb2.HParamsPluginData.FromString(
            e.summary.value[0].metadata.plugin_data.content
        )
        for e in events[:3]
    ]
    assert [h.name for h in data[0].experiment.hparam_infos] == ["lr", "opt", "bn"]
    assert data[0].experiment.metric_infos[0].name.tag == "m/acc"
    ssi = data[1].session_start_info.hparams
    assert ssi["lr"].number_value == 0.01 and ssi["opt"].string_value == "sgd"
    assert ssi["bn"].HasField("bool_value") and not ssi["bn"].bool_value
    assert data[2].session_end_info.status == 1
    assert events[3].summary.value[0].simple_value == pytest.approx(0.9)


def test_tensorboard_multiplexer_routes_each_summary_to_its_plugin(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing import plugin_event_multiplexer as pem

    with SummaryWriter(tmp_path / "run") as w:
        w.add_scalar("loss", 0.5, 1)
        w.add_scalars("cmp", {"a": 1.0}, 1)
        w.add_histogram("h", np.arange(10.0), 1)
        w.add_image("img", np.zeros((3, 2, 2)), 1)
        w.add_text("t", "hi", 1)
        w.add_audio("snd", np.zeros(10), 1, sample_rate=100)
        w.add_pr_curve("pr", np.array([1, 0]), np.array([0.9, 0.1]), 1)
        w.add_hparams({"lr": 0.1}, {"hp/acc": 0.9}, run_name="hp")
    mux = pem.EventMultiplexer().AddRunsFromDirectory(str(tmp_path))
    mux.Reload()

    def tags(plugin: str) -> dict[str, list[str]]:
        return {r: sorted(t) for r, t in mux.PluginRunToTagToContent(plugin).items()}

    assert tags("scalars") == {"run": ["loss"], "run/cmp_a": ["cmp"], "run/hp": ["hp/acc"]}
    assert tags("histograms") == {"run": ["h"]}
    assert tags("images") == {"run": ["img"]}
    assert tags("text") == {"run": ["t/text_summary"]}
    assert tags("audio") == {"run": ["snd"]}
    assert tags("pr_curves") == {"run": ["pr"]}
    assert tags("hparams") == {
        "run/hp": [
            "_hparams_/experiment",
            "_hparams_/session_end_info",
            "_hparams_/session_start_info",
        ]
    }
    (loss,) = mux.Tensors("run", "loss")
    assert loss.step == 1 and loss.tensor_proto.float_val == [0.5]
