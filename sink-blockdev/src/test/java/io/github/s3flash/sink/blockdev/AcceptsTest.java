package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink accepts only what it can write — a block device, a regular file, a path where a file can
 * be created — so that it shadows no other sink: not a directory, a character device, a missing
 * node under /dev or a path whose directory does not exist.
 */
class AcceptsTest {

    @TempDir
    Path dir;

    private final BlockDeviceSink sink = new BlockDeviceSink();

    @Test
    void acceptsBlockDevicesFilesAndCreatablePaths() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, 1 << 20)) {
            assertThat(sink.accepts(loop.device())).isTrue();
        }
        assertThat(sink.accepts(Files.write(dir.resolve("disk.img"), new byte[10]))).isTrue();
        assertThat(sink.accepts(dir.resolve("new-disk.img"))).isTrue();
        Path link = Files.createSymbolicLink(dir.resolve("link.img"), dir.resolve("disk.img"));
        assertThat(sink.accepts(link)).as("a link to a file").isTrue();
    }

    @Test
    void refusesWhatItCannotWrite() {
        assertThat(sink.accepts(dir)).as("a directory").isFalse();
        assertThat(sink.accepts(Path.of("/dev/null"))).as("a character device").isFalse();
        assertThat(sink.accepts(Path.of("/dev/s3flash-no-such-disk"))).as("a missing device").isFalse();
        assertThat(sink.accepts(dir.resolve("no-such-dir/disk.img"))).as("a missing directory").isFalse();
    }
}
