package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: for seeded random images (sizes off every buffer and block boundary, random content and
 * long zero runs) and random chunk, buffer, part and concurrency settings, a flash through the
 * whole pipeline (file source → raw codec → SHA-256 → blockdev sink) writes exactly the image and
 * reports its SHA-256, into a regular file and into a real loop device.
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
    void flashesIntoAFileByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        var flasher = Flasher.withInstalledProviders();
        for (int size : TestImages.boundarySizes(random, 5 << 20, 4096, 65536, 1 << 20, 4 << 20)) {
            byte[] image = TestImages.diskLike(random, size);
            Path source = Files.write(dir.resolve("image"), image);
            Path target = dir.resolve("target");
            Options settings = randomSettings(random);
            List<ProgressEvent> events = new ArrayList<>();
            FlashResult result = flasher.flash(FlashPlan.of(source.toUri(), target).withCodec("raw")
                    .withOptions(settings).withOption("create", "true"), events::add);
            String where = "size " + size + ", " + settings.values() + ", " + Seeds.describe(seed);
            assertThat(Files.readAllBytes(target)).as(where).isEqualTo(image);
            assertThat(result.sha256()).as(where).isEqualTo(TestImages.sha256(image));
            assertThat(result.bytesWritten()).as(where).isEqualTo(size);
            assertThat(result.bytesRead()).as(where).isEqualTo(size);
            assertThat(events.getFirst()).as(where).isInstanceOf(ProgressEvent.Started.class);
            assertThat(events.getLast()).as(where).isInstanceOf(ProgressEvent.Finished.class);
            assertThat(events.stream().filter(e -> e instanceof ProgressEvent.WritingStarted).count())
                    .as(where).isEqualTo(size == 0 ? 0 : 1);
        }
    }

    @Test
    void flashesIntoALoopDeviceByteExact() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        var flasher = Flasher.withInstalledProviders();
        int capacity = 6 << 20;
        try (var loop = LoopDevice.create(dir, capacity)) {
            for (int round = 0; round < 8; round++) {
                int size = 512 * random.nextInt(capacity / 512 + 1);
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
            }
        }
    }

    @Test
    void anImageThatIsNotWholeSectorsIsRefusedBeforeWritingToADevice() throws IOException {
        try (var loop = LoopDevice.create(dir, 1 << 20)) {
            Files.write(loop.backingFile(), TestImages.random(new Random(11), 1 << 20));
            String before = TestImages.sha256(loop.read(1 << 20));
            Path source = Files.write(dir.resolve("image"), TestImages.random(new Random(12), 1000));
            assertThatThrownBy(() -> Flasher.withInstalledProviders().flash(
                            FlashPlan.of(source.toUri(), loop.device()).withCodec("raw")))
                    .isInstanceOf(InvalidImageException.class)
                    .hasMessageContaining("not a multiple of the logical block size 512");
            assertThat(TestImages.sha256(loop.read(1 << 20))).isEqualTo(before);
        }
    }
}
