package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore path on a real ext4 file system on a loop device. */
class BootRestorerTest {

    @TempDir
    Path dir;

    @Test
    void restoresBootBakAndIsIdempotent() throws IOException {
        try (var root = Ext4RootFixture.create(dir)) {
            List<String> log = new ArrayList<>();
            var restorer = new BootRestorer(log::add);
            restorer.restore(root.device());
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            restorer.restore(root.device());
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(log).hasSize(2).allMatch(l -> l.contains("restored /boot from /boot.bak on " + root.device()));
        }
    }

    @Test
    void finishesARestoreInterruptedBetweenItsSteps() throws IOException {
        try (var root = Ext4RootFixture.create(dir)) {
            // As if a previous restore stopped after moving /boot aside and before moving /boot.bak in.
            root.edit(m -> Files.move(m.resolve("boot"), m.resolve(BootRestorer.ASIDE)));
            new BootRestorer(l -> {}).restore(root.device());
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }

    @Test
    void aDiskWithoutAFileSystemIsReportedNotWiped() throws IOException {
        try (var blank = LoopDevice.create(dir, 4 << 20)) {
            assertThatThrownBy(() -> new BootRestorer(l -> {}).restore(blank.device()))
                    .hasMessageContaining("cannot restore the old boot")
                    .hasMessageContaining(blank.device() + " (does not mount)");
        }
    }
}
