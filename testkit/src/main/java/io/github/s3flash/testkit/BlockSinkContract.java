package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * What every {@link BlockSink} must do: accept its targets, report a sane geometry, write at offsets
 * and zero ranges byte-exact, and read back what it wrote.
 */
public abstract class BlockSinkContract {

    protected abstract BlockSink sink();

    /** A fresh target of at least {@code capacity} bytes, filled with non-zero bytes. */
    protected abstract Path target(long capacity) throws IOException;

    /** The target's bytes as stored, read without the sink. */
    protected abstract byte[] contents(Path target, int length) throws IOException;

    protected Options options() {
        return Options.empty();
    }

    private static ByteBuffer aligned(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length + 8192).alignedSlice(4096);
        buffer.put(bytes).flip();
        return buffer;
    }

    @Test
    void writesAndZeroesAtOffsetsByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        int capacity = 8 << 20;
        Path path = target(capacity);
        assertThat(sink().accepts(path)).isTrue();
        byte[] expected;
        try (BlockTarget target = sink().open(path, options())) {
            TargetGeometry geometry = target.geometry();
            assertThat(geometry.capacity()).isGreaterThanOrEqualTo(capacity);
            int block = Math.max(geometry.logicalBlockSize(), 512);
            expected = contents(path, capacity);
            for (int i = 0; i < 20; i++) {
                int blocks = 1 + random.nextInt(256);
                int offset = random.nextInt(capacity / block - blocks) * block;
                int length = blocks * block;
                if (random.nextInt(3) == 0) {
                    target.zero(offset, length);
                    Arrays.fill(expected, offset, offset + length, (byte) 0);
                } else {
                    byte[] data = TestImages.diskLike(random, length);
                    target.write(offset, aligned(data));
                    System.arraycopy(data, 0, expected, offset, length);
                }
            }
            target.force();
            ByteBuffer back = ByteBuffer.allocateDirect(capacity + 4096).alignedSlice(4096).limit(capacity);
            assertThat(target.read(0, back)).isEqualTo(capacity);
            byte[] read = new byte[capacity];
            back.flip().get(read);
            assertThat(read).as("read back through the sink, " + Seeds.describe(seed)).isEqualTo(expected);
        }
        assertThat(contents(path, capacity)).as("stored bytes, " + Seeds.describe(seed)).isEqualTo(expected);
    }

    @Test
    void closeIsIdempotent() throws IOException {
        Path path = target(1 << 20);
        BlockTarget target = sink().open(path, options());
        target.close();
        target.close();
    }
}
