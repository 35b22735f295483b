package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI as users run it: provider discovery on the module path and on the class path,
 * a flash with its report, and every refusal with its exit code, its message and an unchanged
 * target.
 */
class CliTest {

    @TempDir
    Path dir;

    private Path image(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static String hash(Path file) throws IOException {
        return TestImages.sha256(Files.readAllBytes(file));
    }

    /** CI's check that no provider of the build is broken: {@code --strict} fails on any that does not load. */
    @Test
    void providersAreFoundOnTheModulePath() throws IOException {
        var r = CliProcess.modulePath("providers", "--strict");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("source\\s+file\\s+io\\.github\\.s3flash\\.api\\s+0\\.1\\.0")
                .containsPattern("codec\\s+raw\\s+io\\.github\\.s3flash\\.api")
                .containsPattern("sink\\s+blockdev\\s+io\\.github\\.s3flash\\.sink\\.blockdev");
        assertThat(r.err()).doesNotContain("WARNING");
    }

    @Test
    void providersAreFoundOnTheClassPathThroughMetaInfServices() throws IOException {
        var r = CliProcess.classPath("providers", "--strict");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("source\\s+file\\s+unnamed \\(class path\\)")
                .containsPattern("codec\\s+raw\\s+unnamed \\(class path\\)")
                .containsPattern("sink\\s+blockdev\\s+unnamed \\(class path\\)");
    }

    /** Issue 13 item 16: a provider that fails to load is reported, and fails {@code providers --strict}. */
    @Test
    void aProviderThatFailsToLoadFailsProvidersWhenStrict() throws IOException {
        Path broken = dir.resolve("broken-plugin.jar");
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(broken))) {
            jar.putNextEntry(new java.util.jar.JarEntry("META-INF/services/io.github.s3flash.api.Codec"));
            jar.write("com.example.missing.BrokenCodec\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        var lenient = CliProcess.classPath(java.util.List.of(broken), "providers");
        assertThat(lenient.exit()).as(lenient.toString()).isZero();
        assertThat(lenient.err()).contains("s3flash providers: warning: a Codec provider failed to load")
                .contains("com.example.missing.BrokenCodec");
        assertThat(lenient.out()).containsPattern("codec\\s+raw");

        var strict = CliProcess.classPath(java.util.List.of(broken), "providers", "--strict");
        assertThat(strict.exit()).as(strict.toString()).isEqualTo(ExitCode.PROVIDER_FAILED);
        assertThat(strict.err()).contains("s3flash providers: error: a Codec provider failed to load")
                .contains("com.example.missing.BrokenCodec");
    }

    @Test
    void flashWritesTheImageAndReportsItsSha256() throws IOException {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 3_000_001);
        Path source = image("os.img", bytes);
        Path target = dir.resolve("disk.img");
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString(),
                "--codec", "raw", "--create", "--sha256", TestImages.sha256(bytes));
        assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
        assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
        assertThat(r.out()).contains("sha256:        " + TestImages.sha256(bytes))
                .contains("image bytes:   3000001");
        assertThat(r.err()).contains("s3flash: flashing " + source.toUri())
                .contains("writing started");
    }

    @Test
    void unknownSchemeIsRefusedBeforeWriting() throws IOException {
        Path target = image("disk.img", new byte[8192]);
        String before = hash(target);
        var r = CliProcess.modulePath("flash", "--source", "ftp://host/os.img", "--target", target.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("no source is installed for scheme 'ftp'").contains("installed schemes:");
        assertThat(hash(target)).isEqualTo(before);
    }

    @Test
    void missingSourceFileIsRefusedBeforeWriting() throws IOException {
        Path target = image("disk.img", new byte[8192]);
        String before = hash(target);
        var r = CliProcess.modulePath("flash", "--source", dir.resolve("nope.img").toString(),
                "--target", target.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("image file " + dir.resolve("nope.img") + " does not exist");
        assertThat(hash(target)).isEqualTo(before);
    }

    @Test
    void unknownCodecNameListsTheInstalledCodecs() throws IOException {
        Path source = image("os.img", new byte[4096]);
        Path target = image("disk.img", new byte[8192]);
        String before = hash(target);
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString(),
                "--codec", "lzma");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("unknown codec 'lzma'").contains("installed codecs:").contains("raw");
        assertThat(hash(target)).isEqualTo(before);
    }

    @Test
    void unrecognisedImageListsTheInstalledCodecsAndSuggestsRaw() throws IOException {
        byte[] text = "this is not a compressed image, just text".repeat(200).getBytes();
        Path source = image("os.img", text);
        Path target = image("disk.img", new byte[16384]);
        String before = hash(target);
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("no installed codec recognises").contains("first bytes: 74 68 69 73")
                .contains("installed codecs:").contains("--codec raw");
        assertThat(hash(target)).isEqualTo(before);
    }

    @Test
    void targetTooSmallIsRefusedBeforeWriting() throws IOException {
        Path source = image("os.img", TestImages.random(new Random(3), 20_000));
        Path target = image("disk.img", TestImages.random(new Random(4), 8192));
        String before = hash(target);
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString(),
                "--codec", "raw");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("is 20000 bytes but target " + target + " holds only 8192 bytes");
        assertThat(hash(target)).isEqualTo(before);
    }

    @Test
    void targetTooSmallBlockDeviceIsRefusedWithItsContentUnchanged() throws IOException {
        Path source = image("os.img", TestImages.random(new Random(5), 3 << 20));
        try (var loop = LoopDevice.create(dir, 2 << 20)) {
            Files.write(loop.backingFile(), TestImages.random(new Random(6), 2 << 20));
            String before = TestImages.sha256(loop.read(2 << 20));
            var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target",
                    loop.device().toString(), "--codec", "raw");
            assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
            assertThat(r.err()).contains("holds only " + (2 << 20) + " bytes");
            assertThat(TestImages.sha256(loop.read(2 << 20))).isEqualTo(before);
        }
    }

    @Test
    void missingDeviceIsRefusedAndNothingIsCreatedUnderDev() throws IOException {
        Path source = image("os.img", new byte[4096]);
        Path device = Path.of("/dev/s3flash-test-no-such-disk");
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", device.toString(),
                "--codec", "raw", "--create");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("no installed sink accepts target " + device + " (it does not exist)");
        assertThat(device).doesNotExist();
    }

    @Test
    void missingFileTargetIsCreatedOnlyWhenAsked() throws IOException {
        Path source = image("os.img", new byte[4096]);
        Path target = dir.resolve("new-disk.img");
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString(),
                "--codec", "raw");
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.REFUSED);
        assertThat(r.err()).contains("does not exist").contains("--create");
        assertThat(target).doesNotExist();
    }

    @Test
    void sha256MismatchIsAVerificationFailure() throws IOException {
        Path source = image("os.img", TestImages.random(new Random(8), 10_000));
        Path target = dir.resolve("disk.img");
        String wrong = "0".repeat(64);
        var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", target.toString(),
                "--codec", "raw", "--create", "--sha256", wrong);
        assertThat(r.exit()).as(r.toString()).isEqualTo(ExitCode.VERIFICATION_FAILED);
        assertThat(r.err()).contains("verification failed").contains("but " + wrong + " was expected");
    }

    @Test
    void badUsageIsExitCodeTwo() throws IOException {
        var missingTarget = CliProcess.modulePath("flash", "--source", "/x");
        assertThat(missingTarget.exit()).as(missingTarget.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(missingTarget.err()).contains("Missing required option: '--target=PATH'");
        var badOption = CliProcess.modulePath("flash", "--source", "/x", "--target", "/y", "-o", "chunk-size=5000");
        assertThat(badOption.exit()).as(badOption.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(badOption.err()).contains("option chunk-size=5000 is not valid: expected a multiple of 4096");
        var badHash = CliProcess.modulePath("flash", "--source", "/x", "--target", "/y", "--sha256", "abc");
        assertThat(badHash.exit()).as(badHash.toString()).isEqualTo(ExitCode.USAGE);
        assertThat(badHash.err()).contains("64 hex digits");
    }

    @Test
    void aFourGibibyteImageFlashesWithASmallHeap() throws IOException {
        Path source = dir.resolve("sparse.img");
        try (var raf = new java.io.RandomAccessFile(source.toFile(), "rw")) {
            raf.setLength(4L << 30);
            raf.seek((4L << 30) - 4096);
            raf.write(TestImages.random(new Random(9), 4096));
        }
        Path target = dir.resolve("disk.img");
        var r = CliProcess.modulePath(java.util.List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m"), "flash",
                "--source", source.toString(), "--target", target.toString(), "--codec", "raw", "--create");
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.size(target)).isEqualTo(4L << 30);
        assertThat(r.out()).contains("image bytes:   " + (4L << 30));
    }

    @Test
    void bootModeFlashesFromTheKernelCommandLineAndRebootsThroughTheHookOnce() throws IOException {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 3 << 20);
        Path source = image("os.img", bytes);
        Path calls = dir.resolve("reboots");
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        hook.toFile().setExecutable(true);
        try (var loop = LoopDevice.create(dir, 4 << 20)) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "BOOT_IMAGE=/vmlinuz root=" + loop.device()
                    + " source=" + source.toUri() + " s3flash.codec=raw s3flash.watchdog=120 s3flash.progress=1 quiet\n");
            var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--reboot-command", hook.toString(),
                    "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(bytes.length)).isEqualTo(bytes);
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(r.err()).contains("s3flash: boot mode: flashing " + source.toUri())
                    .contains("sha256 " + TestImages.sha256(bytes)).contains("rebooting into the new image");
        }
    }

    /**
     * A typo in a kernel option (issue 13, item 1): boot mode cannot use the command line, so it restores
     * the old boot at once, says why, and reboots into the old OS: exit 6, never a machine stranded in
     * the in-memory OS.
     */
    @Test
    void bootModeGivenAnUnknownKernelOptionRestoresTheOldBootAtOnceSayingWhy() throws IOException {
        Path calls = dir.resolve("reboots");
        Path hook = Files.writeString(dir.resolve("reboot-hook"), "#!/bin/sh\necho reboot >> " + calls + "\n");
        hook.toFile().setExecutable(true);
        try (var root = io.github.s3flash.bootloader.boot.Ext4RootFixture.create(dir, "my-bucket/os.img.lz4")) {
            Path cmdline = Files.writeString(dir.resolve("cmdline"), "BOOT_IMAGE=/boot/vmlinuz root=" + root.device()
                    + " source=my-bucket/os.img.lz4 s3flash.wachdog=5 console=ttyS0\n");
            var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--reboot-command", hook.toString(),
                    "--state-dir", dir.resolve("state").toString());
            assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.RESTORED);
            assertThat(r.err()).contains("the kernel command line cannot be used: unknown option s3flash.wachdog,"
                    + " did you mean s3flash.watchdog?").contains("Valid kernel options: root=")
                    .contains("restored /boot from /boot.bak on " + root.device()).contains("rebooting into the old OS");
            assertThat(Files.readAllLines(calls)).containsExactly("reboot");
            assertThat(root.files()).isEqualTo(io.github.s3flash.bootloader.boot.Ext4RootFixture.restoredLayout());
        }
        var help = CliProcess.modulePath("boot", "--help");
        assertThat(help.out()).contains("--cmdline=FILE").contains("--reboot-command=CMD").contains("s3flash.after=")
                .contains("7 no restore possible (staying up)");
    }

    @Test
    void bootModeWithoutRootStaysUpAndSaysNoRestoreIsPossible() throws IOException {
        Path cmdline = Files.writeString(dir.resolve("cmdline"), "source=my-bucket/os.img.lz4 s3flash.watchdog=5\n");
        var r = CliProcess.modulePath("boot", "--cmdline", cmdline.toString(), "--reboot-command", "false",
                "--state-dir", dir.resolve("state").toString());
        assertThat(r.exit()).as(r.toString()).isEqualTo(BootCommand.STAYING_UP);
        assertThat(r.err()).contains("root= is missing").contains("no restore is possible, so this machine stays up");
    }

    @Test
    void writeModeFlagsReachTheSink() throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] bytes = new byte[6 << 20];
        System.arraycopy(TestImages.random(random, 1 << 20), 0, bytes, 2 << 20, 1 << 20);
        Path source = image("os.img", bytes);
        try (var loop = LoopDevice.create(dir, 8 << 20)) {
            Files.write(loop.backingFile(), TestImages.random(random, 8 << 20));
            var r = CliProcess.modulePath("flash", "--source", source.toString(), "--target", loop.device().toString(),
                    "--codec", "raw", "--verify", "--zero", "zeroout", "--skip-identical");
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(loop.read(bytes.length)).isEqualTo(bytes);
            String before = TestImages.sha256(loop.read(8 << 20));
            var bad = CliProcess.modulePath("flash", "--source", source.toString(), "--target",
                    loop.device().toString(), "--codec", "raw", "--zero", "sometimes");
            assertThat(bad.exit()).as(bad.toString()).isEqualTo(ExitCode.USAGE);
            assertThat(bad.err()).contains("zero");
            assertThat(TestImages.sha256(loop.read(8 << 20))).isEqualTo(before);
        }
    }

    @Test
    void imagesMadeByTheStockClisAreDetectedAndFlashedWithoutNativeAccessWarnings() throws Exception {
        long seed = Seeds.next();
        byte[] bytes = TestImages.diskLike(new Random(seed), 5_000_000);
        Path raw = image("os.img", bytes);
        for (String codec : new String[] {"lz4", "zstd"}) {
            var compress = codec.equals("lz4")
                    ? new ProcessBuilder("lz4", "-q", "-f", raw.toString(), raw + ".lz4")
                    : new ProcessBuilder("zstd", "-q", "-f", raw.toString(), "-o", raw + ".zstd");
            Process p = compress.inheritIO().start();
            assertThat(p.waitFor()).isZero();
            Path target = dir.resolve("disk-" + codec + ".img");
            var r = CliProcess.modulePath("flash", "--source", raw + "." + codec, "--target", target.toString(),
                    "--create", "--sha256", TestImages.sha256(bytes));
            assertThat(r.exit()).as(r + Seeds.describe(seed)).isZero();
            assertThat(r.out()).contains("codec:         " + codec);
            assertThat(r.err()).doesNotContain("WARNING");
            assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
        }
    }
}
