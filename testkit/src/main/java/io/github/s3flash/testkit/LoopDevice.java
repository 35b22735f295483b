package io.github.s3flash.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real loop block device over a backing file, made with {@code losetup} (needs root). Closing
 * detaches it and deletes the backing file.
 */
public final class LoopDevice implements AutoCloseable {

    private final Path device;
    private final Path backingFile;

    private LoopDevice(Path device, Path backingFile) {
        this.device = device;
        this.backingFile = backingFile;
    }

    /** How a loop device reaches its backing file. */
    public enum Backing {
        /** Through the page cache, as {@code losetup} does by default. */
        PAGE_CACHE,
        /** With direct I/O ({@code --direct-io=on}): writes reach the backing file's disk, as on a real disk. */
        DIRECT_IO
    }

    /** A loop device of {@code size} bytes (zero-filled, sparse) with 512-byte sectors. */
    public static LoopDevice create(Path dir, long size) throws IOException {
        return create(dir, size, 512, Backing.PAGE_CACHE);
    }

    /** A loop device of {@code size} bytes (zero-filled, sparse) with {@code sectorSize}-byte logical blocks. */
    public static LoopDevice create(Path dir, long size, int sectorSize, Backing backing) throws IOException {
        Path file = Files.createTempFile(dir, "loop", ".img");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        List<String> command = new ArrayList<>(List.of("losetup", "--find", "--show"));
        if (sectorSize != 512) {
            command.add("--sector-size");
            command.add(Integer.toString(sectorSize));
        }
        if (backing == Backing.DIRECT_IO) {
            command.add("--direct-io=on");
        }
        command.add(file.toString());
        String out = run(command).trim();
        return new LoopDevice(Path.of(out), file);
    }

    /** Whether this process may make loop devices (root with losetup available). */
    public static boolean available() {
        try {
            run(List.of("losetup", "--version"));
            return "root".equals(System.getProperty("user.name")) && Files.exists(Path.of("/dev/loop-control"));
        } catch (IOException e) {
            return false;
        }
    }

    public Path device() {
        return device;
    }

    public Path backingFile() {
        return backingFile;
    }

    /** The device's bytes, read through the device (not the backing file). */
    public byte[] read(int length) throws IOException {
        try (var in = Files.newInputStream(device)) {
            return in.readNBytes(length);
        }
    }

    public static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command + " timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(command + " failed with exit code " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        try {
            run(List.of("losetup", "--detach", device.toString()));
        } finally {
            Files.deleteIfExists(backingFile);
        }
    }
}
