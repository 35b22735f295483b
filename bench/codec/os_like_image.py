#!/usr/bin/env python3
"""Writes an OS-like disk image for the codec benchmark: mostly compressible, with long zero runs.

Usage: os_like_image.py OUT SIZE_MB. Seeded layout: ~45% zero runs (free space, up to 64 MiB long),
~40% text-like data (words, paths and numbers, as config files, logs and binaries' string tables;
lz4 shrinks it about 2-3x) and ~15% random bytes (already compressed files). The text pool is 32 MiB
of generated lines, copied at random offsets, so that the data is not one repeated block.
"""
import os
import random
import sys

out, size_mb = sys.argv[1], int(sys.argv[2])
size = size_mb << 20
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
zeros = bytes(1 << 20)
written = 0
with open(out, "wb") as f:
    while written < size:
        kind = rng.random()
        if kind < 0.35:
            n = min(size - written, rng.randint(4 << 10, 64 << 20))
            left = n
            while left > 0:
                k = min(left, len(zeros))
                f.write(zeros[:k])
                left -= k
        elif kind < 0.85:
            n = min(size - written, rng.randint(4 << 10, 8 << 20))
            at = rng.randrange(0, len(pool) - n) if n < len(pool) else 0
            f.write(pool[at:at + n])
        else:
            n = min(size - written, rng.randint(4 << 10, 4 << 20))
            f.write(os.urandom(n))
        written += n
