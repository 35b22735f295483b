package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restore on real ext4 file systems on loop devices, in both supported layouts: /boot on the root
 * file system, and /boot a file system of its own (a second loop device). It changes what GRUB reads,
 * or it changes nothing and says why.
 */
class BootRestorerTest {

    private static final String SOURCE = "s3://fleet/os.img.lz4";

    @TempDir
    Path dir;

    private final List<String> log = new ArrayList<>();

    private static List<String> arguments(Ext4RootFixture root) {
        return List.of(root.grubArguments(SOURCE).split(" "));
    }

    @Test
    void restoresBootBakOnTheRootFileSystemAndASecondRestoreFindsNothingToDo() throws IOException {
        try (var root = Ext4RootFixture.create(dir, SOURCE)) {
            var restorer = new BootRestorer(log::add);
            restorer.restore(root.device(), null, arguments(root));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
            assertThat(log).containsExactly("restored /boot from /boot.bak on " + root.device());
            assertThatThrownBy(() -> restorer.restore(root.device(), null, arguments(root)))
                    .hasMessageContaining("cannot restore the old boot").hasMessageContaining("no /boot.bak");
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }

    @Test
    void finishesARestoreInterruptedBetweenItsSteps() throws IOException {
        try (var root = Ext4RootFixture.create(dir, SOURCE)) {
            // As if a previous restore stopped after moving /boot aside and before moving /boot.bak in.
            root.edit(m -> Files.move(m.resolve("boot"), m.resolve(BootRestorer.ASIDE)));
            new BootRestorer(log::add).restore(root.device(), null, arguments(root));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());
        }
    }

    @Test
    void aDiskWithoutAFileSystemIsReportedNotWiped() throws IOException {
        try (var blank = LoopDevice.create(dir, 4 << 20)) {
            assertThatThrownBy(() -> new BootRestorer(log::add).restore(blank.device(), null, List.of("root=x")))
                    .hasMessageContaining("cannot restore the old boot")
                    .hasMessageContaining(blank.device() + " (does not mount)");
        }
    }

    /**
     * The boot loop of issue 17: with /boot on a partition of its own, /boot.bak is on the root file
     * system, whose /boot is an empty mount point. Renaming there changes nothing GRUB reads; the restore
     * must not do it, nor say it did.
     */
    @Test
    void aRootFileSystemWhoseBootGrubDoesNotReadIsLeftAloneAndNotReportedRestored() throws IOException {
        try (var root = Ext4RootFixture.separateBoot(dir, SOURCE)) {
            Map<String, String> rootBefore = root.files();
            Map<String, String> bootBefore = root.bootFiles();
            assertThatThrownBy(() -> new BootRestorer(log::add).restore(root.device(), null, arguments(root)))
                    .hasMessageContaining("/boot does not hold the grub.cfg that booted this system")
                    .hasMessageContaining("s3flash.bootfs=");
            assertThat(root.files()).isEqualTo(rootBefore);
            assertThat(root.bootFiles()).isEqualTo(bootBefore);
            assertThat(log).isEmpty();
        }
    }

    @Test
    void restoresASeparateBootFileSystemFromBootBakOnTheRootFileSystem() throws IOException {
        try (var root = Ext4RootFixture.separateBoot(dir, SOURCE)) {
            new BootRestorer(log::add).restore(root.device(), root.bootDevice(), arguments(root));
            assertThat(root.bootFiles()).isEqualTo(Ext4RootFixture.oldBootFiles(""));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredRootOfSeparateBoot());
            assertThat(log).containsExactly("restored the /boot file system " + root.bootDevice() + " from /boot.bak on "
                    + root.device());
            LoopDevice.run(List.of("fsck.ext4", "-n", root.bootDevice().toString()));
        }
    }

    @Test
    void finishesARestoreOfASeparateBootInterruptedAfterGrubCfgWasPutBack() throws IOException {
        try (var root = Ext4RootFixture.separateBoot(dir, SOURCE)) {
            // As if a previous run stopped after copying grub.cfg back and before deleting the bootloader's files.
            root.edit(m -> Files.writeString(m.resolve(BootRestorer.RESTORING), root.bootDevice() + "\n"));
            root.editBoot(m -> Files.writeString(m.resolve("grub/grub.cfg"), "menuentry 'old os' {}"));
            new BootRestorer(log::add).restore(root.device(), root.bootDevice(), arguments(root));
            assertThat(root.bootFiles()).isEqualTo(Ext4RootFixture.oldBootFiles(""));
            assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredRootOfSeparateBoot());
        }
    }

    @Test
    void aSeparateBootThatDidNotBootThisSystemIsLeftAlone() throws IOException {
        try (var root = Ext4RootFixture.separateBoot(dir, SOURCE)) {
            Map<String, String> bootBefore = root.bootFiles();
            assertThatThrownBy(() -> new BootRestorer(log::add).restore(root.device(), root.bootDevice(),
                    List.of("root=" + root.device(), "source=s3://fleet/another.img")))
                    .hasMessageContaining("the /boot file system " + root.bootDevice()
                            + " does not hold the grub.cfg that booted this system");
            assertThat(root.bootFiles()).isEqualTo(bootBefore);
        }
    }

    @Test
    void aSeparateBootWithoutRoomForTheBackupIsLeftUnchanged() throws IOException {
        try (var root = Ext4RootFixture.separateBoot(dir, SOURCE)) {
            root.edit(m -> Files.write(m.resolve("boot.bak/initrd.img-old"), new byte[12 << 20]));
            root.editBoot(m -> Files.write(m.resolve("filler"), new byte[18 << 20]));
            Map<String, String> rootBefore = root.files();
            Map<String, String> bootBefore = root.bootFiles();
            assertThatThrownBy(() -> new BootRestorer(log::add).restore(root.device(), root.bootDevice(),
                    arguments(root))).hasMessageContaining("bytes free").hasMessageContaining("nothing was changed");
            assertThat(root.files()).isEqualTo(rootBefore);
            assertThat(root.bootFiles()).isEqualTo(bootBefore);
        }
    }
}
