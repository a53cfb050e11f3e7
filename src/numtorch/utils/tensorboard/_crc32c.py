"""CRC-32C (Castagnoli) and the TFRecord framing that TensorBoard event files use.

TFRecord checksums use the Castagnoli polynomial, not the IEEE one behind ``zlib.crc32``, so the
standard library cannot compute them; this module does, table-driven, with no dependency.
"""

from __future__ import annotations

import struct

__all__ = ["crc32c", "masked_crc32c", "encode_record"]

# Reflected form of the Castagnoli polynomial 0x1EDC6F41.
_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _make_tables() -> tuple[list[int], ...]:
    t0 = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        t0.append(c)
    tables = [t0]
    # Tables k>0 advance a byte through k further zero bytes, which lets the main loop consume
    # eight bytes per iteration ("slicing-by-8"): about five times fewer Python-level steps.
    for _ in range(7):
        prev = tables[-1]
        tables.append([(prev[i] >> 8) ^ t0[prev[i] & 0xFF] for i in range(256)])
    return tuple(tables)


_T0, _T1, _T2, _T3, _T4, _T5, _T6, _T7 = _make_tables()


def crc32c(data: bytes | bytearray | memoryview, crc: int = 0) -> int:
    """Return the CRC-32C (Castagnoli) checksum of ``data``, continuing from ``crc``.

    Example::

        >>> hex(crc32c(b"123456789"))
        '0xe3069283'
    """
    buf = bytes(data)
    c = crc ^ 0xFFFFFFFF
    n8 = len(buf) - len(buf) % 8
    t0, t1, t2, t3, t4, t5, t6, t7 = _T0, _T1, _T2, _T3, _T4, _T5, _T6, _T7
    for lo, hi in struct.iter_unpack("<II", buf[:n8]):
        c ^= lo
        c = (
            t7[c & 0xFF]
            ^ t6[(c >> 8) & 0xFF]
            ^ t5[(c >> 16) & 0xFF]
            ^ t4[c >> 24]
            ^ t3[hi & 0xFF]
            ^ t2[(hi >> 8) & 0xFF]
            ^ t1[(hi >> 16) & 0xFF]
            ^ t0[hi >> 24]
        )
    for b in buf[n8:]:
        c = t0[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked_crc32c(data: bytes | bytearray | memoryview) -> int:
    """Return the masked CRC-32C that TFRecord stores next to each length and payload.

    The mask (rotate right by 15, add a constant) exists because a CRC of data that itself
    contains CRCs is weak; TensorFlow's readers undo exactly this transform.

    Example::

        >>> masked_crc32c(b"") == (0xA282EAD8)
        True
    """
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """Frame ``data`` as one TFRecord: length, masked CRC of length, data, masked CRC of data.

    Example::

        >>> len(encode_record(b"abc"))
        19
    """
    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )
