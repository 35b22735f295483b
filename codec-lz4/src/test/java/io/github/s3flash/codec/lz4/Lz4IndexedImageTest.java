package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.index.WrittenImage;
import io.github.s3flash.testkit.Cli;
import io.github.s3flash.testkit.IndexedImageContract;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Indexed images of lz4 frames: the {@code lz4} CLI decodes them byte-exact and lists every chunk's
 * frame with its content size; the encoder's {@code content-size} option is exact.
 */
class Lz4IndexedImageTest extends IndexedImageContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }

    @Override
    protected List<String> cliDecode() {
        return List.of("lz4", "-d", "-c");
    }

    @Test
    void theCliListsEveryChunkFrameWithItsContentSize() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 7 * (64 << 10) + 1 + random.nextInt(64 << 10));
        Path object = dir.resolve("listed.lz4");
        WrittenImage written = write(image, new WriterSettings(64 << 10, Options.empty(), 2), object);
        Path listing = dir.resolve("listing");
        // lz4 --list writes its table to stderr.
        Cli.run(List.of("sh", "-c", "lz4 --list -v \"$0\" 2>&1", object.toString()), null, listing);
        List<String> frames = Files.readAllLines(listing).stream().map(String::strip)
                .filter(l -> l.matches("\\d+\\s+LZ4Frame.*")).toList();
        List<String> skippable = Files.readAllLines(listing).stream().filter(l -> l.contains("SkippableFrame")).toList();
        assertThat(frames).as(Seeds.describe(seed)).hasSize(written.manifest().chunkCount());
        for (int k = 0; k < frames.size(); k++) {
            String[] columns = frames.get(k).split("\\s+");
            // Frame, Type, Block, Checksum, Compressed, Uncompressed, Ratio
            assertThat(Long.parseLong(columns[5])).as("frame " + k + ", " + Seeds.describe(seed))
                    .isEqualTo(written.manifest().chunk(k).length());
            assertThat(Long.parseLong(columns[4])).isEqualTo(written.manifest().chunk(k).compressedLength());
        }
        assertThat(skippable).as("head, manifest and footer").hasSize(3);
    }

    @Test
    void framesWrittenInAnyPiecesDecodeByteExactWithTheCli() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        var codec = new Lz4Codec();
        for (int round = 0; round < 12; round++) {
            byte[] data = TestImages.diskLike(random, random.nextInt(3 * (64 << 10)));
            boolean sized = random.nextBoolean();
            Options options = Options.empty().with("block-size", "64k");
            if (sized) {
                options = options.with("content-size", Integer.toString(data.length));
            }
            var out = new ByteArrayOutputStream();
            try (OutputStream enc = codec.encode(out, options)) {
                int at = 0;
                while (at < data.length) {
                    int n = Math.min(data.length - at, random.nextBoolean() ? 1 + random.nextInt(100)
                            : 1 + random.nextInt(150_000));
                    enc.write(data, at, n);
                    at += n;
                }
            }
            Path file = Files.write(dir.resolve("pieces.lz4"), out.toByteArray());
            Path decoded = dir.resolve("pieces.out");
            Cli.run(List.of("lz4", "-d", "-c", file.toString()), null, decoded);
            assertThat(Files.readAllBytes(decoded)).as("round " + round + (sized ? ", sized" : "") + ", "
                    + Seeds.describe(seed)).isEqualTo(data);
        }
    }

    @Test
    void theEmptyImageIsTheSpecificationsExample() throws Exception {
        // docs/image-format.md, section 10, byte for byte.
        String hex = "532a4d18080000005333464c2d494458" + "532a4d18400000005333464c2d4d414e"
                + "01000000400030000116000000000000" + "00000000000000000000000000000000"
                + "10000000000000000000000000000000" + "0000000000000000532a4d1840000000"
                + "5333464c2d454e440100000000000000" + "10000000000000004000000032a4d36a"
                + "d186dbfb47daae4f998ceae5e3c2df36" + "01a7852ca88afd222616cbc7905a8d38";
        Path object = dir.resolve("empty.lz4");
        WrittenImage written = write(new byte[0], WriterSettings.defaults(), object);
        assertThat(java.util.HexFormat.of().formatHex(Files.readAllBytes(object))).isEqualTo(hex);
        assertThat(written.digest()).isEqualTo("32a4d36ad186dbfb47daae4f998ceae5e3c2df3601a7852ca88afd222616cbc7");
    }

    @Test
    void contentSizeIsRecordedAndValidated() throws Exception {
        var codec = new Lz4Codec();
        byte[] data = TestImages.diskLike(new Random(2), 100_000);
        var out = new ByteArrayOutputStream();
        try (OutputStream enc = codec.encode(out, Options.empty().with("content-size", "100000"))) {
            enc.write(data);
        }
        byte[] frame = out.toByteArray();
        assertThat(codec.decodedLength(java.nio.ByteBuffer.wrap(frame, 0, 64), frame.length)).hasValue(100_000);
        Path file = Files.write(dir.resolve("sized.lz4"), frame);
        Path decoded = dir.resolve("sized.out");
        Cli.run(List.of("lz4", "-d", "-c", file.toString()), null, decoded);
        assertThat(Files.readAllBytes(decoded)).isEqualTo(data);

        assertThatThrownBy(() -> codec.encode(new ByteArrayOutputStream(), Options.empty().with("content-size", "-2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content-size=-2");
    }
}
