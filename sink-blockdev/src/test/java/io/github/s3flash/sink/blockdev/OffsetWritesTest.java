package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Writes and zeroes at seeded random offsets, in every zero mode, on 512-byte-sector loop devices and
 * on regular files (block size 1: any offset, any length), from aligned direct buffers, unaligned
 * direct buffers and heap buffers; the stored bytes, read with O_DIRECT, equal the expected ones.
 */
class OffsetWritesTest {

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        List<Map<String, String>> modes = List.of(
                Map.of(),
                Map.of("zero", "zeroout", "verify", "true"),
                Map.of("zero", "skip-if-zero"),
                Map.of("skip-identical", "true", "verify", "true"),
                Map.of("zero", "punch"),
                Map.of("direct-io", "off", "sync-every", "64k", "verify", "true"));
        for (String kind : List.of("loop", "direct-io-loop", "file")) {
            for (Map<String, String> mode : modes) {
                cases.add(Arguments.of(kind, mode));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void randomWritesAndZerosAreByteExact(String kind, Map<String, String> mode) throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        int capacity = 6 << 20;
        byte[] expected = Disks.garbage(random, capacity);
        LoopDevice loop = null;
        Path path;
        if (kind.equals("file")) {
            path = Files.write(dir.resolve("disk.img"), expected);
        } else {
            loop = Disks.loop(dir, capacity, 512,
                    kind.equals("direct-io-loop") ? LoopDevice.Backing.DIRECT_IO : LoopDevice.Backing.PAGE_CACHE, expected);
            path = loop.device();
        }
        try {
            int block = kind.equals("file") ? 1 : 512;
            try (BlockTarget target = new BlockDeviceSink().open(path, Options.of(mode))) {
                for (int i = 0; i < 40; i++) {
                    int length = block * (1 + random.nextInt((1 << 20) / block));
                    int offset = block * random.nextInt((capacity - length) / block + 1);
                    if (random.nextInt(3) == 0) {
                        target.zero(offset, length);
                        Arrays.fill(expected, offset, offset + length, (byte) 0);
                    } else {
                        byte[] data = random.nextInt(4) == 0
                                ? Arrays.copyOfRange(expected, offset, offset + length)
                                : TestImages.diskLike(random, length);
                        target.write(offset, buffer(random, data));
                        System.arraycopy(data, 0, expected, offset, length);
                    }
                }
                target.force();
                ByteBuffer back = ByteBuffer.allocate(capacity);
                assertThat(target.read(0, back)).isEqualTo(capacity);
                assertThat(back.array()).as("read through the sink, " + Seeds.describe(seed)).isEqualTo(expected);
            }
            assertThat(Disks.readDirect(path, capacity)).as("stored bytes, " + Seeds.describe(seed))
                    .isEqualTo(expected);
        } finally {
            if (loop != null) {
                loop.close();
            }
        }
    }

    /** Aligned direct (as the pipeline passes), unaligned direct, or heap. */
    private static ByteBuffer buffer(Random random, byte[] data) {
        return switch (random.nextInt(3)) {
            case 0 -> ByteBuffer.allocateDirect(data.length + 16384).alignedSlice(4096).put(data).flip();
            case 1 -> ByteBuffer.allocateDirect(data.length + 16384).alignedSlice(4096).position(512).slice()
                    .put(data).flip();
            default -> ByteBuffer.wrap(data);
        };
    }
}
