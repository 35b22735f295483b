package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Codec} must do. A provider's test extends this and supplies the codec; the
 * contract round-trips seeded images through {@code encode} and {@code decode} with whole, one-byte
 * and random-split reads, and checks that truncated input is a {@link
 * io.github.s3flash.api.CorruptImageException}.
 */
public abstract class CodecContract {

    /** The codec under test. */
    protected abstract Codec codec();

    /** Options for {@link Codec#encode}; override to exercise levels or block sizes. */
    protected Options encodeOptions() {
        return Options.empty();
    }

    /** Whether the format detects truncation (false for a format without structure, such as {@code raw}). */
    protected boolean detectsTruncation() {
        return true;
    }

    /**
     * What {@link Codec#probe} answers for this codec's own output: {@link ProbeResult#CERTAINLY} for
     * a format with a magic number; a format without one (such as {@code raw}) answers at most
     * {@link ProbeResult#POSSIBLY}, since only certain answers select a codec.
     */
    protected ProbeResult probeOfOwnOutput() {
        return ProbeResult.CERTAINLY;
    }

    protected byte[] encode(byte[] image) throws IOException {
        var out = new ByteArrayOutputStream();
        try (OutputStream enc = codec().encode(out, encodeOptions())) {
            enc.write(image);
        }
        return out.toByteArray();
    }

    protected byte[] decode(InputStream compressed) throws IOException {
        try (InputStream in = codec().decode(compressed)) {
            return in.readAllBytes();
        }
    }

    @Test
    void nameIsShortAndLowerCase() {
        assertThat(codec().name()).matches("[a-z0-9][a-z0-9-]{0,31}");
    }

    @Test
    void roundTripsSeededImagesWithWholeOneByteAndSplitReads() throws IOException {
        forSeededImages((image, compressed, random, where) -> {
            int size = image.length;
            assertThat(decode(new ByteArrayInputStream(compressed))).as("whole reads, " + where).isEqualTo(image);
            assertThat(decode(SplitReads.random(new ByteArrayInputStream(compressed), random, 8191)))
                    .as("split reads, " + where).isEqualTo(image);
            if (size < 70_000) {
                assertThat(decode(SplitReads.oneByte(new ByteArrayInputStream(compressed))))
                        .as("one-byte reads, " + where).isEqualTo(image);
            }
        });
    }

    private interface ImageCheck {
        void check(byte[] image, byte[] compressed, Random random, String where) throws IOException;
    }

    /** Runs {@code check} over seeded disk-like images of sizes around block and buffer boundaries. */
    private void forSeededImages(ImageCheck check) throws IOException {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int size : TestImages.boundarySizes(random, 3 << 20, 4096, 65536, 1 << 20)) {
            byte[] image = TestImages.diskLike(random, size);
            check.check(image, encode(image), random, "size " + size + ", " + Seeds.describe(seed));
        }
    }

    /**
     * Reads into direct buffers of random sizes, mixed with stream reads, over split input, give the
     * image. A decoder that is also a {@link ReadableByteChannel} (the pipeline then reads through
     * it) is read through its own channel.
     */
    @Test
    void channelReadsGiveTheSameBytesAsStreamReads() throws IOException {
        forSeededImages((image, compressed, random, where) -> {
            try (InputStream in = codec().decode(SplitReads.random(new ByteArrayInputStream(compressed), random,
                    65536))) {
                // A decoder that is no channel is read as any consumer would: through the JDK's adapter.
                ReadableByteChannel channel = in instanceof ReadableByteChannel own ? own : Channels.newChannel(in);
                var out = new ByteArrayOutputStream();
                ByteBuffer direct = ByteBuffer.allocateDirect(5 << 20);
                while (true) {
                    int n;
                    if (random.nextInt(4) == 0) {
                        byte[] b = new byte[1 + random.nextInt(100_000)];
                        n = in.read(b, 0, b.length);
                        if (n > 0) {
                            out.write(b, 0, n);
                        }
                    } else {
                        direct.clear().limit(random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(direct.capacity()));
                        n = channel.read(direct);
                        if (direct.limit() == 0) {
                            assertThat(n).as("a read into a full buffer reads nothing, " + where).isZero();
                        }
                        direct.flip();
                        byte[] got = new byte[direct.remaining()];
                        direct.get(got);
                        out.write(got);
                    }
                    if (n < 0) {
                        break;
                    }
                }
                assertThat(out.toByteArray()).as("mixed channel and stream reads, " + where).isEqualTo(image);
                assertThat(channel.isOpen()).isTrue();
            }
        });
    }

    /**
     * {@code frame-checksums=skip} (given by callers that check the decoded bytes themselves) changes
     * nothing of what valid input decodes to, through split reads.
     */
    @Test
    void skippingFrameChecksumsGivesTheSameBytes() throws IOException {
        Options skip = Options.empty().with(Codec.FRAME_CHECKSUMS, "skip");
        forSeededImages((image, compressed, random, where) -> {
            try (InputStream in = codec().decode(SplitReads.random(new ByteArrayInputStream(compressed), random,
                    65536), skip)) {
                assertThat(in.readAllBytes()).as("frame-checksums=skip, " + where).isEqualTo(image);
            }
        });
    }

    @Test
    void probeOfItsOwnOutputIsAsDeclared() throws IOException {
        byte[] compressed = encode(TestImages.diskLike(new Random(1), 100_000));
        assertThat(codec().probe(CorruptStreams.head(compressed))).isEqualTo(probeOfOwnOutput());
    }

    @Test
    void probeSurvivesShortAndEmptyHeads() {
        for (int n = 0; n < 8; n++) {
            byte[] junk = new byte[n];
            Arrays.fill(junk, (byte) 0x5a);
            assertThat(codec().probe(ByteBuffer.wrap(junk).asReadOnlyBuffer())).isNotNull();
        }
    }

    @Test
    void truncatedInputIsACorruptImageNeverAShortOne() throws IOException {
        if (!detectsTruncation()) {
            return;
        }
        long seed = Seeds.next();
        byte[] image = TestImages.diskLike(new Random(seed), 300_000);
        var sample = new CompressedSample(codec().name() + " " + encodeOptions().values(), image, encode(image), true);
        CorruptStreams.truncationIsCorrupt(codec(), List.of(sample), seed, 24, CorruptStreams.NO_SHORTER_VALID_STREAM);
    }
}
