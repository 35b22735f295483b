package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * One chunk of an indexed image, as its manifest records it: where its bytes go in the image, where
 * its compressed frame is in the object, the SHA-256 of its decoded bytes, and whether they are all
 * zeros. A value: equal when every field is.
 *
 * @param index its number, from 0
 * @param offset where its decoded bytes start in the image
 * @param length how many decoded bytes it has (the chunk size, less for the last chunk)
 * @param compressedOffset where its frame starts in the object
 * @param compressedLength how many bytes its frame has
 * @param zero whether its decoded bytes are all zeros
 * @param sha256 the SHA-256 of its decoded bytes; use {@link #sha256()} for a copy
 */
public record Chunk(int index, long offset, int length, long compressedOffset, int compressedLength, boolean zero,
        byte[] sha256) {

    public Chunk {
        requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
        }
        sha256 = sha256.clone();
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    public String sha256Hex() {
        return IndexFormat.hex(sha256);
    }

    /** Whether {@code digest} (32 bytes) is this chunk's SHA-256, compared in constant time. */
    public boolean matches(byte[] digest) {
        return MessageDigest.isEqual(sha256, digest);
    }

    /** The decoded end, exclusive. */
    public long end() {
        return offset + length;
    }

    /** The compressed end, exclusive. */
    public long compressedEnd() {
        return compressedOffset + compressedLength;
    }

    /** Names the chunk and its ranges, for messages: {@code chunk 7 (image bytes [a, b), object bytes [c, d))}. */
    public String describe() {
        return "chunk " + index + " (image bytes [" + offset + ", " + end() + "), object bytes [" + compressedOffset
                + ", " + compressedEnd() + "))";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Chunk c && index == c.index && offset == c.offset && length == c.length
                && compressedOffset == c.compressedOffset && compressedLength == c.compressedLength && zero == c.zero
                && Arrays.equals(sha256, c.sha256);
    }

    @Override
    public int hashCode() {
        return 31 * index + Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return describe() + (zero ? " zero" : "") + " sha256 " + sha256Hex();
    }
}
