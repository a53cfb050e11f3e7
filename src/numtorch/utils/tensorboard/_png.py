"""A minimal PNG encoder (8-bit grey, grey+alpha, RGB or RGBA) on NumPy and zlib.

TensorBoard shows whatever PNG is in ``Summary.Image.encoded_image_string``; PyTorch produces it
with Pillow, which we do not depend on.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

__all__ = ["encode_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG colour types by channel count: grey, grey+alpha, RGB, RGBA.
_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}


def _chunk(kind: bytes, data: bytes) -> bytes:
    # PNG chunk CRCs are the IEEE CRC-32 that zlib implements (unlike TFRecord's CRC-32C).
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def encode_png(image: np.ndarray, compression: int = 6) -> bytes:
    """Encode a ``uint8`` array of shape ``(H, W)`` or ``(H, W, C)``, C in 1..4, as PNG bytes.

    Example::

        >>> import numpy as np
        >>> png = encode_png(np.zeros((2, 3, 3), dtype=np.uint8))
        >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
        True
    """
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        raise TypeError(f"encode_png expects uint8 pixels, got {arr.dtype}")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[2] not in _COLOR_TYPE:
        raise ValueError(f"encode_png expects (H, W) or (H, W, C) with C in 1..4, got {arr.shape}")
    height, width, channels = arr.shape
    if height == 0 or width == 0:
        raise ValueError("encode_png needs a non-empty image")
    # Each scanline starts with its filter type; 0 ("None") keeps the encoder trivial and zlib
    # still compresses the flat regions typical of plots and activations well.
    rows = np.empty((height, 1 + width * channels), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = np.ascontiguousarray(arr).reshape(height, width * channels)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, _COLOR_TYPE[channels], 0, 0, 0)
    return (
        _SIGNATURE
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(rows.tobytes(), compression))
        + _chunk(b"IEND", b"")
    )
