package io.github.s3flash.bootloader.release;

import io.github.s3flash.testkit.LoopDevice;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;

/** Helpers for the release tests: the shell tools as processes, the CLI as a process, initrd parsing. */
final class ReleaseFiles {

    /** release/ in the source tree (the tests run in bootloader/). */
    static final Path RELEASE = Path.of("..", "release").toAbsolutePath().normalize();

    record Run(int exit, String out, String err) {}

    record Entry(String name, long mode, long uid, long inode, long nlink, long rdevMajor, long rdevMinor,
            byte[] data) {}

    private ReleaseFiles() {}

    /** What runs on a small /boot. */
    interface OnBoot {
        void run(Path boot) throws IOException;
    }

    /**
     * Runs {@code body} on a fresh 8 MiB ext4 file system (a loop device mounted at {@code
     * tmp}/small, unmounted afterwards): a /boot too small for much.
     */
    static void onSmallBoot(Path tmp, OnBoot body) throws IOException {
        try (var loop = LoopDevice.create(tmp, 8 << 20)) {
            LoopDevice.run(List.of("mkfs.ext4", "-q", "-F", loop.device().toString()));
            Path small = Files.createDirectories(tmp.resolve("small"));
            LoopDevice.run(List.of("mount", loop.device().toString(), small.toString()));
            try {
                body.run(small);
            } finally {
                LoopDevice.run(List.of("umount", small.toString()));
            }
        }
    }

    /**
     * Grows the initrd.gz of each of {@code dirs} (on the file system at {@code boot}) until the file
     * system has room for less than one more of them; returns their SHA-256s.
     */
    static String[] fillInitrds(Path boot, Path[] dirs) throws IOException {
        long initrd = Files.getFileStore(boot).getUsableSpace() / 2 - (64 << 10);
        String[] hashes = new String[dirs.length];
        for (int i = 0; i < dirs.length; i++) {
            Files.write(dirs[i].resolve("initrd.gz"), new byte[(int) initrd]);
            hashes[i] = sha256(dirs[i].resolve("initrd.gz"));
        }
        return hashes;
    }

    /**
     * Two release folders holding the same small initrd.gz, to hold a shell tool and its CLI twin to
     * each other: the first for the script (with {@code extraTools} beside the usual ones), the second
     * for {@code s3flash initrd}.
     */
    static Path[] scriptAndCliReleases(Path dir, String... extraTools) throws IOException {
        Path tree = Files.createDirectories(dir.resolve("tree/etc"));
        Files.writeString(tree.resolve("hostname"), "s3flash\n");
        var base = new ByteArrayOutputStream();
        NewcArchives.writeTree(tree.getParent(), base);
        Path sh = release(dir.resolve("sh"));
        for (String tool : extraTools) {
            Files.copy(RELEASE.resolve(tool), sh.resolve(tool), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path java = release(dir.resolve("java"));
        Files.write(sh.resolve("initrd.gz"), base.toByteArray());
        Files.write(java.resolve("initrd.gz"), base.toByteArray());
        return new Path[] {sh, java};
    }

    /**
     * Runs {@code script} in the first of {@code dirs} and {@code s3flash initrd SUBCOMMAND --initrd} on
     * the second's initrd.gz, both on {@code file}.
     */
    static Run[] runBoth(Path[] dirs, String script, String subcommand, Path file) throws IOException {
        return new Run[] {
            sh(dirs[0].resolve(script), file.toString()),
            cli("initrd", subcommand, "--initrd", dirs[1].resolve("initrd.gz").toString(), file.toString())};
    }

    /**
     * Lays out a release folder as the tarball has it: the two shell tools, grub/grub.cfg.in, and a
     * stand-in vmlinuz and initrd.gz (not bootable, but as long as release.sizes says).
     */
    static Path release(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("grub"));
        for (String tool : List.of("configure_bootloader.sh", "add_ssh_key.sh", "initrd-append.sh")) {
            Files.copy(RELEASE.resolve(tool), dir.resolve(tool));
        }
        Files.copy(RELEASE.resolve("grub.cfg.in"), dir.resolve("grub/grub.cfg.in"));
        Files.write(dir.resolve("vmlinuz"), new byte[3000]);
        Files.write(dir.resolve("initrd.gz"), new byte[5000]);
        Files.writeString(dir.resolve(GrubConfig.SIZES), "3000 vmlinuz\n5000 initrd.gz\n");
        return dir;
    }

    /** Runs a shell tool with /bin/sh (dash on Debian: POSIX, no bash features). */
    static Run sh(Path script, String... args) throws IOException {
        return sh(Map.of(), null, script, args);
    }

    /**
     * A directory of links to busybox, one for each of its applets: with it alone on PATH and busybox's
     * sh, a shell tool runs as on a busybox system (the in-memory OS, a minimal old OS).
     */
    static Path busybox(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("busybox-bin"));
        Run list = run(List.of("/bin/busybox", "--list"));
        for (String applet : list.out().split("\n")) {
            if (!applet.isBlank() && !Files.exists(bin.resolve(applet.strip()), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(bin.resolve(applet.strip()), Path.of("/bin/busybox"));
            }
        }
        return bin;
    }

    /** Runs a shell tool with busybox's sh and nothing but busybox's applets on PATH. */
    static Run busyboxSh(Path bin, Path script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(bin.resolve("sh").toString(), script.toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().put("PATH", bin.toString());
        return run(builder);
    }

    /**
     * Runs a shell tool with /bin/sh, with {@code env} laid over the environment, in {@code cwd} (null:
     * this process's).
     */
    static Run sh(Map<String, String> env, Path cwd, Path script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("/bin/sh", script.toString()));
        command.addAll(List.of(args));
        var builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        if (cwd != null) {
            builder.directory(cwd.toFile());
        }
        return run(builder);
    }

    /** Runs the packaged s3flash CLI on the module path, with Commons Compress resolved as build hosts do. */
    static Run cli(String... args) throws IOException {
        Path lib = Path.of(System.getProperty("s3flash.lib", "target/lib"));
        Path jar = Path.of(System.getProperty("s3flash.jar", "target/s3flash-bootloader.jar"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED,io.github.s3flash.bootloader", "-p", lib + File.pathSeparator + jar,
                "--add-modules", "org.apache.commons.compress",
                "-m", "io.github.s3flash.bootloader/io.github.s3flash.bootloader.Main"));
        command.addAll(List.of(args));
        return run(command);
    }

    static Run run(List<String> command) throws IOException {
        return run(new ProcessBuilder(command));
    }

    private static Run run(ProcessBuilder builder) throws IOException {
        List<String> command = builder.command();
        Process p = builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // the process is gone; its exit code tells
            }
        });
        p.getInputStream().transferTo(out);
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("did not finish in 2 minutes: " + command);
            }
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Run(p.exitValue(), out.toString(), err.toString());
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Splits concatenated gzip members, as the kernel does when it unpacks an initramfs, and returns each
     * member decompressed. Fails on trailing garbage.
     */
    static List<byte[]> gzipMembers(byte[] file) throws IOException {
        List<byte[]> members = new ArrayList<>();
        int at = 0;
        while (at < file.length) {
            if ((file[at] & 0xff) != 0x1f || (file[at + 1] & 0xff) != 0x8b || file[at + 2] != 8) {
                throw new IOException("no gzip member at byte " + at);
            }
            int flags = file[at + 3];
            int p = at + 10;
            if ((flags & 4) != 0) {
                p += 2 + ((file[p] & 0xff) | (file[p + 1] & 0xff) << 8);
            }
            if ((flags & 8) != 0) {
                while (file[p++] != 0) { /* FNAME */ }
            }
            if ((flags & 16) != 0) {
                while (file[p++] != 0) { /* FCOMMENT */ }
            }
            if ((flags & 2) != 0) {
                p += 2;
            }
            var inflater = new Inflater(true);
            inflater.setInput(file, p, file.length - p);
            var out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            try {
                while (!inflater.finished()) {
                    int n = inflater.inflate(buf);
                    if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                        throw new IOException("truncated gzip member at byte " + at);
                    }
                    out.write(buf, 0, n);
                }
            } catch (DataFormatException e) {
                throw new IOException("corrupt gzip member at byte " + at, e);
            }
            at = file.length - inflater.getRemaining() + 8;
            inflater.end();
            members.add(out.toByteArray());
        }
        return members;
    }

    /** The entries of one newc cpio archive, read with Commons Compress. */
    static List<Entry> cpio(byte[] archive) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (var in = new CpioArchiveInputStream(new ByteArrayInputStream(archive))) {
            CpioArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.add(new Entry(e.getName(), e.getMode(), e.getUID(), e.getInode(), e.getNumberOfLinks(),
                        e.getRemoteDeviceMaj(), e.getRemoteDeviceMin(), in.readAllBytes()));
            }
        }
        return entries;
    }
}
