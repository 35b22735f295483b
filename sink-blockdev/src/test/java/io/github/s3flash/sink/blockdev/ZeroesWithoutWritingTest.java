package io.github.s3flash.sink.blockdev;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whether a target tells a delta flash that zeroing costs less than reading back: only with
 * zero=zeroout or punch, without skip-identical, and for a block device only when the kernel reports
 * a write-zeroes command for it (sysfs {@code queue/write_zeroes_max_bytes}, read here as the oracle;
 * a loop device over a file on ext4 has one).
 */
class ZeroesWithoutWritingTest {

    @TempDir
    Path dir;

    private static boolean zeroesWithoutWriting(Path target, Map<String, String> options) throws IOException {
        try (BlockTarget opened = new BlockDeviceSink().open(target, Options.of(options))) {
            return opened.zeroesWithoutWriting();
        }
    }

    @Test
    void aFileZeroesWithoutWritingWhenZeroRangesGoToTheKernel() throws IOException {
        Path file = Files.write(dir.resolve("disk.img"), new byte[1 << 20]);
        assertThat(zeroesWithoutWriting(file, Map.of())).as("zero=write, the default").isFalse();
        assertThat(zeroesWithoutWriting(file, Map.of("zero", "skip-if-zero"))).isFalse();
        assertThat(zeroesWithoutWriting(file, Map.of("zero", "zeroout"))).isTrue();
        assertThat(zeroesWithoutWriting(file, Map.of("zero", "punch"))).isTrue();
        assertThat(zeroesWithoutWriting(file, Map.of("zero", "zeroout", "skip-identical", "true")))
                .as("skip-identical reads every range first").isFalse();
    }

    @Test
    void aBlockDeviceZeroesWithoutWritingWhenTheKernelReportsAWriteZeroesCommand() throws IOException {
        try (LoopDevice loop = LoopDevice.create(dir, 8 << 20, 4096, LoopDevice.Backing.DIRECT_IO)) {
            String name = loop.device().toRealPath().getFileName().toString();
            boolean oracle = Long.parseLong(Files.readString(Path.of("/sys/class/block", name, "queue",
                    "write_zeroes_max_bytes")).trim()) > 0;
            assertThat(oracle).as("a loop device over a file on ext4 has a write-zeroes command").isTrue();
            assertThat(zeroesWithoutWriting(loop.device(), Map.of("zero", "zeroout"))).isEqualTo(oracle);
            assertThat(zeroesWithoutWriting(loop.device(), Map.of("zero", "punch"))).isEqualTo(oracle);
            assertThat(zeroesWithoutWriting(loop.device(), Map.of())).isFalse();
        }
    }
}
