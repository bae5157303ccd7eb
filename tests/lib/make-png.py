#!/usr/bin/env python3
"""Write a valid PNG of random pixels, SIZE bytes or a little more, to
OUT, quickly: RGB rows of random bytes in a zlib stream of stored
(uncompressed) blocks, so the file is as large as its pixels and new
every time.

    make-png.py SIZE OUT
"""

import math
import os
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Signature, IHDR, IDAT and IEND framing, zlib header and checksum.
OVERHEAD = 8 + 25 + 12 + 12 + 6
MAX_WIDTH = 4000
BYTES_PER_PIXEL = 3


def chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def main():
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    size = int(sys.argv[1])
    width = max(1, min(MAX_WIDTH, int(math.sqrt(size / BYTES_PER_PIXEL))))
    row = 1 + BYTES_PER_PIXEL * width
    height = max(1, -(-(size - OVERHEAD) // row))
    # Filter type 0 (none) at the start of every row.
    raw = bytearray(os.urandom(row * height))
    raw[::row] = bytes(height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    with open(sys.argv[2], "wb") as f:
        f.write(SIGNATURE + chunk(b"IHDR", ihdr)
                + chunk(b"IDAT", zlib.compress(bytes(raw), 0))
                + chunk(b"IEND", b""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
