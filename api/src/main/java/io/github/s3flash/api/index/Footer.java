package io.github.s3flash.api.index;

import static io.github.s3flash.api.index.IndexFormat.FOOTER_FRAME;
import static io.github.s3flash.api.index.IndexFormat.FOOTER_PAYLOAD;
import static io.github.s3flash.api.index.IndexFormat.FOOTER_TAG;
import static io.github.s3flash.api.index.IndexFormat.FRAME_HEADER;
import static io.github.s3flash.api.index.IndexFormat.intLE;
import static io.github.s3flash.api.index.IndexFormat.longLE;

import io.github.s3flash.api.CorruptImageException;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The footer: the last 72 bytes of an indexed image, a skippable frame that says where the manifest
 * and the signature are and what the manifest's SHA-256 is.
 *
 * <pre>
 * frame header  magic 0x184D2A53 (u32), payload size 64 (u32)
 *  0  8  tag "S3FL-END"
 *  8  4  format version (1)
 * 12  4  signature length: payload bytes of the signature frame, 0 = none
 * 16  8  manifest offset: where the manifest frame (its header) starts in the object
 * 24  4  manifest length: payload bytes of the manifest frame
 * 28 32  SHA-256 of the manifest payload (the image digest)
 * 60  4  CRC-32C of payload bytes 0..59
 * </pre>
 *
 * The frames are adjacent: manifest frame, signature frame (if any), footer frame, end of object.
 */
record Footer(long manifestOffset, int manifestLength, int signatureLength, byte[] digest) {

    Footer {
        digest = digest.clone();
    }

    /** Where the signature frame starts (its header), meaningful when {@code signatureLength > 0}. */
    long signatureOffset() {
        return manifestOffset + FRAME_HEADER + manifestLength;
    }

    /** The object length this footer describes. */
    long objectLength() {
        return signatureOffset() + (signatureLength > 0 ? FRAME_HEADER + (long) signatureLength : 0) + FOOTER_FRAME;
    }

    /** The footer frame, header included. */
    byte[] encode() {
        byte[] frame = new byte[FOOTER_FRAME];
        System.arraycopy(IndexFormat.frameHeader(FOOTER_PAYLOAD), 0, frame, 0, FRAME_HEADER);
        int p = FRAME_HEADER;
        System.arraycopy(FOOTER_TAG, 0, frame, p, FOOTER_TAG.length);
        IndexFormat.putIntLE(frame, p + 8, IndexFormat.VERSION);
        IndexFormat.putIntLE(frame, p + 12, signatureLength);
        IndexFormat.putLongLE(frame, p + 16, manifestOffset);
        IndexFormat.putIntLE(frame, p + 24, manifestLength);
        System.arraycopy(digest, 0, frame, p + 28, 32);
        IndexFormat.putIntLE(frame, p + 60, crc(frame, p));
        return frame;
    }

    private static int crc(byte[] frame, int payload) {
        var crc = new CRC32C();
        crc.update(frame, payload, 60);
        return (int) crc.getValue();
    }

    /** Whether the 72 bytes at {@code at} start with an s3flash footer frame header and tag. */
    static boolean looksLikeFooter(byte[] b, int at) {
        return at >= 0 && at + FRAME_HEADER + FOOTER_TAG.length <= b.length
                && intLE(b, at) == IndexFormat.SKIPPABLE_MAGIC && intLE(b, at + 4) == FOOTER_PAYLOAD
                && Arrays.equals(b, at + FRAME_HEADER, at + FRAME_HEADER + FOOTER_TAG.length, FOOTER_TAG, 0,
                        FOOTER_TAG.length);
    }

    /**
     * Parses the footer frame at {@code at} of {@code tail}, whose first byte is at object offset
     * {@code tailOffset}, for an object of {@code objectLength} bytes. The caller has checked {@link
     * #looksLikeFooter}.
     */
    static Footer parse(byte[] tail, int at, long tailOffset, long objectLength) throws CorruptImageException {
        long where = tailOffset + at;
        int p = at + FRAME_HEADER;
        // The CRC first: a damaged version field is damage, not a newer format.
        int stored = intLE(tail, p + 60);
        if (stored != crc(tail, p)) {
            throw new CorruptImageException(String.format(
                    "the index footer is damaged: its CRC-32C is %08x but its bytes give %08x", stored, crc(tail, p)),
                    where);
        }
        int version = intLE(tail, p + 8);
        if (version != IndexFormat.VERSION) {
            throw new CorruptImageException("the index footer is of format version " + Integer.toUnsignedString(version)
                    + "; this s3flash reads version " + IndexFormat.VERSION + ": use an s3flash that knows it", where);
        }
        int signatureLength = intLE(tail, p + 12);
        long manifestOffset = longLE(tail, p + 16);
        int manifestLength = intLE(tail, p + 24);
        byte[] digest = Arrays.copyOfRange(tail, p + 28, p + 60);
        if (manifestLength < IndexFormat.MANIFEST_HEADER || manifestLength > IndexFormat.MAX_MANIFEST) {
            throw new CorruptImageException("the index footer gives a manifest of " + Integer.toUnsignedString(manifestLength)
                    + " bytes; a manifest has " + IndexFormat.MANIFEST_HEADER + " to " + IndexFormat.MAX_MANIFEST, where);
        }
        if (signatureLength < 0 || signatureLength > IndexFormat.MAX_SIGNATURE) {
            throw new CorruptImageException("the index footer gives a signature of "
                    + Integer.toUnsignedString(signatureLength) + " bytes; at most " + IndexFormat.MAX_SIGNATURE
                    + " are allowed", where);
        }
        if (manifestOffset < 0 || manifestOffset > objectLength) {
            throw new CorruptImageException("the index footer places the manifest at offset " + manifestOffset
                    + ", outside the object of " + objectLength + " bytes", where);
        }
        var footer = new Footer(manifestOffset, manifestLength, signatureLength, digest);
        if (footer.objectLength() != objectLength) {
            throw new CorruptImageException("the index footer places the manifest at offset " + manifestOffset
                    + " (" + manifestLength + " bytes) and a signature of " + signatureLength + " bytes, which ends the"
                    + " object at " + footer.objectLength() + ", but it is " + objectLength + " bytes long", where);
        }
        return footer;
    }
}
