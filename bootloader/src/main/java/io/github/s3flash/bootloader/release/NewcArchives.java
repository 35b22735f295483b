package io.github.s3flash.bootloader.release;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Gzip-compressed cpio archives in the "newc" format the kernel unpacks as an initramfs, written with
 * Apache Commons Compress. Reproducible: entries in sorted order, owner root, time 0, inodes counted
 * from 1, so the same tree always gives the same archive.
 *
 * <p>Only the release tools load this class: it is the one place that links against Commons Compress.
 */
final class NewcArchives {

    private static final int BLOCK = CpioConstants.BLOCK_SIZE;

    private NewcArchives() {}

    /** Archives every file, directory and symbolic link under {@code root}, plus /dev/console and /dev/null. */
    static void writeTree(Path root, OutputStream gzipOut) throws IOException {
        requireNonNull(root, "root");
        try (var gz = new GZIPOutputStream(OutputStreamGuard.unclosable(gzipOut), 64 * 1024);
                var cpio = new CpioArchiveOutputStream(gz, CpioConstants.FORMAT_NEW, BLOCK, "US-ASCII")) {
            var ino = new long[] {1};
            List<Path> all = new ArrayList<>();
            collect(root, all);
            boolean hasDev = false;
            for (Path p : all) {
                String name = root.relativize(p).toString();
                hasDev |= name.equals("dev");
                int mode = permissions(p);
                if (Files.isSymbolicLink(p)) {
                    byte[] target = Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
                    put(cpio, name, CpioConstants.C_ISLNK | 0777, ino[0]++, 1, target, 0, 0);
                } else if (Files.isDirectory(p)) {
                    put(cpio, name, CpioConstants.C_ISDIR | mode, ino[0]++, 2, new byte[0], 0, 0);
                } else if (Files.isRegularFile(p)) {
                    put(cpio, name, CpioConstants.C_ISREG | mode, ino[0]++, 1, p, 0, 0);
                } else {
                    throw new IOException(p + " is neither a file, a directory nor a symbolic link: "
                            + "device nodes come from devtmpfs at boot");
                }
            }
            if (!hasDev) {
                put(cpio, "dev", CpioConstants.C_ISDIR | 0755, ino[0]++, 2, new byte[0], 0, 0);
            }
            // The kernel opens /dev/console for init before anything can mount devtmpfs.
            put(cpio, "dev/console", CpioConstants.C_ISCHR | 0600, ino[0]++, 1, new byte[0], 5, 1);
            put(cpio, "dev/null", CpioConstants.C_ISCHR | 0666, ino[0]++, 1, new byte[0], 1, 3);
            cpio.finish();
        }
    }

    /**
     * The archive add-ssh-key appends: root/ (0700), root/.ssh/ (0700) and root/.ssh/authorized_keys (0600).
     * The entries are exactly those {@code add_ssh_key.sh} writes.
     */
    static void writeAuthorizedKeys(byte[] keys, OutputStream gzipOut) throws IOException {
        writeFileTwoDirsDown("root/.ssh/authorized_keys", 0700, 0600, keys, gzipOut);
    }

    /**
     * The archive add-trusted-key appends: etc/ (0755), etc/s3flash/ (0755) and
     * etc/s3flash/allowed_signers (0644). The entries are exactly those {@code add_trusted_key.sh} writes.
     */
    static void writeTrustedKeys(byte[] allowedSigners, OutputStream gzipOut) throws IOException {
        writeFileTwoDirsDown("etc/s3flash/allowed_signers", 0755, 0644, allowedSigners, gzipOut);
    }

    /** An archive of {@code a/b/file}: directory {@code a}, directory {@code a/b} and the file. */
    private static void writeFileTwoDirsDown(String path, int dirMode, int fileMode, byte[] data,
            OutputStream gzipOut) throws IOException {
        requireNonNull(data, "data");
        String dir = path.substring(0, path.lastIndexOf('/'));
        try (var gz = new GZIPOutputStream(OutputStreamGuard.unclosable(gzipOut));
                var cpio = new CpioArchiveOutputStream(gz, CpioConstants.FORMAT_NEW, BLOCK, "US-ASCII")) {
            put(cpio, dir.substring(0, dir.indexOf('/')), CpioConstants.C_ISDIR | dirMode, 1, 2, new byte[0], 0, 0);
            put(cpio, dir, CpioConstants.C_ISDIR | dirMode, 2, 2, new byte[0], 0, 0);
            put(cpio, path, CpioConstants.C_ISREG | fileMode, 3, 1, data, 0, 0);
            cpio.finish();
        }
    }

    /** Appends {@code member} to {@code initrd} through a copy and a rename: a crash never leaves it half-appended. */
    static void append(Path initrd, byte[] member) throws IOException {
        Path tmp = initrd.resolveSibling(initrd.getFileName() + ".tmp");
        Files.copy(initrd, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.write(tmp, member, StandardOpenOption.APPEND);
        Files.move(tmp, initrd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void collect(Path dir, List<Path> out) throws IOException {
        List<Path> children;
        try (Stream<Path> s = Files.list(dir)) {
            children = s.sorted().toList();
        }
        for (Path child : children) {
            out.add(child);
            if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                collect(child, out);
            }
        }
    }

    private static int permissions(Path p) throws IOException {
        if (Files.isSymbolicLink(p)) {
            return 0777;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
        int mode = 0;
        for (PosixFilePermission perm : perms) {
            mode |= 1 << (8 - perm.ordinal());
        }
        return mode;
    }

    private static void put(CpioArchiveOutputStream cpio, String name, int mode, long ino, int links, Object data,
            int rdevMajor, int rdevMinor) throws IOException {
        long size = data instanceof Path p ? Files.size(p) : ((byte[]) data).length;
        var e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, size);
        e.setMode(mode);
        e.setInode(ino);
        e.setNumberOfLinks(links);
        e.setUID(0);
        e.setGID(0);
        e.setTime(0);
        e.setRemoteDeviceMaj(rdevMajor);
        e.setRemoteDeviceMin(rdevMinor);
        cpio.putArchiveEntry(e);
        if (data instanceof Path p) {
            try (InputStream in = Files.newInputStream(p)) {
                in.transferTo(cpio);
            }
        } else {
            cpio.write((byte[]) data);
        }
        cpio.closeArchiveEntry();
    }
}
