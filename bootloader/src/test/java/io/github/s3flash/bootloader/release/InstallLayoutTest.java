package io.github.s3flash.bootloader.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.bootloader.boot.BootConfig;
import io.github.s3flash.bootloader.boot.BootRestorer;
import io.github.s3flash.bootloader.boot.KernelCommandLine;
import io.github.s3flash.bootloader.boot.RestoreTarget;
import io.github.s3flash.bootloader.boot.RootDevice;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, the restore part: configure_bootloader.sh and {@code s3flash grub configure} check at
 * install time that the backup is where the restore will look, and record what the restore needs, on
 * real ext4 file systems on loop devices laid out as the two supported layouts (/boot a directory of
 * the root file system; /boot a file system of its own, here a second loop device mounted on /boot).
 * Both tools give the same verdict, the same message and the same grub.cfg; and what they record
 * makes the restore put the old boot back where GRUB reads it.
 */
class InstallLayoutTest {

    private static final String SOURCE = "fleet-images/os.img.lz4";
    private static final String OLD_CFG = "menuentry 'old os' { linux /vmlinuz-6.1 root=/dev/vda1 }\n";

    @TempDir
    Path tmp;

    private final List<LoopDevice> loops = new ArrayList<>();
    private final List<Path> mounts = new ArrayList<>();

    /** A root file system mounted at {@code root}, with /boot (a directory, or a second file system) and /boot.bak. */
    private record Layout(Path root, Path boot, LoopDevice rootDevice, LoopDevice bootDevice, String bootUuid) {}

    private Layout layout(boolean separateBoot) throws IOException {
        Layout l = backedUp(separateBoot, 32 << 20);
        Path release = ReleaseFiles.release(tmp.resolve("release" + loops.size()));
        LoopDevice.run(List.of("cp", "-a", release + "/.", l.boot().toString()));
        return l;
    }

    /** The old OS's /boot (of {@code bootSize} bytes when separate) and the first install step: its backup. */
    private Layout backedUp(boolean separateBoot, int bootSize) throws IOException {
        LoopDevice rootDevice = loop(UUID.randomUUID().toString(), 32 << 20);
        Path root = mount(rootDevice, Files.createDirectories(tmp.resolve("root" + loops.size())));
        Path boot = Files.createDirectories(root.resolve("boot"));
        LoopDevice bootDevice = null;
        String uuid = null;
        if (separateBoot) {
            uuid = UUID.randomUUID().toString();
            bootDevice = loop(uuid, bootSize);
            mount(bootDevice, boot);
        }
        Files.createDirectories(boot.resolve("grub"));
        Files.writeString(boot.resolve("grub/grub.cfg"), OLD_CFG);
        Files.writeString(boot.resolve("vmlinuz-6.1"), "old kernel");
        LoopDevice.run(List.of("cp", "-a", boot.toString(), root.resolve("boot.bak").toString()));
        return new Layout(root, boot, rootDevice, bootDevice, uuid);
    }

    private LoopDevice loop(String uuid, int size) throws IOException {
        LoopDevice loop = LoopDevice.create(tmp, size);
        loops.add(loop);
        LoopDevice.run(List.of("mkfs.ext4", "-q", "-F", "-U", uuid, loop.device().toString()));
        return loop;
    }

    private Path mount(LoopDevice device, Path at) throws IOException {
        LoopDevice.run(List.of("mount", device.device().toString(), at.toString()));
        mounts.add(at);
        return at;
    }

    @AfterEach
    void unmountAndDetach() throws IOException {
        for (Path m : mounts.reversed()) {
            LoopDevice.run(List.of("umount", m.toString()));
        }
        for (LoopDevice loop : loops) {
            loop.close();
        }
    }

    /** The verdict of one tool: the arguments written, or the refusal's message; grub.cfg afterwards. */
    private record Verdict(String outcome, String grubCfg) {}

    /** Runs the script, then (grub.cfg put back) the Java tool, on the same layout. */
    private Verdict[] both(Layout layout, Map<String, String> env, String root, String... options) throws IOException {
        Path cfg = layout.boot().resolve("grub/grub.cfg");
        String before = Files.readString(cfg);
        List<String> args = new ArrayList<>(List.of(SOURCE, root));
        args.addAll(List.of(options));
        ReleaseFiles.Run sh = ReleaseFiles.sh(env, null, layout.boot().resolve("configure_bootloader.sh"),
                args.toArray(String[]::new));
        String shOutcome = sh.exit() == 0 ? "ok: " + sh.out().substring(sh.out().indexOf(": ") + 2).strip()
                : sh.err().strip().replaceFirst("^configure_bootloader.sh: refused: ", "refused: ")
                        .replaceFirst("; grub.cfg is unchanged$", "");
        String shCfg = Files.readString(cfg);
        Files.writeString(cfg, before);
        String javaOutcome;
        try {
            javaOutcome = "ok: " + GrubConfig.configure(layout.boot(), SOURCE, root, List.of(options));
        } catch (IllegalArgumentException e) {
            javaOutcome = "refused: " + e.getMessage();
        }
        return new Verdict[] {new Verdict(shOutcome, shCfg), new Verdict(javaOutcome, Files.readString(cfg))};
    }

    private Verdict agreed(Layout layout, String root, String... options) throws IOException {
        return agreed(layout, Map.of(), root, options);
    }

    private Verdict agreed(Layout layout, Map<String, String> env, String root, String... options) throws IOException {
        Verdict[] v = both(layout, env, root, options);
        assertThat(v[0]).as("the script and the Java tool").isEqualTo(v[1]);
        return v[0];
    }

    @Test
    void bootOnTheRootFileSystemIsAcceptedAndNothingIsRecorded() throws IOException {
        Layout l = layout(false);
        Verdict v = agreed(l, l.rootDevice().device().toString(), "s3flash.watchdog=600");
        assertThat(v.outcome()).isEqualTo("ok: root=" + l.rootDevice().device() + " source=" + SOURCE
                + " s3flash.watchdog=600");
        assertThat(v.grubCfg()).contains("panic=30 root=" + l.rootDevice().device());
        assertThat(onBusybox(l, l.rootDevice().device().toString(), "s3flash.watchdog=600")).isEqualTo(v.outcome());
    }

    /** The script run as a busybox system runs it: busybox's sh and applets alone (no blkid, no GNU tools). */
    private String onBusybox(Layout layout, String root, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of(SOURCE, root));
        args.addAll(List.of(options));
        var r = ReleaseFiles.busyboxSh(ReleaseFiles.busybox(tmp), layout.boot().resolve("configure_bootloader.sh"),
                args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return "ok: " + r.out().substring(r.out().indexOf(": ") + 2).strip();
    }

    @Test
    void aSeparateBootFileSystemIsRecordedByUuid() throws IOException {
        Layout l = layout(true);
        Verdict v = agreed(l, l.rootDevice().device().toString());
        assertThat(v.outcome()).isEqualTo("ok: root=" + l.rootDevice().device() + " source=" + SOURCE
                + " s3flash.bootfs=UUID=" + l.bootUuid());
        // Without blkid (busybox has none) the script reads the UUID from the ext4 superblock.
        Verdict noBlkid = both(l, Map.of("PATH", "/usr/bin:/bin"), l.rootDevice().device().toString())[0];
        assertThat(noBlkid.outcome()).isEqualTo(v.outcome());
        assertThat(onBusybox(l, l.rootDevice().device().toString())).isEqualTo(v.outcome());
        assertThat(BackupCheck.superblockUuid(l.bootDevice().device())).contains(l.bootUuid());
        // Given by the operator, it is checked rather than recorded again.
        assertThat(agreed(l, l.rootDevice().device().toString(), "s3flash.bootfs=" + l.bootDevice().device())
                .outcome()).doesNotContain("UUID=");
        assertThat(agreed(l, l.rootDevice().device().toString(), "s3flash.bootfs=" + l.rootDevice().device())
                .outcome()).startsWith("refused: s3flash.bootfs=" + l.rootDevice().device() + " does not name /dev/"
                        + l.bootDevice().device().getFileName());
    }

    @Test
    void rootCanBeNamedByUuidThroughFindfs() throws IOException {
        Layout l = layout(false);
        String uuid = LoopDevice.run(List.of("blkid", "-s", "UUID", "-o", "value", l.rootDevice().device().toString()))
                .strip();
        assertThat(agreed(l, "UUID=" + uuid).outcome()).startsWith("ok: root=UUID=" + uuid);
    }

    @Test
    void everyBackupTheRestoreWouldNotFindOrShouldNotUseIsRefused() throws IOException {
        Layout l = layout(false);
        String root = l.rootDevice().device().toString();
        Path backup = l.root().resolve("boot.bak");
        String cfgBefore = Files.readString(l.boot().resolve("grub/grub.cfg"));

        assertThat(agreed(l, root, "s3flash.bootfs=UUID=" + UUID.randomUUID()).outcome())
                .startsWith("refused: s3flash.bootfs= is given but " + l.boot() + " is not a file system of its own");

        Files.writeString(backup.resolve("grub/grub.cfg"), "menuentry \"" + BackupCheck.MENU_TITLE + "\" {}\n");
        assertThat(agreed(l, root).outcome()).startsWith("refused: " + backup.resolve("grub/grub.cfg")
                + " is the bootloader's own grub.cfg: the backup was made after the bootloader was configured");

        Files.delete(backup.resolve("grub/grub.cfg"));
        assertThat(agreed(l, root).outcome()).startsWith("refused: " + backup + " holds no grub/grub.cfg");

        LoopDevice.run(List.of("rm", "-rf", backup.toString()));
        assertThat(agreed(l, root).outcome()).startsWith("refused: there is no " + backup
                + ": make the backup the restore puts back first (cp -a " + l.boot() + " " + backup);

        LoopDevice.run(List.of("cp", "-a", l.boot().toString(), backup.toString()));
        Files.writeString(backup.resolve("grub/grub.cfg"), OLD_CFG);
        try (var other = LoopDevice.create(tmp, 4 << 20)) {
            assertThat(agreed(l, other.device().toString()).outcome()).startsWith("refused: " + backup
                    + " is on /dev/" + l.rootDevice().device().getFileName() + ", which is neither root="
                    + other.device());
        }
        assertThat(agreed(l, "/dev/s3flash-test-missing").outcome())
                .startsWith("refused: root=/dev/s3flash-test-missing is not a block device on this system");
        assertThat(Files.readString(l.boot().resolve("grub/grub.cfg"))).isEqualTo(cfgBefore);

        // Not installed in /boot: the restore renames boot.bak to boot, beside it.
        Path elsewhere = Files.createDirectories(l.root().resolve("opt/s3flash"));
        LoopDevice.run(List.of("cp", "-a", l.boot() + "/.", elsewhere.toString()));
        var sh = ReleaseFiles.sh(elsewhere.resolve("configure_bootloader.sh"), SOURCE, root);
        assertThat(sh.err()).contains("refused: " + elsewhere + " is not /boot");
        assertThat(ReleaseFiles.sh(elsewhere.resolve("configure_bootloader.sh"), "--no-backup-check", SOURCE, root)
                .exit()).isZero();
    }

    /**
     * Found by the boot-chain test: a /boot without room for the release. tar, run as the README runs
     * it, stops with the file system full and leaves the release cut short; GRUB would boot that into a
     * kernel panic, with neither a flash nor a restore. Both tools refuse it, with the same message, and
     * grub.cfg stays the old OS's.
     */
    @Test
    void aReleaseCutShortByABootWithoutRoomIsRefused() throws IOException {
        Layout l = backedUp(true, 8 << 20);
        Path release = ReleaseFiles.release(tmp.resolve("large-release"));
        int initrd = 12 << 20;
        Files.write(release.resolve("initrd.gz"), new byte[initrd]);
        Files.writeString(release.resolve(GrubConfig.SIZES), "3000 vmlinuz\n" + initrd + " initrd.gz\n");
        Path tarball = tmp.resolve("bootloader-x86_64.tar.gz");
        LoopDevice.run(List.of("tar", "--sort=name", "-czf", tarball.toString(), "-C", release.toString(), "."));
        ReleaseFiles.Run untar = ReleaseFiles.run(List.of("tar", "-xzf", tarball.toString(), "-C", l.boot().toString()));
        assertThat(untar.err()).as("tar ran out of room").contains("No space left on device");
        assertThat(Files.size(l.boot().resolve("initrd.gz"))).isLessThan(initrd);

        Verdict v = agreed(l, l.rootDevice().device().toString());
        // Which file tar left short depends on where the room ran out (here: vmlinuz, the last, empty).
        assertThat(v.outcome()).startsWith("refused: " + l.boot() + "/").containsAnyOf(
                ": it was cut short, most likely because " + l.boot() + " ran out of room while the release was unpacked",
                GrubConfig.SIZES + " is missing: the release in " + l.boot() + " is incomplete");
        assertThat(v.grubCfg()).isEqualTo(OLD_CFG);
    }

    /**
     * What the install check records is what the restore needs: configured on a separate /boot, the
     * grub.cfg's own arguments, given to boot mode, make the restore put /boot.bak back onto the boot
     * file system GRUB reads (found by its UUID through a udev-like /dev tree).
     */
    @Test
    void theRecordedLayoutLetsTheRestorePutTheOldBootBackWhereGrubReadsIt() throws IOException {
        Layout l = layout(true);
        var sh = ReleaseFiles.sh(l.boot().resolve("configure_bootloader.sh"), SOURCE, l.rootDevice().device().toString());
        assertThat(sh.exit()).as(sh.err()).isZero();
        String cfg = Files.readString(l.boot().resolve("grub/grub.cfg"));
        String linux = cfg.lines().filter(s -> s.strip().startsWith("linux ")).findFirst().orElseThrow();
        Map<String, String> before;
        try (Stream<Path> walk = Files.walk(l.root().resolve("boot.bak"))) {
            before = snapshot(l.root().resolve("boot.bak"), walk.toList());
        }
        for (Path m : mounts.reversed()) {
            LoopDevice.run(List.of("umount", m.toString()));
        }
        mounts.clear();

        Path dev = Files.createDirectories(tmp.resolve("dev/disk/by-uuid")).getParent().getParent();
        Files.createSymbolicLink(dev.resolve("disk/by-uuid").resolve(l.bootUuid()), l.bootDevice().device());
        Files.createSymbolicLink(dev.resolve(l.rootDevice().device().getFileName().toString()),
                l.rootDevice().device());
        RestoreTarget target = BootConfig.restoreTarget(KernelCommandLine.parse(linux)).orElseThrow();
        assertThat(target.bootFs()).isEqualTo("UUID=" + l.bootUuid());
        var roots = new RootDevice(dev);
        List<String> log = new ArrayList<>();
        new BootRestorer(log::add).restore(roots.resolve(target.root()), roots.resolve(target.bootFs()),
                target.grubArguments());
        assertThat(log).containsExactly("restored the /boot file system " + l.bootDevice().device()
                + " from /boot.bak on " + l.rootDevice().device());

        Path boot = mount(l.bootDevice(), Files.createDirectories(tmp.resolve("after")));
        try (Stream<Path> walk = Files.walk(boot)) {
            assertThat(snapshot(boot, walk.filter(p -> !boot.relativize(p).toString().startsWith("lost+found"))
                    .toList())).isEqualTo(before);
        }
        assertThat(Files.readString(boot.resolve("grub/grub.cfg"))).isEqualTo(OLD_CFG);
    }

    private static Map<String, String> snapshot(Path top, List<Path> paths) throws IOException {
        var files = new java.util.TreeMap<String, String>();
        for (Path p : paths) {
            String rel = top.relativize(p).toString();
            if (!rel.isEmpty() && !rel.startsWith("lost+found")) {
                files.put(rel, Files.isDirectory(p) ? "/" : Files.readString(p));
            }
        }
        return files;
    }
}
