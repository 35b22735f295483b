package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flash service's memory across its restarts in one boot, on the kernel's real clock and boot id. */
class BootStateTest {

    private static final String JOB = "/dev/vda s3://images/os.img.lz4";

    @TempDir
    Path dir;

    @Test
    void aRestartSeesTheFirstStartAndTheFirstWrite() throws IOException, InterruptedException {
        BootState first = BootState.open(dir, JOB);
        assertThat(first.writingStarted()).isFalse();
        Thread.sleep(1100);
        BootState second = BootState.open(dir, JOB);
        assertThat(second.elapsed()).as("counted from the first start").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(second.writingStarted()).isFalse();

        second.markWritingStarted();
        assertThat(BootState.open(dir, JOB).writingStarted()).isTrue();
        assertThat(first.writingStarted()).as("the first run's own view is not re-read").isFalse();
    }

    @Test
    void theStateOfAnotherJobOrAnotherBootIsIgnored() throws IOException {
        BootState.open(dir, JOB).markWritingStarted();
        assertThat(BootState.open(dir, "/dev/vdb s3://images/os.img.lz4").writingStarted()).isFalse();

        Path file = dir.resolve("state");
        BootState.open(dir, JOB).markWritingStarted();
        String text = Files.readString(file);
        assertThat(text).contains("writing=true").contains("job=" + JOB);
        Files.writeString(file, text.replaceFirst("boot=.*", "boot=00000000-0000-0000-0000-000000000000"));
        BootState fresh = BootState.open(dir, JOB);
        assertThat(fresh.writingStarted()).as("a file left from an earlier boot").isFalse();
        assertThat(fresh.elapsed()).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anUnreadableStateIsTakenToSayWritingBegan() throws IOException {
        BootState.open(dir, JOB);
        Files.writeString(dir.resolve("state"), "boot=\\uZZZZ\n");
        assertThat(BootState.open(dir, JOB).writingStarted()).isTrue();

        Files.writeString(dir.resolve("state"), Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip()
                .transform(boot -> "boot=" + boot + "\njob=" + JOB + "\nstarted=garbage\n"));
        assertThat(BootState.open(dir, JOB).writingStarted()).isTrue();
    }

    @Test
    void aStateInMemoryCountsFromItsOwnStartAndRecordsWrites() throws IOException {
        BootState state = BootState.inMemory();
        assertThat(state.elapsed()).isLessThan(Duration.ofSeconds(5));
        state.markWritingStarted();
        assertThat(state.writingStarted()).isTrue();
        assertThat(dir).isEmptyDirectory();
    }
}
