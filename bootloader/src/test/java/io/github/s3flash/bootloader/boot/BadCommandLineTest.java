package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Item 1 of issue 13: every class of command line boot mode may be given, and what it does with each,
 * run as the in-memory OS runs it ({@link BootService#boot}) on real ext4 file systems on loop devices:
 * <ul>
 *   <li><b>restore</b>: the line cannot be used, but root= names a disk that holds the old boot: it is
 *       put back at once (no waiting for the watchdog, here 600 s) and the machine reboots;
 *   <li><b>retry</b>: the line is good, so the service keeps trying until the watchdog, then restores
 *       if it can;
 *   <li><b>wait</b>: no restore is possible (root= missing, unusable or never there, no /boot.bak where
 *       GRUB reads): the machine stays up for SSH and nothing reboots it.
 * </ul>
 */
@Timeout(300)
class BadCommandLineTest {

    private static final String SOURCE = "file:///nonexistent/s3flash-test/os.img";

    enum Disk { ROOT_WITH_BOOT_BAK, SEPARATE_BOOT, NO_FILE_SYSTEM, NONE }

    enum Reaction { RESTORE, RETRY, WAIT }

    /**
     * One class of command line: {@code line} with {@code {root}} for the root device and {@code {bootfs}}
     * for the separate boot file system's UUID.
     */
    record Case(String what, Disk disk, String line, Reaction reaction, BootService.Outcome outcome) {}

    private static final List<Case> CASES = List.of(
            new Case("missing root=", Disk.ROOT_WITH_BOOT_BAK, "source=" + SOURCE + " s3flash.watchdog=600",
                    Reaction.WAIT, BootService.Outcome.STAYING_UP),
            new Case("malformed root=", Disk.ROOT_WITH_BOOT_BAK, "root=vda source=" + SOURCE + " s3flash.watchdog=600",
                    Reaction.WAIT, BootService.Outcome.STAYING_UP),
            new Case("root= given twice", Disk.ROOT_WITH_BOOT_BAK, "root={root} root={root} source=" + SOURCE,
                    Reaction.WAIT, BootService.Outcome.STAYING_UP),
            new Case("missing source=", Disk.ROOT_WITH_BOOT_BAK, "root={root} s3flash.watchdog=600",
                    Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("unknown key (a typo)", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=" + SOURCE + " s3flash.watchdg=600", Reaction.RESTORE,
                    BootService.Outcome.RESTORED),
            new Case("bad value", Disk.ROOT_WITH_BOOT_BAK, "root={root} source=" + SOURCE + " s3flash.watchdog=10m",
                    Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("empty value", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=" + SOURCE + " s3flash.watchdog=600 s3flash.sha256=", Reaction.RESTORE,
                    BootService.Outcome.RESTORED),
            new Case("a key given twice", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=" + SOURCE + " s3flash.watchdog=600 s3flash.after=none s3flash.after=reboot",
                    Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("an option boot mode never honours (create)", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=" + SOURCE + " s3flash.watchdog=600 s3flash.option.create=true",
                    Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("bad source=", Disk.ROOT_WITH_BOOT_BAK, "root={root} source=nokey s3flash.watchdog=600",
                    Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("a grub.cfg that is not the one GRUB read (another source)", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=s3://fleet/another.img s3flash.watchdog=10m", Reaction.WAIT,
                    BootService.Outcome.STAYING_UP),
            new Case("bad value, /boot a file system of its own", Disk.SEPARATE_BOOT,
                    "root={root} source=" + SOURCE + " s3flash.bootfs=UUID={bootfs} s3flash.watchdog=600"
                            + " s3flash.progress=0", Reaction.RESTORE, BootService.Outcome.RESTORED),
            new Case("bad value, root never appears", Disk.NONE,
                    "root=/dev/s3flash-test-missing source=" + SOURCE + " s3flash.watchdog=2 s3flash.after=halt",
                    Reaction.WAIT, BootService.Outcome.STAYING_UP),
            new Case("bad value, no file system on root", Disk.NO_FILE_SYSTEM,
                    "root={root} source=" + SOURCE + " s3flash.watchdog=600 s3flash.after=halt", Reaction.WAIT,
                    BootService.Outcome.STAYING_UP),
            new Case("good line, root never appears", Disk.NONE,
                    "root=/dev/s3flash-test-missing source=" + SOURCE + " s3flash.watchdog=2", Reaction.RETRY,
                    BootService.Outcome.STAYING_UP),
            new Case("good line, source never appears", Disk.ROOT_WITH_BOOT_BAK,
                    "root={root} source=" + SOURCE + " s3flash.watchdog=2", Reaction.RETRY,
                    BootService.Outcome.RESTORED));

    @TempDir
    Path dir;

    @Test
    void everyClassOfCommandLineRestoresRetriesOrWaitsAsTheTableSays() throws Exception {
        int n = 0;
        for (Case c : CASES) {
            Path caseDir = java.nio.file.Files.createDirectories(dir.resolve("case" + n++));
            switch (c.disk()) {
                case ROOT_WITH_BOOT_BAK, SEPARATE_BOOT -> {
                    // The bootloader's grub.cfg holds the command line this boot was given, as GRUB read it.
                    String source = c.line().contains("source=nokey") ? "nokey" : SOURCE;
                    try (var root = c.disk() == Disk.SEPARATE_BOOT ? Ext4RootFixture.separateBoot(caseDir, source)
                            : Ext4RootFixture.create(caseDir, source)) {
                        Map<String, String> before = root.files();
                        List<String> log = run(c, caseDir, root.devTree(caseDir.resolve("dev")),
                                c.line().replace("{root}", root.device().toString())
                                        .replace("{bootfs}", String.valueOf(root.bootUuid())));
                        if (c.outcome() == BootService.Outcome.RESTORED) {
                            if (c.disk() == Disk.SEPARATE_BOOT) {
                                assertThat(root.bootFiles()).as(c.what()).isEqualTo(Ext4RootFixture.oldBootFiles(""));
                                assertThat(root.files()).as(c.what())
                                        .isEqualTo(Ext4RootFixture.restoredRootOfSeparateBoot());
                            } else {
                                assertThat(root.files()).as(c.what()).isEqualTo(Ext4RootFixture.restoredLayout());
                            }
                        } else {
                            assertThat(root.files()).as(c.what()).isEqualTo(before);
                        }
                        assertThat(log).as(c.what()).noneMatch(l -> l.startsWith("restored") && c.outcome()
                                != BootService.Outcome.RESTORED);
                    }
                }
                case NO_FILE_SYSTEM -> {
                    try (var blank = LoopDevice.create(caseDir, 4 << 20)) {
                        Path dev = java.nio.file.Files.createDirectories(caseDir.resolve("dev"));
                        java.nio.file.Files.createSymbolicLink(dev.resolve(blank.device().getFileName().toString()),
                                blank.device());
                        run(c, caseDir, dev, c.line().replace("{root}", blank.device().toString()));
                    }
                }
                case NONE -> run(c, caseDir, java.nio.file.Files.createDirectories(caseDir.resolve("dev")), c.line());
            }
        }
    }

    /**
     * Found by the boot-chain test: the flash service's JVM died (SIGSEGV) right after it put the old
     * boot back and before it rebooted; /init restarted it, and the restarted service found no
     * /boot.bak and would have stayed up in the in-memory OS. A service restarted in the same boot after
     * a restore reboots into the old OS at once, for the watchdog's restore and an unusable command line
     * alike; a restore recorded in another boot does not count.
     */
    @Test
    void aServiceRestartedAfterItsRestoreRebootsIntoTheOldOs() throws Exception {
        for (String line : List.of("s3flash.watchdog=10m", "s3flash.watchdog=2")) {
            Path caseDir = java.nio.file.Files.createDirectories(dir.resolve("restart-" + line.length()));
            try (var root = Ext4RootFixture.create(caseDir, SOURCE)) {
                String cmdline = "root=" + root.device() + " source=" + SOURCE + " " + line;
                Path dev = root.devTree(caseDir.resolve("dev"));
                Path state = caseDir.resolve("run");
                List<BootConfig.After> power = new CopyOnWriteArrayList<>();
                List<String> log = new CopyOnWriteArrayList<>();
                assertThat(BootService.boot(KernelCommandLine.parse(cmdline), state, ProviderRegistry.load(),
                        new RootDevice(dev), power::add, log::add, i -> ProgressListener.NONE))
                        .as(String.join("\n", log)).isEqualTo(BootService.Outcome.RESTORED);
                assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());

                // The same boot, the service started again as if the first had died before its reboot.
                List<String> again = new CopyOnWriteArrayList<>();
                assertThat(BootService.boot(KernelCommandLine.parse(cmdline), state, ProviderRegistry.load(),
                        new RootDevice(dev), power::add, again::add, i -> ProgressListener.NONE))
                        .as(String.join("\n", again)).isEqualTo(BootService.Outcome.RESTORED);
                assertThat(power).containsExactly(BootConfig.After.REBOOT, BootConfig.After.REBOOT);
                assertThat(again).anyMatch(l -> l.startsWith("the old boot was put back by an earlier run"))
                        .anyMatch(l -> l.equals("rebooting into the old OS"));
                assertThat(root.files()).isEqualTo(Ext4RootFixture.restoredLayout());

                // A mark from another boot is not this boot's restore.
                java.nio.file.Files.writeString(state.resolve("restored"), "another-boot\n");
                assertThat(BootState.restoredInThisBoot(state)).isEmpty();
            }
        }
    }

    private List<String> run(Case c, Path caseDir, Path dev, String line) throws IOException, InterruptedException {
        List<String> log = new CopyOnWriteArrayList<>();
        List<BootConfig.After> power = new CopyOnWriteArrayList<>();
        long start = System.nanoTime();
        BootService.Outcome outcome = BootService.boot(KernelCommandLine.parse(line), caseDir.resolve("run"),
                ProviderRegistry.load(), new RootDevice(dev), power::add, log::add, i -> ProgressListener.NONE);
        double seconds = (System.nanoTime() - start) / 1e9;
        String context = c.what() + ": " + line + "\n" + String.join("\n", log);
        assertThat(outcome).as(context).isEqualTo(c.outcome());
        assertThat(power).as(context).isEqualTo(outcome == BootService.Outcome.RESTORED
                ? List.of(BootConfig.After.REBOOT) : List.of());
        switch (c.reaction()) {
            case RESTORE -> {
                assertThat(log).as(context).anyMatch(l -> l.startsWith("the kernel command line cannot be used: "))
                        .noneMatch(l -> l.startsWith("flash not started"));
                assertThat(seconds).as(context + "\nrestored at once, not after the watchdog").isLessThan(60);
            }
            case RETRY -> assertThat(log).as(context).anyMatch(l -> l.startsWith("flash not started"))
                    .anyMatch(l -> l.startsWith("watchdog: nothing written 2 s after"));
            case WAIT -> assertThat(log).as(context)
                    .anyMatch(l -> l.startsWith("no restore is possible, so this machine stays up"));
        }
        return log;
    }
}
