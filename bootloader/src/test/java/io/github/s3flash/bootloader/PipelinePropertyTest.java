package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: for seeded random images (any size, ending inside a sector or not, random content and
 * long zero runs) and random chunk, buffer, part and concurrency settings, a flash through the
 * installed providers as the CLI loads them (file source → raw codec → SHA-256 → blockdev sink)
 * writes exactly the image onto a real 512-byte-sector loop device, leaves the rest of its last
 * sector and of the device as it was, and reports its SHA-256. (The same property without a
 * device, for every sector size, is testkit's FlasherTest.)
 */
class PipelinePropertyTest {

    @TempDir
    Path dir;

    private static Options randomSettings(Random random) {
        int chunk = 4096 * (1 + random.nextInt(300));
        return Options.of(Map.of(
                "chunk-size", Integer.toString(chunk),
                "buffers", Integer.toString(2 + random.nextInt(6)),
                "read.part-size", Integer.toString(1 + random.nextInt(700_000)),
                "read.concurrency", Integer.toString(1 + random.nextInt(4))));
    }

    @Test
    void flashesIntoALoopDeviceByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        var flasher = Flasher.withInstalledProviders();
        int capacity = 6 << 20;
        try (var loop = LoopDevice.create(dir, capacity)) {
            for (int round = 0; round < 8; round++) {
                int size = round % 2 == 0 ? random.nextInt(capacity + 1) : 512 * random.nextInt(capacity / 512 + 1);
                byte[] image = TestImages.diskLike(random, size);
                Files.write(loop.backingFile(), TestImages.random(random, capacity));
                byte[] expected = loop.read(capacity);
                System.arraycopy(image, 0, expected, 0, size);
                Path source = Files.write(dir.resolve("image"), image);
                Options settings = randomSettings(random);
                FlashResult result = flasher.flash(FlashPlan.of(source.toUri(), loop.device()).withCodec("raw")
                        .withOptions(settings));
                String where = "size " + size + ", " + settings.values() + ", " + Seeds.describe(seed);
                assertThat(loop.read(capacity)).as(where).isEqualTo(expected);
                assertThat(result.sha256()).as(where).isEqualTo(TestImages.sha256(image));
                assertThat(result.partialBlockBytes()).as(where).isEqualTo(size % 512);
            }
        }
    }
}
