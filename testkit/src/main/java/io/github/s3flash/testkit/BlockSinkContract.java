package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link BlockSink} must do, in whichever mode {@link #options()} selects (subclasses run
 * the contract once per zero mode, skip mode, I/O path): accept its targets and nothing else, report
 * a sane and stable geometry, write and zero whole blocks at any offset byte-exact from any kind of
 * buffer, read back at any offset into any kind of buffer (short only at the end), make everything
 * durable with {@code force()} (as the bytes stored show, read without the sink), refuse writes of
 * part blocks, past the end and after close, and close idempotently.
 */
public abstract class BlockSinkContract {

    /** Capacity asked of {@link #target}: several pieces of 1 MiB and more, not a power of two. */
    private static final int CAPACITY = (8 << 20) + 3 * 4096;

    @TempDir
    protected Path scratch;

    protected abstract BlockSink sink();

    /** A fresh target of at least {@code capacity} bytes, filled with non-zero bytes. */
    protected abstract Path target(long capacity) throws IOException;

    /** The target's bytes as stored, read without the sink (nor any cache it may keep). */
    protected abstract byte[] contents(Path target, int length) throws IOException;

    protected Options options() {
        return Options.empty();
    }

    /** {@code bytes} in a buffer of the kind {@code random} picks: aligned direct, unaligned direct, or heap. */
    private static ByteBuffer anyBuffer(Random random, byte[] bytes) {
        return switch (random.nextInt(3)) {
            case 0 -> aligned(bytes.length).put(bytes).flip();
            case 1 -> ByteBuffer.allocateDirect(bytes.length + 1024).position(512).slice().put(bytes).flip();
            default -> ByteBuffer.wrap(bytes);
        };
    }

    /** A direct buffer of {@code length} bytes whose first byte is 4096-aligned in memory, as the pipeline's. */
    private static ByteBuffer aligned(int length) {
        int rounded = (length + 4095) / 4096 * 4096;
        return ByteBuffer.allocateDirect(rounded + 4096).alignedSlice(4096).limit(length).slice();
    }

    private static int block(TargetGeometry geometry) {
        return geometry.logicalBlockSize();
    }

    @Test
    void acceptsItsTargetsButNotADirectory() throws IOException {
        Path path = target(CAPACITY);
        assertThat(sink().accepts(path)).isTrue();
        assertThat(sink().accepts(scratch)).as("a directory is no target").isFalse();
    }

    @Test
    void geometryIsSaneAndTheSameOnEveryOpen() throws IOException {
        Path path = target(CAPACITY);
        TargetGeometry first;
        try (BlockTarget target = sink().open(path, options())) {
            first = target.geometry();
        }
        assertThat(first.capacity()).isGreaterThanOrEqualTo(CAPACITY);
        assertThat(Integer.bitCount(first.logicalBlockSize())).isOne();
        assertThat(first.physicalBlockSize()).isGreaterThanOrEqualTo(first.logicalBlockSize());
        try (BlockTarget target = sink().open(path, options())) {
            assertThat(target.geometry()).isEqualTo(first);
        }
    }

    @Test
    void writesAndZeroesAtOffsetsByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path path = target(CAPACITY);
        byte[] expected;
        try (BlockTarget target = sink().open(path, options())) {
            int block = block(target.geometry());
            expected = contents(path, CAPACITY);
            for (int i = 0; i < 24; i++) {
                int blocks = 1 + random.nextInt((1 << 20) / block);
                int offset = random.nextInt(CAPACITY / block - blocks + 1) * block;
                int length = blocks * block;
                if (random.nextInt(3) == 0) {
                    target.zero(offset, length);
                    Arrays.fill(expected, offset, offset + length, (byte) 0);
                } else {
                    byte[] data = TestImages.diskLike(random, length);
                    ByteBuffer buffer = anyBuffer(random, data);
                    target.write(offset, buffer);
                    assertThat(buffer.hasRemaining()).as("write consumes its buffer, " + Seeds.describe(seed))
                            .isFalse();
                    System.arraycopy(data, 0, expected, offset, length);
                }
            }
            target.force();
            ByteBuffer back = aligned(CAPACITY);
            assertThat(target.read(0, back)).isEqualTo(CAPACITY);
            byte[] read = new byte[CAPACITY];
            back.flip().get(read);
            assertThat(read).as("read back through the sink, " + Seeds.describe(seed)).isEqualTo(expected);
        }
        assertThat(contents(path, CAPACITY)).as("stored bytes, " + Seeds.describe(seed)).isEqualTo(expected);
    }

    /** Zero ranges of every shape: empty, one block, large (many pieces), already zero, at the very end. */
    @Test
    void zeroesRangesOfEveryShape() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path path = target(CAPACITY);
        byte[] expected = contents(path, CAPACITY);
        try (BlockTarget target = sink().open(path, options())) {
            int block = block(target.geometry());
            int end = CAPACITY / block * block;
            long[][] ranges = {
                {block, 0},
                {0, block},
                {block * (1L + random.nextInt(8)), 3L << 20},
                {block * (1L + random.nextInt(8)), 3L << 20},
                {end - 5L * block, 5L * block},
                {(long) random.nextInt(end / block / 2) * block, block * (1L + random.nextInt(64))},
            };
            for (long[] range : ranges) {
                target.zero(range[0], range[1]);
                Arrays.fill(expected, (int) range[0], (int) (range[0] + range[1]), (byte) 0);
            }
            target.force();
        }
        assertThat(contents(path, CAPACITY)).as(Seeds.describe(seed)).isEqualTo(expected);
    }

    @Test
    void readsAtAnyBlockIntoAnyBufferAndEndsShortOnlyAtTheEnd() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path path = target(CAPACITY);
        byte[] stored = contents(path, CAPACITY);
        try (BlockTarget target = sink().open(path, options())) {
            int block = block(target.geometry());
            for (int i = 0; i < 16; i++) {
                int length = block * (1 + random.nextInt((256 << 10) / block));
                int offset = block * random.nextInt((CAPACITY - length) / block + 1);
                ByteBuffer dst = anyBuffer(random, new byte[length]);
                assertThat(target.read(offset, dst)).as(Seeds.describe(seed)).isEqualTo(length);
                byte[] got = new byte[length];
                dst.flip().get(got);
                assertThat(got).as("read of %d at %d, %s", length, offset, Seeds.describe(seed))
                        .isEqualTo(Arrays.copyOfRange(stored, offset, offset + length));
            }
            long capacity = target.geometry().capacity();
            if (capacity < Integer.MAX_VALUE) {
                ByteBuffer across = aligned(4 * block);
                assertThat(target.read(capacity - block, across)).as("a read across the end").isEqualTo(block);
                assertThat(target.read(capacity, aligned(block))).as("a read at the end").isZero();
            }
        }
    }

    @Test
    void forceMakesWritesDurableBeforeClose() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path path = target(CAPACITY);
        byte[] expected = contents(path, CAPACITY);
        try (BlockTarget target = sink().open(path, options())) {
            target.force();
            int block = block(target.geometry());
            byte[] data = TestImages.random(random, 64 * block);
            int offset = block * random.nextInt(64);
            target.write(offset, anyBuffer(random, data));
            System.arraycopy(data, 0, expected, offset, data.length);
            target.force();
            target.force();
            assertThat(contents(path, CAPACITY)).as("stored after force, before close, " + Seeds.describe(seed))
                    .isEqualTo(expected);
        }
    }

    @Test
    void writesPastTheEndAreRefusedAndChangeNothing() throws IOException {
        Path path = target(CAPACITY);
        byte[] before = contents(path, CAPACITY);
        try (BlockTarget target = sink().open(path, options())) {
            long capacity = target.geometry().capacity();
            if (capacity >= Integer.MAX_VALUE) {
                return;
            }
            int block = block(target.geometry());
            assertThatThrownBy(() -> target.write(capacity - block, aligned(2 * block)))
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> target.zero(capacity, block)).isInstanceOf(IOException.class);
        }
        assertThat(contents(path, CAPACITY)).isEqualTo(before);
    }

    /** The pipeline writes whole logical blocks only; a target may refuse anything else, and must not half-do it. */
    @Test
    void writesOfPartBlocksAreRefusedAndChangeNothing() throws IOException {
        Path path = target(CAPACITY);
        byte[] before = contents(path, CAPACITY);
        try (BlockTarget target = sink().open(path, options())) {
            int block = block(target.geometry());
            if (block == 1) {
                return;
            }
            assertThatThrownBy(() -> target.write(block / 2, aligned(block))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> target.write(0, aligned(block + 1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> target.zero(block, block - 1)).isInstanceOf(IllegalArgumentException.class);
            target.force();
        }
        assertThat(contents(path, CAPACITY)).isEqualTo(before);
    }

    @Test
    void closeIsIdempotentAndEndsUse() throws IOException {
        Path path = target(CAPACITY);
        BlockTarget target = sink().open(path, options());
        int block = block(target.geometry());
        target.close();
        target.close();
        assertThatThrownBy(() -> target.write(0, aligned(block))).isInstanceOf(IOException.class);
    }
}
