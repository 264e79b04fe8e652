"""The sample image a simulated customer can send: a small PNG drawn here, so that the
simulator needs no image files and no imaging library."""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

SIZE = 48
CONTENT_TYPE = "image/png"
FILENAME = "sample.png"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


@lru_cache(maxsize=1)
def sample_png() -> bytes:
    """A 48x48 RGB picture: a dark square on a teal ground."""
    rows = []
    for y in range(SIZE):
        row = bytearray([0])  # filter type "none" for each scanline
        for x in range(SIZE):
            inside = SIZE // 4 <= x < 3 * SIZE // 4 and SIZE // 4 <= y < 3 * SIZE // 4
            row += bytes((30, 40, 60) if inside else (40, 170, 160))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + _chunk(b"IEND", b""))
