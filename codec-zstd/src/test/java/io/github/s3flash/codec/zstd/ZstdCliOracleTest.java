package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.SplitReads;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code zstd} and {@code pzstd} CLIs are the oracle: what they write with each flag
 * combination decodes byte for byte through the codec, and what the codec writes decodes byte for
 * byte with {@code zstd -d}.
 */
class ZstdCliOracleTest {

    private static final int BLOCK = 128 << 10;

    private final Codec codec = new ZstdCodec();

    @TempDir
    Path dir;

    /** The CLI's variants: levels, checksums, long windows, threads; pzstd for multi-frame output. */
    static Stream<List<String>> cliCommands() {
        return Stream.of(
                List.of("zstd"),
                List.of("zstd", "-1"),
                List.of("zstd", "-19"),
                List.of("zstd", "--fast=5"),
                List.of("zstd", "--no-check"),
                List.of("zstd", "--long=27"),
                List.of("zstd", "--long=31", "-3"),
                List.of("zstd", "-T0"),
                List.of("zstd", "-T0", "-9", "--long"),
                List.of("zstd", "--no-content-size", "-5"),
                List.of("pzstd", "-p", "2", "-3"));
    }

    @ParameterizedTest
    @MethodSource("cliCommands")
    void decodesWhatTheCliWrites(List<String> command) throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int size : sizes(random)) {
            byte[] image = size % 3 == 2 ? TestImages.random(random, size) : TestImages.diskLike(random, size);
            byte[] compressed = cliCompress(image, command);
            String where = command + ", size " + size + ", " + Seeds.describe(seed);
            assertThat(codec.probe(head(compressed))).as(where).isEqualTo(ProbeResult.CERTAINLY);
            assertThat(decode(new ByteArrayInputStream(compressed))).as(where).isEqualTo(image);
            assertThat(decode(SplitReads.random(new ByteArrayInputStream(compressed), random, 70_000)))
                    .as("split reads, " + where).isEqualTo(image);
        }
    }

    @Test
    void pzstdWritesSeveralFramesThatDecodeAsOne() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 9 << 20);
        byte[] compressed = cliCompress(image, List.of("pzstd", "-p", "2", "-1"));
        assertThat(frames(compressed)).as("pzstd frames, " + Seeds.describe(seed)).isGreaterThan(2);
        assertThat(decode(new ByteArrayInputStream(compressed))).as(Seeds.describe(seed)).isEqualTo(image);
    }

    static Stream<Map<String, String>> encodeOptions() {
        return Stream.of(
                Map.of(),
                Map.of("level", "1", "checksum", "false"),
                Map.of("level", "19"),
                Map.of("level", "6", "long", "true", "workers", "2"),
                Map.of("level", "-3"));
    }

    @ParameterizedTest
    @MethodSource("encodeOptions")
    void theCliDecodesWhatWeWrite(Map<String, String> options) throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int size : sizes(random)) {
            byte[] image = size % 3 == 2 ? TestImages.random(random, size) : TestImages.diskLike(random, size);
            byte[] compressed = encode(image, Options.of(options));
            Path in = Files.write(dir.resolve("ours.zst"), compressed);
            Path out = dir.resolve("ours.out");
            Cli.run(List.of("zstd", "-q", "-d", "-c", in.toString()), null, out);
            assertThat(Files.readAllBytes(out)).as("zstd -d of ours, options %s, size %d, %s", options, size,
                    Seeds.describe(seed)).isEqualTo(image);
        }
    }

    @Test
    void theCliDecodesOurLongestWindowWithItsLongFlag() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 3 << 20);
        byte[] compressed = encode(image, Options.of(Map.of("level", "1", "long", "31")));
        Path in = Files.write(dir.resolve("long31.zst"), compressed);
        Path out = dir.resolve("long31.out");
        Cli.run(List.of("zstd", "-q", "-d", "--long=31", "-c", in.toString()), null, out);
        assertThat(Files.readAllBytes(out)).as(Seeds.describe(seed)).isEqualTo(image);
        assertThat(decode(new ByteArrayInputStream(compressed))).as(Seeds.describe(seed)).isEqualTo(image);
    }

    @Test
    void decodesConcatenatedAndSkippableFramesLikeTheCli() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        var stream = new ByteArrayOutputStream();
        var expected = new ByteArrayOutputStream();
        stream.write(skippable(random, 20));
        for (List<String> command : cliCommands().toList()) {
            byte[] part = TestImages.diskLike(random, random.nextInt(400_000));
            stream.write(cliCompress(part, command));
            expected.write(part);
            if (random.nextBoolean()) {
                stream.write(skippable(random, random.nextInt(300)));
            }
        }
        byte[] ours = TestImages.diskLike(random, 100_000);
        stream.write(encode(ours, Options.empty()));
        expected.write(ours);
        byte[] all = stream.toByteArray();

        Path in = Files.write(dir.resolve("concat.zst"), all);
        Path out = dir.resolve("concat.out");
        Cli.run(List.of("zstd", "-q", "-d", "--long=31", "-c", in.toString()), null, out);
        assertThat(Files.readAllBytes(out)).as("the CLI's reading, " + Seeds.describe(seed))
                .isEqualTo(expected.toByteArray());
        assertThat(decode(new ByteArrayInputStream(all))).as(Seeds.describe(seed)).isEqualTo(expected.toByteArray());
        assertThat(decode(SplitReads.random(new ByteArrayInputStream(all), random, 100))).as(Seeds.describe(seed))
                .isEqualTo(expected.toByteArray());
    }

    static ByteBuffer head(byte[] compressed) {
        return ByteBuffer.wrap(compressed, 0, Math.min(compressed.length, Codec.PROBE_LENGTH)).slice().asReadOnlyBuffer();
    }

    static byte[] skippable(Random random, int size) {
        byte[] frame = new byte[8 + size];
        random.nextBytes(frame);
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(0x184D2A50 + random.nextInt(16)).putInt(size);
        return frame;
    }

    /** Counts zstd frames (not skippable ones) with the library's frame-size parser. */
    private static int frames(byte[] compressed) {
        int count = 0;
        int at = 0;
        while (at < compressed.length) {
            long size = com.github.luben.zstd.Zstd.findFrameCompressedSize(compressed, at);
            if (ByteBuffer.wrap(compressed, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == ZstdCodec.MAGIC) {
                count++;
            }
            at += (int) size;
        }
        return count;
    }

    /** 0, 1, just off the 128 KiB block size, and a few random sizes. */
    static List<Integer> sizes(Random random) {
        Set<Integer> sizes = new LinkedHashSet<>(List.of(0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 1));
        sizes.add(1 + random.nextInt(300_000));
        sizes.add(1 + random.nextInt(3 << 20));
        return new ArrayList<>(sizes);
    }

    byte[] cliCompress(byte[] image, List<String> command) throws IOException, InterruptedException {
        Path in = Files.write(dir.resolve("image.bin"), image);
        Path out = dir.resolve("image.zst");
        var full = new ArrayList<>(command);
        full.addAll(List.of("-q", "-c", in.toString()));
        Cli.run(full, null, out);
        return Files.readAllBytes(out);
    }

    private byte[] encode(byte[] image, Options options) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream enc = codec.encode(out, options)) {
            enc.write(image);
        }
        return out.toByteArray();
    }

    private byte[] decode(InputStream compressed) throws IOException {
        try (InputStream in = codec.decode(compressed)) {
            return in.readAllBytes();
        }
    }
}
