#!/usr/bin/env python3
"""Writes an OS-like raw disk image for the benchmarks: runs of file data interleaved with zero runs.

Usage: os_like_image.py OUT SIZE_MB [ZERO_FRACTION]   (default ZERO_FRACTION 0.65)

The layout is seeded, so every run builds the same image. Data runs (64 KiB to 16 MiB) are three
quarters text-like bytes (paths, words and numbers, as config files, logs and string tables: lz4
shrinks them 2-3x) copied from a 32 MiB generated pool at random offsets, and one quarter random
bytes (already-compressed files). Zero runs (free space, whole 64 KiB units) are sized so that zeros
make up ZERO_FRACTION of the image on average.
"""
import os
import random
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
zero_fraction = float(sys.argv[3]) if len(sys.argv) > 3 else 0.65
size = size_mb << 20
unit = 64 << 10
rng = random.Random(3)

words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(rng.randint(2, 12)))
         for _ in range(4000)]
lines = []
pool_size = 0
while pool_size < (32 << 20):
    kind = rng.random()
    if kind < 0.4:
        line = "/usr/lib/" + "/".join(rng.choice(words) for _ in range(rng.randint(1, 4))) + ".so.%d\n" % rng.randint(0, 9)
    elif kind < 0.7:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 14))) + "\n"
    else:
        line = "%s=%d %s 0x%08x\n" % (rng.choice(words), rng.randint(0, 99999), rng.choice(words), rng.getrandbits(32))
    lines.append(line)
    pool_size += len(line)
pool = "".join(lines).encode()

mean_data = unit * 128.5
mean_zero = mean_data * zero_fraction / (1 - zero_fraction) if zero_fraction < 1 else size
written = zeros = 0
with open(out, "wb") as f:
    while written < size:
        data = min(size - written, unit * rng.randint(1, 256))
        left = data
        while left > 0:
            n = min(left, 1 << 20)
            if rng.random() < 0.75:
                at = rng.randrange(0, len(pool) - n)
                f.write(pool[at:at + n])
            else:
                f.write(os.urandom(n))
            left -= n
        written += data
        z = min(size - written, unit * max(1, round(rng.expovariate(1 / mean_zero) / unit)))
        f.seek(z, os.SEEK_CUR)
        written += z
        zeros += z
    f.truncate(size)
print(f"{out}: {size} bytes, {zeros / size:.0%} zeros")
