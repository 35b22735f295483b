#!/usr/bin/env python3
"""Writes an OS-like raw disk image: runs of data and of zeros (free space), ~65% zeros by bytes.

Usage: os_like_image.py OUT SIZE_MB [ZERO_FRACTION]. The run layout is seeded (same every time);
the data bytes are random (the sink does not care what they are, only whether a chunk is all zero).
"""
import os
import random
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
zero_fraction = float(sys.argv[3]) if len(sys.argv) > 3 else 0.65
size = size_mb << 20
unit = 64 << 10
rng = random.Random(6)
written = zeros = 0
with open(out, "wb") as f:
    while written < size:
        data = min(size - written, unit * rng.randint(1, 256))
        f.write(os.urandom(data))
        written += data
        # Zero runs sized so that zeros make up zero_fraction of the image on average.
        mean_zero = (unit * 128.5) * zero_fraction / (1 - zero_fraction)
        z = min(size - written, unit * max(1, round(rng.expovariate(1 / mean_zero) / unit)))
        f.seek(z, os.SEEK_CUR)
        written += z
        zeros += z
    f.truncate(size)
print(f"{out}: {size} bytes, {zeros / size:.0%} zeros")
