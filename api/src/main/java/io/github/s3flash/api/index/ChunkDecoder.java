package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Decodes one chunk's frame and checks it against the manifest: exactly the chunk's length, and the
 * SHA-256 the manifest records. Chunks are independent, so any number may be decoded at once, on any
 * threads, in any order. Stateless and thread-safe.
 */
public final class ChunkDecoder {

    private static final int SCRATCH = 256 << 10;
    private static final Options SKIP_FRAME_CHECKSUMS = Options.empty().with(Codec.FRAME_CHECKSUMS, "skip");

    private final Codec codec;
    private final boolean zstd;
    private final int chunkSize;

    /** A decoder for chunks of {@code manifest}, whose codec {@code codec} must be. */
    public ChunkDecoder(Codec codec, Manifest manifest) {
        this.codec = requireNonNull(codec, "codec");
        requireNonNull(manifest, "manifest");
        if (!codec.name().toLowerCase(Locale.ROOT).equals(manifest.codec())) {
            throw new IllegalArgumentException("the manifest's chunks are " + manifest.codec() + " frames, not "
                    + codec.name());
        }
        this.zstd = IndexFormat.codecId(manifest.codec()) == IndexFormat.CODEC_ZSTD;
        this.chunkSize = manifest.chunkSize();
    }

    /** A decoder with the installed codec that {@code manifest} names. */
    public static ChunkDecoder of(ProviderRegistry registry, Manifest manifest) throws NoProviderException {
        requireNonNull(registry, "registry");
        requireNonNull(manifest, "manifest");
        return new ChunkDecoder(registry.codec(manifest.codec()), manifest);
    }

    /**
     * Decodes {@code frame} (exactly the chunk's compressed bytes) into {@code into} from its position,
     * advancing it by the chunk's length, and checks the SHA-256. {@code into} may be a direct buffer:
     * a decoder that reads into channels fills it without a copy. Does not close {@code frame}.
     *
     * @throws ChunkMismatchException when the frame does not decode to exactly the chunk's bytes (the
     *     bytes in {@code into} are then not to be used)
     * @throws IOException when reading {@code frame} fails
     */
    public void decode(Chunk chunk, InputStream frame, ByteBuffer into) throws IOException {
        requireNonNull(chunk, "chunk");
        requireNonNull(frame, "frame");
        requireNonNull(into, "into");
        if (into.remaining() < chunk.length()) {
            throw new IllegalArgumentException("the buffer has " + into.remaining() + " bytes left; chunk "
                    + chunk.index() + " needs " + chunk.length());
        }
        ByteBuffer slice = into.slice(into.position(), chunk.length());
        InputStream source = new NonClosingInput(frame);
        if (zstd) {
            // The window a zstd header asks for is allocated before any byte is decoded: check it first.
            byte[] head = source.readNBytes(FrameHeaders.ZSTD_HEADER_MAX);
            String problem = FrameHeaders.zstdProblem(head, head.length, chunk, chunkSize);
            if (problem != null) {
                throw new ChunkMismatchException(chunk.describe() + " is refused before decoding: " + problem, chunk,
                        null);
            }
            source = new SequenceInputStream(new ByteArrayInputStream(head), source);
        }
        // Every decoded byte is checked against the manifest's SHA-256 below: the frame's own checksums
        // would only say the same, later and more weakly.
        try (InputStream decoded = codec.decode(source, SKIP_FRAME_CHECKSUMS)) {
            int n = decoded instanceof ReadableByteChannel channel ? fill(channel, slice) : fill(decoded, slice);
            if (n < chunk.length()) {
                throw new ChunkMismatchException(chunk.describe() + " decodes to " + n + " bytes, not "
                        + chunk.length(), chunk, null);
            }
            if (decoded.read() >= 0) {
                throw new ChunkMismatchException(chunk.describe() + " decodes to more than its " + chunk.length()
                        + " bytes", chunk, null);
            }
        } catch (CorruptImageException e) {
            throw new ChunkMismatchException(chunk.describe() + " does not decode: " + e.getMessage(), chunk, e);
        } catch (RuntimeException e) {
            // A decoder must report malformed input as CorruptImageException; one that lets an unchecked
            // exception out has still met malformed input.
            throw new ChunkMismatchException(chunk.describe() + " does not decode: " + e, chunk, e);
        }
        check(chunk, slice.flip());
        into.position(into.position() + chunk.length());
    }

    /**
     * Checks that {@code decoded} (position to limit; left unchanged) holds exactly the chunk's bytes.
     *
     * @throws ChunkMismatchException naming the chunk and both hashes
     */
    public static void check(Chunk chunk, ByteBuffer decoded) throws ChunkMismatchException {
        requireNonNull(chunk, "chunk");
        requireNonNull(decoded, "decoded");
        if (decoded.remaining() != chunk.length()) {
            throw new ChunkMismatchException(chunk.describe() + " has " + decoded.remaining() + " bytes, not "
                    + chunk.length(), chunk, null);
        }
        MessageDigest md = IndexFormat.sha256();
        md.update(decoded.duplicate());
        byte[] actual = md.digest();
        if (!chunk.matches(actual)) {
            throw new ChunkMismatchException(chunk.describe() + " decodes to bytes with SHA-256 "
                    + IndexFormat.hex(actual) + " but the manifest records " + chunk.sha256Hex(), chunk, null);
        }
    }

    private static int fill(ReadableByteChannel channel, ByteBuffer slice) throws IOException {
        while (slice.hasRemaining()) {
            if (channel.read(slice) < 0) {
                break;
            }
        }
        return slice.position();
    }

    private static int fill(InputStream in, ByteBuffer slice) throws IOException {
        byte[] scratch = new byte[Math.min(SCRATCH, Math.max(1, slice.remaining()))];
        while (slice.hasRemaining()) {
            int n = in.read(scratch, 0, Math.min(scratch.length, slice.remaining()));
            if (n < 0) {
                break;
            }
            slice.put(scratch, 0, n);
        }
        return slice.position();
    }

    /** Lets the decoder be closed (it may hold native memory) without closing the caller's stream. */
    private static final class NonClosingInput extends java.io.FilterInputStream {
        NonClosingInput(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // The caller opened the frame's stream and closes it.
        }
    }
}
