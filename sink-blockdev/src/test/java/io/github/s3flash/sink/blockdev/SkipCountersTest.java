package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The skip modes do skip: skip-identical writes only the chunks that differ, skip-if-zero writes
 * only the zero ranges that do not read as zeros, zeroout leaves zeroing to the kernel; and the
 * result is still byte-exact.
 */
class SkipCountersTest {

    private static final int CHUNK = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void skipModesWriteOnlyWhatDiffers() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] content = TestImages.random(random, 8 * CHUNK);
        Arrays.fill(content, 6 * CHUNK, 7 * CHUNK, (byte) 0);
        byte[] image = content.clone();
        image[2 * CHUNK + 17] ^= 1;
        try (LoopDevice loop = Disks.loop(dir, 8 * CHUNK, 512, LoopDevice.Backing.PAGE_CACHE, content)) {
            try (var target = (ChannelTarget) new BlockDeviceSink().open(loop.device(),
                    Options.of(Map.of("skip-identical", "true", "zero", "skip-if-zero")))) {
                for (int i = 0; i < 6; i++) {
                    target.write((long) i * CHUNK, aligned(image, i * CHUNK, CHUNK));
                }
                target.zero(6L * CHUNK, CHUNK);
                target.zero(7L * CHUNK, CHUNK);
                target.force();
                assertThat(target.bytesIdentical()).as(Seeds.describe(seed)).isEqualTo(5L * CHUNK);
                assertThat(target.bytesAlreadyZero()).isEqualTo(CHUNK);
                assertThat(target.bytesWritten()).as("one differing chunk, one non-zero range").isEqualTo(2L * CHUNK);
            }
            Arrays.fill(image, 7 * CHUNK, 8 * CHUNK, (byte) 0);
            assertThat(Disks.readDirect(loop.device(), 8 * CHUNK)).as(Seeds.describe(seed)).isEqualTo(image);

            try (var target = (ChannelTarget) new BlockDeviceSink().open(loop.device(),
                    Options.of(Map.of("zero", "zeroout")))) {
                // An empty range is nothing to zero, not a sign that the kernel cannot (BLKZEROOUT
                // refuses a length of 0 with EINVAL, which once turned kernel zeroing off).
                target.zero(CHUNK, 0);
                target.zero(0, 3L * CHUNK);
                target.force();
                assertThat(target.bytesZeroedByKernel()).isEqualTo(3L * CHUNK);
                assertThat(target.bytesWritten()).isZero();
            }
            Arrays.fill(image, 0, 3 * CHUNK, (byte) 0);
            assertThat(Disks.readDirect(loop.device(), 8 * CHUNK)).as(Seeds.describe(seed)).isEqualTo(image);
        }
    }

    private static ByteBuffer aligned(byte[] bytes, int offset, int length) {
        return ByteBuffer.allocateDirect(length + 4096).alignedSlice(4096).put(bytes, offset, length).flip();
    }
}
