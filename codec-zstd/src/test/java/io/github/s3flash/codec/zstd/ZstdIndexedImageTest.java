package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.Zstd;
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
 * Indexed images of zstd frames: the {@code zstd} CLI decodes them byte-exact and, since every frame
 * records its content size, knows the decompressed size of the whole object; the encoder's {@code
 * content-size} option is exact.
 */
class ZstdIndexedImageTest extends IndexedImageContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }

    @Override
    protected List<String> cliDecode() {
        return List.of("zstd", "-d", "-c", "-q");
    }

    @Test
    void theCliCountsTheChunkFramesAndKnowsTheDecompressedSize() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 6 * (64 << 10) + 1 + random.nextInt(64 << 10));
        Path object = dir.resolve("listed.zst");
        WrittenImage written = write(image, new WriterSettings(64 << 10, Options.empty(), 2), object);
        Path listing = dir.resolve("listing");
        Cli.run(List.of("zstd", "-lv", object.toString()), null, listing);
        String text = Files.readString(listing);
        assertThat(text).as(Seeds.describe(seed))
                .contains("# Zstandard Frames: " + written.manifest().chunkCount())
                .contains("# Skippable Frames: 3")
                // zstd -l reports a decompressed size only when every frame records its own.
                .contains("(" + image.length + " B)");
    }

    @Test
    void contentSizeIsRecordedAndValidated() throws Exception {
        var codec = new ZstdCodec();
        byte[] data = TestImages.diskLike(new Random(2), 300_000);
        var out = new ByteArrayOutputStream();
        try (OutputStream enc = codec.encode(out, Options.empty().with("content-size", "300000").with("level", "5"))) {
            enc.write(data, 0, 1000);
            enc.write(data, 1000, data.length - 1000);
        }
        byte[] frame = out.toByteArray();
        assertThat(Zstd.getFrameContentSize(frame)).isEqualTo(300_000);
        assertThat(Zstd.decompress(frame, 300_000)).isEqualTo(data);

        assertThatThrownBy(() -> codec.encode(new ByteArrayOutputStream(),
                Options.empty().with("content-size", "10").with("workers", "2")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workers");
    }
}
