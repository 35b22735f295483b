package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.testkit.CliCodecContract;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.SplitReads;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code lz4} CLI is the oracle: what it writes with each flag combination decodes byte
 * for byte through the codec, what the codec writes decodes byte for byte with {@code lz4 -d}, and
 * images it wrote (default, linked 64 KiB blocks, content size with block checksums, legacy, no
 * content checksum) flash through the whole pipeline: the shared contract.
 */
class Lz4CliTest extends CliCodecContract {

    private static final List<String> LZ4 = List.of("lz4", "-q", "-c");

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }

    @Override
    protected List<List<String>> cliCommands() {
        return List.of(LZ4, with("-BD", "-B4"), with("--content-size", "-BX"), with("-l"), with("--no-frame-crc", "-B5"));
    }

    @Override
    protected List<String> cliDecompressCommand() {
        return List.of("lz4", "-d", "-c");
    }

    @Override
    protected List<Options> encodeOptionSets() {
        return Stream.of(
                Map.<String, String>of(),
                Map.of("level", "9", "block-size", "64k", "block-checksum", "true"),
                Map.of("level", "2", "block-size", "256k", "content-checksum", "false"),
                Map.of("level", "12", "block-size", "1m", "block-checksum", "true", "content-checksum", "false"),
                Map.of("level", "3", "block-size", "4m")).map(Options::of).toList();
    }

    @Override
    protected int blockSize(Options encodeOptions) throws IOException {
        return (int) encodeOptions.getSize("block-size", 4 << 20);
    }

    private static List<String> with(String... flags) {
        var command = new ArrayList<>(LZ4);
        command.addAll(List.of(flags));
        return command;
    }

    /** Every variant of the format the CLI writes: block sizes, linked blocks, checksums, content size, legacy. */
    static Stream<List<String>> cliFlags() {
        return Stream.of(
                List.of(),
                List.of("-B4"),
                List.of("-B5"),
                List.of("-B6"),
                List.of("-B7"),
                List.of("-BD"),
                List.of("-BD", "-B4"),
                List.of("-BX"),
                List.of("-BX", "-BD", "-B4"),
                List.of("--no-frame-crc"),
                List.of("--no-frame-crc", "-BX", "-B5"),
                List.of("--content-size"),
                List.of("--content-size", "-BD", "-B4", "--no-frame-crc"),
                List.of("-l"),
                List.of("-9"),
                List.of("-12", "-BD", "-B5"),
                List.of("--favor-decSpeed", "-10", "-B6"));
    }

    @ParameterizedTest
    @MethodSource("cliFlags")
    void decodesWhatTheCliWrites(List<String> flags) throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int block = blockSize(flags);
        List<Integer> sizes = sizes(random, block);
        if (flags.contains("-B4")) {
            // lz4 1.9.4 cannot compress a file just under 64 KiB with 64 KiB blocks (Error 41,
            // ERROR_dstMaxSize_tooSmall, from 65533 bytes, earlier with -BX): a bug of the CLI's
            // compressor, so 16 bytes less.
            sizes.replaceAll(s -> s >= block - 16 && s < block ? block - 16 : s);
        }
        for (int size : sizes) {
            byte[] image = size % 3 == 2 ? TestImages.random(random, size) : TestImages.diskLike(random, size);
            byte[] compressed = cliCompress(image, with(flags.toArray(String[]::new)));
            String where = "lz4 " + flags + ", size " + size + ", " + Seeds.describe(seed);
            assertThat(codec().probe(head(compressed))).as(where).isEqualTo(ProbeResult.CERTAINLY);
            assertThat(decode(new ByteArrayInputStream(compressed))).as(where).isEqualTo(image);
            assertThat(decode(SplitReads.random(new ByteArrayInputStream(compressed), random, 70_000)))
                    .as("split reads, " + where).isEqualTo(image);
            if (flags.contains("--content-size") && size > 0) {
                // lz4 writes no content size for an empty input (0 means "unknown" in the format).
                assertThat(codec().decodedLength(head(compressed), compressed.length)).as(where).hasValue(size);
            } else {
                assertThat(codec().decodedLength(head(compressed), compressed.length)).as(where).isEmpty();
            }
        }
    }

    @Test
    void decodesConcatenatedSkippableAndLegacyFramesLikeTheCli() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        var all = new ByteArrayOutputStream();
        var expected = new ByteArrayOutputStream();
        all.write(skippable(random, 12));
        for (List<String> flags : List.of(List.of("-BD", "-B4"), List.of("-l"), List.of("--content-size"),
                List.of("-l"), List.of("--no-frame-crc", "-BX"))) {
            byte[] part = TestImages.diskLike(random, random.nextInt(600_000));
            all.write(cliCompress(part, with(flags.toArray(String[]::new))));
            expected.write(part);
            all.write(skippable(random, random.nextInt(300)));
        }
        byte[] ours = encode(TestImages.diskLike(random, 100_000), Options.empty());
        all.write(ours);
        expected.write(decode(new ByteArrayInputStream(ours)));

        // Expected: the parts themselves. lz4 1.9.4 is no oracle here: on such streams (legacy frames
        // among others, with or without skippable frames) it fails now and then with "Stream followed
        // by undecodable data" (exit 1) although every part alone decodes.
        assertThat(decode(new ByteArrayInputStream(all.toByteArray()))).as(Seeds.describe(seed))
                .isEqualTo(expected.toByteArray());
        assertThat(decode(SplitReads.oneByte(new ByteArrayInputStream(all.toByteArray())))).as(Seeds.describe(seed))
                .isEqualTo(expected.toByteArray());
    }

    @Test
    void aLeadingSkippableFrameDecidesNothingUntilTheFrameAfterIt() {
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertProbeLooksPastSkippableFrames(lz4, zstd);
        assertThat(codec().probe(head(new byte[] {0x02, 0x21, 0x4C, 0x18}))).as("legacy").isEqualTo(ProbeResult.CERTAINLY);
    }

    private static int blockSize(List<String> flags) {
        if (flags.contains("-l")) {
            return Lz4Format.LEGACY_BLOCK_SIZE;
        }
        for (int id = 4; id <= 6; id++) {
            if (flags.contains("-B" + id)) {
                return Lz4Format.blockMaxSize(id);
            }
        }
        return Lz4Format.blockMaxSize(7);
    }
}
