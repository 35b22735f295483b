package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The buffered path keeps dirty data bounded: it is forced every {@code sync-every} bytes. The
 * direct path dirties nothing, so it needs no periodic force. Bad option values are refused by name.
 */
class BufferedPathTest {

    private static final int CHUNK = 256 << 10;

    @TempDir
    Path dir;

    @Test
    void bufferedWritesAreForcedEverySyncEveryBytes() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.random(random, 16 * CHUNK);
        try (LoopDevice loop = LoopDevice.create(dir, 16 * CHUNK)) {
            try (var target = (ChannelTarget) new BlockDeviceSink().open(loop.device(),
                    Options.of(Map.of("direct-io", "off", "sync-every", "1m")))) {
                assertThat(target.directIo()).isFalse();
                write(target, image);
                assertThat(target.periodicSyncs()).as("4 MiB through a 1 MiB bound").isEqualTo(4);
                target.force();
            }
            try (var target = (ChannelTarget) new BlockDeviceSink().open(loop.device(),
                    Options.of(Map.of("sync-every", "1m")))) {
                assertThat(target.directIo()).isTrue();
                write(target, image);
                assertThat(target.periodicSyncs()).as("direct writes leave nothing dirty").isZero();
                target.force();
            }
            assertThat(Disks.readDirect(loop.device(), image.length)).as(Seeds.describe(seed)).isEqualTo(image);
        }
    }

    @Test
    void malformedOptionsAreRefusedByName() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, 1 << 20)) {
            for (var bad : Map.of("zero", "trim", "direct-io", "maybe", "verify", "perhaps").entrySet()) {
                assertThatThrownBy(() -> new BlockDeviceSink().open(loop.device(), Options.of(Map.of(bad.getKey(),
                        bad.getValue()))))
                        .isInstanceOf(InvalidOptionException.class)
                        .hasMessageContaining(bad.getKey() + "=" + bad.getValue());
            }
        }
    }

    private static void write(ChannelTarget target, byte[] image) throws IOException {
        for (int at = 0; at < image.length; at += CHUNK) {
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK + 4096).alignedSlice(4096).limit(CHUNK);
            chunk.put(image, at, CHUNK).flip();
            target.write(at, chunk);
        }
    }
}
