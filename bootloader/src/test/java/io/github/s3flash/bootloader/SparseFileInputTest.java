package io.github.s3flash.bootloader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sparse disk images on this machine's file system (ext4 here and in CI, which keep holes): the
 * holes the kernel reports ({@code lseek(SEEK_DATA)}) are where the file was never written, reading
 * skips them byte-exact, and {@code s3flash image create} makes from a sparse file the very object
 * it makes from the same bytes through a pipe (which has no holes to tell), which the stock
 * {@code lz4} decodes to the file. A block device has no holes to tell: data everywhere.
 */
class SparseFileInputTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    /** A file of {@code length} bytes with random data at the given MiB-aligned offsets, one MiB each; holes elsewhere. */
    private static Path sparse(Path file, long length, Random random, long... dataAt) throws IOException {
        byte[] image = new byte[Math.toIntExact(length)];
        for (long at : dataAt) {
            System.arraycopy(TestImages.random(random, MIB), 0, image, (int) at, MIB);
        }
        return TestImages.writeSparse(file, image);
    }

    @Test
    void theKernelsHolesAreReportedAndSkippingThemReadsTheSameBytes() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path file = sparse(dir.resolve("disk.img"), 40L * MIB + 12345, random, 4L * MIB, 5L * MIB, 20L * MIB);
        try (var in = new SparseFileInput(file)) {
            assertThat(in.length()).isEqualTo(Files.size(file));
            assertThat(in.dataFrom(0)).as("a hole from 0 to the first data (ext4 keeps holes)").isEqualTo(4L * MIB);
            assertThat(in.dataFrom(4L * MIB + 100)).as("inside data").isEqualTo(4L * MIB + 100);
            assertThat(in.dataFrom(6L * MIB)).as("the hole after two MiB of data").isEqualTo(20L * MIB);
            // The last byte was written to give the file its length: the hole runs to its block.
            assertThat(in.dataFrom(21L * MIB)).as("the hole before the last block").isGreaterThanOrEqualTo(40L * MIB);
            assertThat(in.dataFrom(in.length())).as("at the end").isEqualTo(in.length());
        }
        byte[] expected = Files.readAllBytes(file);
        try (InputStream in = new SparseFileInput(file)) {
            var got = new java.io.ByteArrayOutputStream();
            byte[] buffer = new byte[1 + random.nextInt(3 * MIB)];
            long at = 0;
            while (at < expected.length) {
                if (random.nextInt(4) == 0) {
                    long n = Math.min(expected.length - at, random.nextInt(2 * MIB));
                    in.skipNBytes(n);
                    got.write(new byte[(int) n]);
                    java.util.Arrays.fill(expected, (int) at, (int) (at + n), (byte) 0);
                    at += n;
                    continue;
                }
                int n = in.read(buffer, 0, 1 + random.nextInt(buffer.length));
                assertThat(n).isPositive();
                got.write(buffer, 0, n);
                at += n;
            }
            assertThat(in.read()).as("the end").isEqualTo(-1);
            assertThat(got.toByteArray()).as(Seeds.describe(seed) + ": reads between skips").isEqualTo(expected);
        }
    }

    @Test
    void bytesAtOffsetsFromSeveralThreadsAreTheFilesAndTheEndIsNamed() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        Path file = sparse(dir.resolve("disk.img"), 16L * MIB + 1 + random.nextInt(MIB), random, 2L * MIB, 7L * MIB);
        byte[] expected = Files.readAllBytes(file);
        try (var in = new SparseFileInput(file); var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            var reads = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int i = 0; i < 64; i++) {
                int offset = random.nextInt(expected.length);
                int length = 1 + random.nextInt(Math.min(2 * MIB, expected.length - offset));
                reads.add(pool.submit(() -> {
                    try (var arena = java.lang.foreign.Arena.ofConfined()) {
                        ByteBuffer bytes = in.bytes(offset, length, arena);
                        byte[] got = new byte[bytes.remaining()];
                        bytes.get(got);
                        assertThat(java.util.Arrays.equals(got, 0, got.length, expected, offset, offset + length))
                                .as(Seeds.describe(seed) + ": " + length + " bytes at " + offset).isTrue();
                    }
                    return null;
                }));
            }
            for (var read : reads) {
                read.get();
            }
            try (var arena = java.lang.foreign.Arena.ofConfined()) {
                assertThatThrownBy(() -> in.bytes(expected.length - 10, 20, arena))
                        .isInstanceOf(java.io.EOFException.class)
                        .hasMessageContaining("ends at byte " + expected.length)
                        .hasMessageContaining("changed while");
            }
        }
    }

    @Test
    void createMakesTheSameObjectFromASparseFileAsFromAPipe() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        // Chunks of 1 MiB: some wholly in holes (skipped), some data, one partly a hole, a short last one.
        Path file = sparse(dir.resolve("os.img"), 24L * MIB + 4096 * (1 + random.nextInt(200)), random,
                2L * MIB, 3L * MIB, 9L * MIB + 512 * 1024, 17L * MIB);
        Path fromFile = dir.resolve("file.img.lz4");
        var r = CliProcess.modulePath("image", "create", "--source", file.toString(), "--target", fromFile.toString(),
                "--chunk-size", "1m", "--progress", "none");
        assertThat(r.exit()).as(r.toString()).isZero();
        Path fromPipe = dir.resolve("pipe.img.lz4");
        var piped = ImageCli.piped(file, null, Map.of(), List.of(), "image", "create", "--source", "-", "--target",
                fromPipe.toString(), "--chunk-size", "1m", "--progress", "none");
        assertThat(piped.exit()).as(piped.toString()).isZero();
        assertThat(Files.readAllBytes(fromFile)).as(Seeds.describe(seed) + ": a sparse file and a pipe of its bytes")
                .isEqualTo(Files.readAllBytes(fromPipe));
        Path decoded = dir.resolve("decoded.img");
        Cli.run(List.of("lz4", "-d", "-c", "-q"), fromFile, decoded);
        assertThat(Files.mismatch(decoded, file)).as(Seeds.describe(seed) + ": lz4 -d of the object").isEqualTo(-1);
        assertThat(r.err()).as("no restricted-method warning: the launcher grants the module native access")
                .doesNotContain("WARNING");
    }

    @Test
    void aBlockDeviceReportsDataEverywhere() throws Exception {
        var random = new Random(Seeds.next());
        try (LoopDevice loop = LoopDevice.create(dir, 8L * MIB)) {
            try (FileChannel out = FileChannel.open(loop.device(), StandardOpenOption.WRITE)) {
                out.write(ByteBuffer.wrap(TestImages.random(random, 3 * MIB)), MIB);
                out.force(true);
            }
            byte[] device = loop.read(8 * MIB);
            try (var in = new SparseFileInput(loop.device())) {
                assertThat(in.length()).as("its capacity").isEqualTo(8L * MIB);
                long offset = 4096L * random.nextInt(2048);
                assertThat(in.dataFrom(offset)).as("a block device reads every byte").isEqualTo(offset);
                int at = random.nextInt(4 * MIB);
                int length = 1 + random.nextInt(4 * MIB);
                try (var arena = java.lang.foreign.Arena.ofConfined()) {
                    ByteBuffer mapped = in.bytes(at, length, arena);
                    byte[] got = new byte[mapped.remaining()];
                    mapped.get(got);
                    assertThat(got).as("the device's pages mapped at " + at).isEqualTo(
                            java.util.Arrays.copyOfRange(device, at, at + length));
                }
                assertThat(in.readAllBytes()).isEqualTo(device);
            }
        }
    }
}
