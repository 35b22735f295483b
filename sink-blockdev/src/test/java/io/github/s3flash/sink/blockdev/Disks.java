package io.github.s3flash.sink.blockdev;

import com.sun.nio.file.ExtendedOpenOption;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;

/** Test support: loop devices with known contents, and reads that bypass every cache. */
final class Disks {

    private Disks() {}

    /** A loop device whose bytes are {@code fill} (repeated over its whole size). */
    static LoopDevice loop(Path dir, long size, int sectorSize, LoopDevice.Backing backing, byte[] fill)
            throws IOException {
        LoopDevice loop = LoopDevice.create(dir, size, sectorSize, backing);
        try {
            fillBacking(loop.backingFile(), size, fill);
            return loop;
        } catch (IOException | RuntimeException e) {
            loop.close();
            throw e;
        }
    }

    /** Writes {@code fill} over the file's first {@code size} bytes and forces it (a direct-io loop reads the disk). */
    static void fillBacking(Path file, long size, byte[] fill) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            for (long at = 0; at < size; at += fill.length) {
                ByteBuffer b = ByteBuffer.wrap(fill, 0, (int) Math.min(fill.length, size - at));
                while (b.hasRemaining()) {
                    ch.write(b, at + b.position());
                }
            }
            ch.force(true);
        }
    }

    /** {@code length} bytes of noise without a single zero block. */
    static byte[] garbage(Random random, int length) {
        byte[] b = TestImages.random(random, length);
        for (int i = 0; i < b.length; i += 512) {
            b[i] = (byte) 0xA5;
        }
        return b;
    }

    /** The first {@code length} bytes of a device or file, read with O_DIRECT so no cache answers. */
    static byte[] readDirect(Path path, int length) throws IOException {
        int rounded = (length + 4095) / 4096 * 4096;
        ByteBuffer buffer = ByteBuffer.allocateDirect(rounded + 4096).alignedSlice(4096).limit(rounded);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, ExtendedOpenOption.DIRECT)) {
            while (buffer.hasRemaining()) {
                int n = ch.read(buffer, buffer.position());
                if (n <= 0 || n % 4096 != 0) {
                    break;
                }
            }
        }
        byte[] out = new byte[Math.min(length, buffer.position())];
        buffer.flip().get(out);
        return out;
    }

    static String sha256(Path path, int length) throws IOException {
        return TestImages.sha256(readDirect(path, length));
    }

    static String run(String... command) throws IOException {
        return LoopDevice.run(List.of(command));
    }

    static Path write(Path dir, String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }
}
