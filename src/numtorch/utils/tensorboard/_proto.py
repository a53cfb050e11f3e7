"""Hand-written protocol-buffer wire encoding for the few TensorBoard messages we emit.

Field numbers follow tensorboard's ``event.proto``, ``summary.proto``, ``tensor.proto``,
``tensor_shape.proto``, ``histogram.proto`` and the hparams/text/pr_curve plugin protos. Every
builder returns the serialized message as ``bytes``; a nested message is just those bytes placed in
a length-delimited field, which is all protobuf needs.

Proto3 rule mirrored here: a plain scalar field equal to its default (0, empty) is left out, but a
member of a ``oneof`` is always written when set, so ``simple_value=0.0`` stays distinguishable from
"no value".
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

__all__ = [
    "varint",
    "field_varint",
    "field_double",
    "field_float",
    "field_bytes",
    "field_string",
    "packed_doubles",
    "packed_floats",
    "packed_varints",
    "event",
    "summary",
    "summary_value",
    "summary_metadata",
    "histogram_proto",
    "image_proto",
    "audio_proto",
    "tensor_proto",
    "tensor_shape",
    "DT_FLOAT",
    "DT_DOUBLE",
    "DT_INT32",
    "DT_UINT8",
    "DT_INT16",
    "DT_INT8",
    "DT_STRING",
    "DT_INT64",
    "DT_BOOL",
]

# tensorboard/compat/proto/types.proto
DT_FLOAT = 1
DT_DOUBLE = 2
DT_INT32 = 3
DT_UINT8 = 4
DT_INT16 = 5
DT_INT8 = 6
DT_STRING = 7
DT_INT64 = 9
DT_BOOL = 10

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5


def varint(n: int) -> bytes:
    """Encode an integer as a base-128 varint; negatives as 64-bit two's complement.

    Example::

        >>> varint(300).hex()
        'ac02'
        >>> len(varint(-1))
        10
    """
    n = int(n)
    if n < 0:
        n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _key(field: int, wire: int) -> bytes:
    return varint((field << 3) | wire)


def _is_default(x: float) -> bool:
    # -0.0 is not the default for protobuf's presence check (it compares bit patterns)
    return x == 0 and not math.copysign(1.0, x) < 0


def field_varint(field: int, value: int, *, always: bool = False) -> bytes:
    """An int32/int64/uint/bool/enum field; left out when 0 unless ``always``.

    Example::

        >>> field_varint(2, 5).hex()
        '1005'
    """
    if not value and not always:
        return b""
    return _key(field, _VARINT) + varint(int(value))


def field_double(field: int, value: float, *, always: bool = False) -> bytes:
    """A ``double`` field (fixed 64-bit, little-endian); left out when 0 unless ``always``.

    Example::

        >>> field_double(1, 1.0).hex()
        '09000000000000f03f'
    """
    value = float(value)
    if _is_default(value) and not always:
        return b""
    return _key(field, _I64) + struct.pack("<d", value)


def field_float(field: int, value: float, *, always: bool = False) -> bytes:
    """A ``float`` field (fixed 32-bit, little-endian); left out when 0 unless ``always``.

    Example::

        >>> field_float(2, 0.5, always=True).hex()
        '150000003f'
    """
    value = float(value)
    if _is_default(value) and not always:
        return b""
    return _key(field, _I32) + struct.pack("<f", value)


def field_bytes(field: int, value: bytes, *, always: bool = False) -> bytes:
    """A length-delimited field (bytes or a nested message); left out when empty unless ``always``.

    Example::

        >>> field_bytes(5, b"hi").hex()
        '2a026869'
    """
    if not value and not always:
        return b""
    return _key(field, _LEN) + varint(len(value)) + bytes(value)


def field_string(field: int, value: str, *, always: bool = False) -> bytes:
    """A ``string`` field, UTF-8 encoded.

    Example::

        >>> field_string(1, "loss").hex()
        '0a046c6f7373'
    """
    return field_bytes(field, value.encode("utf-8"), always=always)


def packed_doubles(field: int, values: Iterable[float]) -> bytes:
    """A packed ``repeated double`` field.

    Example::

        >>> packed_doubles(6, [1.0]).hex()
        '3208000000000000f03f'
    """
    vals = [float(v) for v in values]
    return field_bytes(field, struct.pack(f"<{len(vals)}d", *vals))


def packed_floats(field: int, values: Iterable[float]) -> bytes:
    """A packed ``repeated float`` field.

    Example::

        >>> packed_floats(5, [1.0]).hex()
        '2a040000803f'
    """
    vals = [float(v) for v in values]
    return field_bytes(field, struct.pack(f"<{len(vals)}f", *vals))


def packed_varints(field: int, values: Iterable[int]) -> bytes:
    """A packed ``repeated`` integer/bool field.

    Example::

        >>> packed_varints(7, [1, 2]).hex()
        '3a020102'
    """
    return field_bytes(field, b"".join(varint(int(v)) for v in values))


# --- event.proto -------------------------------------------------------------------------------


def event(
    wall_time: float,
    step: int = 0,
    *,
    file_version: str | None = None,
    summary: bytes | None = None,
    session_log_status: int | None = None,
) -> bytes:
    """``Event{wall_time=1, step=2, file_version=3 | summary=5 | session_log=7}``.

    Example::

        >>> event(1.0, 3, file_version="brain.Event:2")[-13:]
        b'brain.Event:2'
    """
    out = field_double(1, wall_time) + field_varint(2, step)
    if file_version is not None:
        out += field_string(3, file_version, always=True)
    if summary is not None:
        out += field_bytes(5, summary, always=True)
    if session_log_status is not None:
        # SessionLog{status=1}
        out += field_bytes(7, field_varint(1, session_log_status), always=True)
    return out


# --- summary.proto -----------------------------------------------------------------------------


def summary(values: Iterable[bytes]) -> bytes:
    """``Summary{repeated Value value=1}`` from serialized ``Value`` messages.

    Example::

        >>> summary([b""]).hex()
        '0a00'
    """
    return b"".join(field_bytes(1, v, always=True) for v in values)


def summary_metadata(plugin_name: str, content: bytes = b"") -> bytes:
    """``SummaryMetadata{plugin_data=1: PluginData{plugin_name=1, content=2}}``.

    Example::

        >>> summary_metadata("scalars").hex()
        '0a090a077363616c617273'
    """
    plugin_data = field_string(1, plugin_name) + field_bytes(2, content)
    return field_bytes(1, plugin_data, always=True)


def summary_value(
    tag: str,
    *,
    simple_value: float | None = None,
    image: bytes | None = None,
    histo: bytes | None = None,
    audio: bytes | None = None,
    tensor: bytes | None = None,
    metadata: bytes | None = None,
) -> bytes:
    """``Summary.Value{tag=1, simple_value=2, image=4, histo=5, audio=6, tensor=8, metadata=9}``.

    Example::

        >>> summary_value("x", simple_value=0.0).hex()
        '0a01781500000000'
    """
    out = field_string(1, tag)
    if simple_value is not None:
        out += field_float(2, simple_value, always=True)
    if image is not None:
        out += field_bytes(4, image, always=True)
    if histo is not None:
        out += field_bytes(5, histo, always=True)
    if audio is not None:
        out += field_bytes(6, audio, always=True)
    if tensor is not None:
        out += field_bytes(8, tensor, always=True)
    if metadata is not None:
        out += field_bytes(9, metadata, always=True)
    return out


def histogram_proto(
    min: float,
    max: float,
    num: float,
    sum: float,
    sum_squares: float,
    bucket_limit: Iterable[float],
    bucket: Iterable[float],
) -> bytes:
    """``HistogramProto{min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7}``.

    Example::

        >>> len(histogram_proto(0.0, 1.0, 1, 1.0, 1.0, [1.0], [1.0]))  # min=0 is left out
        56
    """
    return (
        field_double(1, min)
        + field_double(2, max)
        + field_double(3, num)
        + field_double(4, sum)
        + field_double(5, sum_squares)
        + packed_doubles(6, bucket_limit)
        + packed_doubles(7, bucket)
    )


def image_proto(height: int, width: int, colorspace: int, encoded: bytes) -> bytes:
    """``Summary.Image{height=1, width=2, colorspace=3, encoded_image_string=4}``.

    Example::

        >>> image_proto(1, 2, 3, b"").hex()
        '080110021803'
    """
    return (
        field_varint(1, height)
        + field_varint(2, width)
        + field_varint(3, colorspace)
        + field_bytes(4, encoded)
    )


def audio_proto(
    sample_rate: float, num_channels: int, length_frames: int, encoded: bytes, content_type: str
) -> bytes:
    """``Summary.Audio{sample_rate=1, num_channels=2, length_frames=3, encoded=4, type=5}``.

    Example::

        >>> audio_proto(8000, 1, 0, b"", "audio/wav")[-9:]
        b'audio/wav'
    """
    return (
        field_float(1, sample_rate)
        + field_varint(2, num_channels)
        + field_varint(3, length_frames)
        + field_bytes(4, encoded)
        + field_string(5, content_type)
    )


# --- tensor.proto / tensor_shape.proto ---------------------------------------------------------


def tensor_shape(dims: Iterable[int]) -> bytes:
    """``TensorShapeProto{repeated Dim dim=2}`` with ``Dim{size=1}``.

    Example::

        >>> tensor_shape([3]).hex()
        '12020803'
    """
    return b"".join(field_bytes(2, field_varint(1, d), always=True) for d in dims)


def tensor_proto(dtype: int, shape: Iterable[int] | None, values_field: bytes) -> bytes:
    """``TensorProto{dtype=1, tensor_shape=2, <typed values>}``; ``values_field`` is already encoded
    (for instance ``packed_floats(5, ...)`` for ``float_val`` or ``field_bytes(8, ...)`` for each
    ``string_val``). ``shape=None`` leaves the shape unset, which TensorBoard reads as rank 0.

    Example::

        >>> tensor_proto(DT_FLOAT, None, packed_floats(5, [1.0])).hex()
        '08012a040000803f'
    """
    out = field_varint(1, dtype)
    if shape is not None:
        out += field_bytes(2, tensor_shape(shape), always=True)
    return out + values_field
