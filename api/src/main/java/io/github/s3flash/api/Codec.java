package io.github.s3flash.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/**
 * How image bytes are compressed: a decoder for the flash, an encoder for image tooling. Discovered
 * with {@link java.util.ServiceLoader}; chosen by name, or by {@link #probe} of the first bytes.
 *
 * <p>Implementations are stateless and thread-safe; each stream they return is used by one thread.
 */
public interface Codec {

    /** How many leading bytes {@link #probe} is given (at most; fewer when the image is shorter). */
    int PROBE_LENGTH = 64;

    /** A short unique name ({@code lz4}, {@code zstd}, {@code raw}), as given to {@code --codec}. */
    String name();

    /**
     * Looks at the first bytes of an image (up to {@link #PROBE_LENGTH}, read-only) and says whether
     * they are in this codec's format. A codec without a magic number answers {@link ProbeResult#NO}
     * or at most {@link ProbeResult#POSSIBLY}: only a certain answer selects a codec.
     */
    ProbeResult probe(ByteBuffer head);

    /**
     * Wraps a compressed stream in a decoding one. Malformed or truncated input ends in {@link
     * CorruptImageException} with the compressed byte offset, never in an unchecked exception or a
     * silently short image. Closing the returned stream closes {@code compressed}.
     *
     * <p>The returned stream may also implement {@link java.nio.channels.ReadableByteChannel}, reading
     * the same bytes through either interface: the pipeline then decodes into its (direct) buffers
     * through {@code read(ByteBuffer)} and saves a copy of every image byte.
     */
    InputStream decode(InputStream compressed) throws IOException;

    /**
     * The decode option {@value}: {@code verify} (the default) or {@code skip}. A caller that checks
     * every decoded byte by stronger means (the indexed flash checks each chunk against the SHA-256 in
     * its manifest) gives {@code skip}, and a codec whose frames carry checksums of their own (lz4's
     * XXH32) may then leave them uncomputed: the same bytes for a fifth less CPU on lz4.
     */
    String FRAME_CHECKSUMS = "frame-checksums";

    /**
     * As {@link #decode(InputStream)}, with options; a codec ignores those it does not know, and the
     * default ignores them all. See {@link #FRAME_CHECKSUMS}; {@link #verifyFrameChecksums} reads it.
     */
    default InputStream decode(InputStream compressed, Options options) throws IOException {
        return decode(compressed);
    }

    /**
     * Whether {@code options} leave frame checksums to be verified ({@link #FRAME_CHECKSUMS} absent or
     * {@code verify}).
     *
     * @throws IllegalArgumentException for a value other than {@code verify} or {@code skip}
     */
    static boolean verifyFrameChecksums(Options options) {
        String value = options.get(FRAME_CHECKSUMS).orElse("verify");
        return switch (value) {
            case "verify" -> true;
            case "skip" -> false;
            default -> throw new IllegalArgumentException("option " + FRAME_CHECKSUMS + "=" + value
                    + " is not valid: expected verify or skip");
        };
    }

    /**
     * Wraps {@code out} in an encoding stream whose output this codec's {@link #decode} and the
     * format's standard tools read. Options are codec-specific ({@code level}, {@code block-size},
     * ...). Closing the returned stream finishes the format and closes {@code out}.
     */
    OutputStream encode(OutputStream out, Options options) throws IOException;

    /**
     * The decoded length, when the format records it in its head (or, for {@code raw}, equals the
     * compressed length), so the pipeline can check that the image fits before writing.
     *
     * @param head the first bytes, as given to {@link #probe}
     * @param compressedLength the compressed length, or -1 when unknown
     */
    default OptionalLong decodedLength(ByteBuffer head, long compressedLength) {
        return OptionalLong.empty();
    }
}
