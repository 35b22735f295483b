package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.CliCodecContract;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.SplitReads;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code zstd} and {@code pzstd} CLIs are the oracle: what they write with each flag
 * combination decodes byte for byte through the codec, what the codec writes decodes byte for byte
 * with {@code zstd -d}, and images they wrote (default, multithreaded with a 2 GiB window, no
 * checksum at level 1, pzstd's independent frames) flash through the whole pipeline: the shared
 * contract.
 */
class ZstdCliTest extends CliCodecContract {

    private static final int BLOCK = 128 << 10;

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }

    @Override
    protected List<List<String>> cliCommands() {
        return List.of(quiet("zstd"), quiet("zstd", "-T0", "--long=31"), quiet("zstd", "--no-check", "-1"),
                quiet("pzstd", "-p", "2"));
    }

    @Override
    protected List<String> cliDecompressCommand() {
        return List.of("zstd", "-q", "-d", "-c");
    }

    @Override
    protected List<Options> encodeOptionSets() {
        return Stream.of(
                Map.<String, String>of(),
                Map.of("level", "1", "checksum", "false"),
                Map.of("level", "19"),
                Map.of("level", "6", "long", "true", "workers", "2"),
                Map.of("level", "-3")).map(Options::of).toList();
    }

    @Override
    protected int blockSize(Options encodeOptions) throws IOException {
        return BLOCK;
    }

    /** {@code command} writing quietly to stdout, as the contract runs it (with the file last). */
    private static List<String> quiet(String... command) {
        var full = new ArrayList<>(List.of(command));
        full.addAll(List.of("-q", "-c"));
        return full;
    }

    /** The CLI's variants: levels, checksums, long windows, threads; pzstd for multi-frame output. */
    static Stream<List<String>> cliVariants() {
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
    @MethodSource("cliVariants")
    void decodesWhatTheCliWrites(List<String> command) throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int size : sizes(random, BLOCK)) {
            byte[] image = size % 3 == 2 ? TestImages.random(random, size) : TestImages.diskLike(random, size);
            byte[] compressed = cliCompress(image, quiet(command.toArray(String[]::new)));
            String where = command + ", size " + size + ", " + Seeds.describe(seed);
            assertThat(codec().probe(head(compressed))).as(where).isEqualTo(ProbeResult.CERTAINLY);
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
        byte[] compressed = cliCompress(image, quiet("pzstd", "-p", "2", "-1"));
        assertThat(frames(compressed)).as("pzstd frames, " + Seeds.describe(seed)).isGreaterThan(2);
        assertThat(decode(new ByteArrayInputStream(compressed))).as(Seeds.describe(seed)).isEqualTo(image);
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
        for (List<String> command : cliVariants().toList()) {
            byte[] part = TestImages.diskLike(random, random.nextInt(400_000));
            stream.write(cliCompress(part, quiet(command.toArray(String[]::new))));
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

    @Test
    void aLeadingSkippableFrameDecidesNothingUntilTheFrameAfterIt() {
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertProbeLooksPastSkippableFrames(zstd, lz4);
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
}
