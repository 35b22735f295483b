package io.github.s3flash.api.index;

import static io.github.s3flash.api.index.IndexFormat.FOOTER_FRAME;
import static io.github.s3flash.api.index.IndexFormat.FRAME_HEADER;
import static io.github.s3flash.api.index.IndexFormat.intLE;
import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.internal.ResumingRangeStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An opened indexed image: its manifest, digest and embedded signature, found with one ranged read
 * of the object's tail (a second one only when the manifest is larger than that read). Nothing else
 * of the object is read; chunks are fetched by the caller at the offsets the manifest gives.
 *
 * <p>What this checks: the footer (its CRC and that it ends the object), that the manifest's bytes
 * hash to the digest the footer records, every field of the manifest, that the chunk frames tile the
 * object up to the manifest, and the frame headers around manifest and signature. What it does not:
 * whether the manifest is <em>trusted</em> ({@link TrustPolicy}) and whether chunks match it
 * ({@link ChunkDecoder}).
 *
 * <p>Immutable and thread-safe.
 */
public final class IndexedImage {

    /** How many bytes of an object's start {@link #startsIndexed} needs. */
    public static final int HEAD_LENGTH = IndexFormat.HEAD_FRAME;

    /** The name of a detached signature: the object's name plus this suffix. */
    public static final String DETACHED_SIGNATURE_SUFFIX = ".sshsig";

    private final ImageInfo info;
    private final Manifest manifest;
    private final Footer footer;
    private final byte[] signature;
    private final long bytesRead;

    private IndexedImage(ImageInfo info, Manifest manifest, Footer footer, byte[] signature, long bytesRead) {
        this.info = info;
        this.manifest = manifest;
        this.footer = footer;
        this.signature = signature;
        this.bytesRead = bytesRead;
    }

    /**
     * Reads the index at the end of {@code image}. Empty when the object holds no index at all (a
     * plain lz4, zstd or raw image).
     *
     * @throws CorruptImageException when it holds a damaged or truncated index, or bytes after one,
     *     naming what is wrong and where
     * @throws FlashException when the source cannot tell the object's length
     */
    public static Optional<IndexedImage> open(PinnedImage image, RetryPolicy retry) throws IOException {
        requireNonNull(image, "image");
        requireNonNull(retry, "retry");
        ImageInfo info = image.info();
        try {
            return Optional.ofNullable(read(image, info, retry));
        } catch (CorruptImageException e) {
            throw e.in(info.location());
        }
    }

    /**
     * Whether {@code head} (an object's first {@link #HEAD_LENGTH} bytes, or fewer) is the head frame
     * every indexed image starts with. A cheap test before reading the tail: a plain image fails it.
     */
    public static boolean startsIndexed(byte[] head) {
        requireNonNull(head, "head");
        return head.length >= HEAD_LENGTH && Arrays.equals(head, 0, HEAD_LENGTH, IndexFormat.headFrame(), 0,
                HEAD_LENGTH);
    }

    /** As {@link #open}, but an object without an index is refused. */
    public static IndexedImage require(PinnedImage image, RetryPolicy retry) throws IOException {
        return open(image, retry).orElseThrow(() -> new InvalidImageException(ImageLocations.redact(
                image.info().location()) + " is not an indexed image: it does not end with an s3flash index footer"
                + " (a plain lz4/zstd image, one truncated inside its chunk frames, or one with more than "
                + (IndexFormat.TAIL_READ >> 10) + " KiB appended); make one with s3flash image create"));
    }

    private static IndexedImage read(PinnedImage image, ImageInfo info, RetryPolicy retry) throws IOException {
        long length = info.length();
        if (length < 0) {
            throw new FlashException("the source cannot tell the length of " + ImageLocations.redact(info.location())
                    + ", so its index (at its end) cannot be found; use a source that reports object lengths");
        }
        if (length < FOOTER_FRAME) {
            return null;
        }
        int tailLength = (int) Math.min(length, IndexFormat.TAIL_READ);
        long tailOffset = length - tailLength;
        byte[] tail = readRange(image, tailOffset, tailLength, retry);
        long bytesRead = tailLength;
        int footerAt = tailLength - FOOTER_FRAME;
        if (!Footer.looksLikeFooter(tail, footerAt)) {
            diagnoseMissingFooter(tail, tailOffset, length);
            return null;
        }
        Footer footer = Footer.parse(tail, footerAt, tailOffset, length);
        if (footer.manifestOffset() < tailOffset) {
            // The index is larger than the first read: fetch the rest of it, bounded by the footer's limits.
            int missing = (int) (tailOffset - footer.manifestOffset());
            byte[] head = readRange(image, footer.manifestOffset(), missing, retry);
            bytesRead += missing;
            tail = concat(head, tail);
            tailOffset = footer.manifestOffset();
        }
        int m = (int) (footer.manifestOffset() - tailOffset);
        checkFrameHeader(tail, m, footer.manifestLength(), footer.manifestOffset(), "manifest");
        byte[] manifestBytes = Arrays.copyOfRange(tail, m + FRAME_HEADER, m + FRAME_HEADER + footer.manifestLength());
        byte[] digest = IndexFormat.sha256().digest(manifestBytes);
        if (!Arrays.equals(digest, footer.digest())) {
            throw new CorruptImageException("the manifest is damaged: its " + manifestBytes.length + " bytes hash to "
                    + IndexFormat.hex(digest) + " but the footer records " + IndexFormat.hex(footer.digest()),
                    footer.manifestOffset() + FRAME_HEADER);
        }
        Manifest manifest = Manifest.parse(manifestBytes, footer.manifestOffset() + FRAME_HEADER);
        if (manifest.dataEnd() != footer.manifestOffset()) {
            throw new CorruptImageException("the manifest's chunk frames end at " + manifest.dataEnd()
                    + " but the manifest frame starts at " + footer.manifestOffset(), footer.manifestOffset());
        }
        byte[] signature = null;
        if (footer.signatureLength() > 0) {
            int s = (int) (footer.signatureOffset() - tailOffset);
            checkFrameHeader(tail, s, footer.signatureLength(), footer.signatureOffset(), "signature");
            signature = Arrays.copyOfRange(tail, s + FRAME_HEADER, s + FRAME_HEADER + footer.signatureLength());
        }
        return new IndexedImage(info, manifest, footer, signature, bytesRead);
    }

    private static void checkFrameHeader(byte[] tail, int at, int payload, long where, String what)
            throws CorruptImageException {
        int magic = intLE(tail, at);
        int size = intLE(tail, at + 4);
        if (magic != IndexFormat.SKIPPABLE_MAGIC || size != payload) {
            throw new CorruptImageException(String.format("the %s frame's header is damaged: magic 0x%08x, size %s;"
                    + " expected 0x%08x and %d", what, magic, Integer.toUnsignedString(size),
                    IndexFormat.SKIPPABLE_MAGIC, payload), where);
        }
    }

    /**
     * The object does not end with a footer. Most likely it is a plain image; but when the tail holds
     * an s3flash footer or manifest, the object is an indexed image that was cut or appended to, and
     * saying so beats "not an indexed image".
     */
    private static void diagnoseMissingFooter(byte[] tail, long tailOffset, long length) throws CorruptImageException {
        int last = tail.length - FOOTER_FRAME;
        boolean header = intLE(tail, last) == IndexFormat.SKIPPABLE_MAGIC && intLE(tail, last + 4) == IndexFormat.FOOTER_PAYLOAD;
        boolean tag = Arrays.equals(tail, last + FRAME_HEADER, last + FRAME_HEADER + IndexFormat.FOOTER_TAG.length,
                IndexFormat.FOOTER_TAG, 0, IndexFormat.FOOTER_TAG.length);
        if (header || tag) {
            // One of the two is intact where the footer belongs: the footer is there, but damaged.
            throw new CorruptImageException("the index footer is damaged: its " + (header ? "tag is not S3FL-END"
                    : "frame header is not that of a 64-byte s3flash frame"), tailOffset + last);
        }
        for (int at = last - 1; at >= 0; at--) {
            if (Footer.looksLikeFooter(tail, at)) {
                long end = tailOffset + at + FOOTER_FRAME;
                throw new CorruptImageException("the index footer at offset " + (tailOffset + at) + " is followed by "
                        + (length - end) + " more bytes: bytes were appended to the image (truncate it to "
                        + end + " bytes to remove them)", end);
            }
        }
        for (int at = tail.length - FRAME_HEADER - IndexFormat.MANIFEST_TAG.length; at >= 0; at--) {
            if (intLE(tail, at) == IndexFormat.SKIPPABLE_MAGIC && Arrays.equals(tail, at + FRAME_HEADER,
                    at + FRAME_HEADER + IndexFormat.MANIFEST_TAG.length, IndexFormat.MANIFEST_TAG, 0,
                    IndexFormat.MANIFEST_TAG.length)) {
                throw new CorruptImageException("the object ends without the index footer that must follow its"
                        + " manifest (at offset " + (tailOffset + at) + "): it was truncated at " + length
                        + " bytes", length);
            }
        }
    }

    private static byte[] readRange(PinnedImage image, long offset, int length, RetryPolicy retry) throws IOException {
        byte[] bytes = new byte[length];
        if (image.info().rangeReads()) {
            ImageStreams.readFully(image, offset, bytes, 0, length, retry, ProgressListener.NONE);
            return bytes;
        }
        // A source without range reads serves only whole objects: read up to the range and drop the rest.
        long end = offset + length;
        try (InputStream in = new ResumingRangeStream(image, 0, end, retry.budget(), end + 1, ProgressListener.NONE)) {
            in.skipNBytes(offset);
            in.readNBytes(bytes, 0, length);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The source's description of the object: location, length, version pin. */
    public ImageInfo info() {
        return info;
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The image digest: SHA-256 of the manifest's bytes, lower-case hex. */
    public String digest() {
        return manifest.digest();
    }

    /** The embedded signature: the armored text {@code ssh-keygen -Y sign} writes. */
    public Optional<byte[]> signature() {
        return Optional.ofNullable(signature).map(byte[]::clone);
    }

    /**
     * The signatures to give {@link TrustPolicy}: the embedded one under {@link TrustPolicy#EMBEDDED},
     * if any, in a mutable ordered map the caller may add a detached one to.
     */
    public Map<String, byte[]> signatures() {
        var all = new LinkedHashMap<String, byte[]>();
        if (signature != null) {
            all.put(TrustPolicy.EMBEDDED, signature.clone());
        }
        return all;
    }

    /** Where the manifest frame starts (its header). */
    public long manifestOffset() {
        return footer.manifestOffset();
    }

    /** The object's length. */
    public long objectLength() {
        return info.length();
    }

    /** Bytes read from the object to open it: the tail (and the rest of a large manifest). */
    public long bytesRead() {
        return bytesRead;
    }

    /**
     * Where a detached signature of the image at {@code image} is: the same location with {@code
     * .sshsig} appended to its path (before a query, which is kept).
     */
    public static URI detachedSignatureLocation(URI image) {
        requireNonNull(image, "image");
        String text = image.toString();
        int end = text.length();
        if (!image.isOpaque()) {
            for (char c : new char[] {'?', '#'}) {
                int at = text.indexOf(c);
                if (at >= 0 && at < end) {
                    end = at;
                }
            }
        }
        return URI.create(text.substring(0, end) + DETACHED_SIGNATURE_SUFFIX + text.substring(end));
    }

    /**
     * The detached signature at {@code location} (the armored text), read through {@code source};
     * empty when there is none.
     *
     * @throws FlashException when it exists but cannot be read, or is larger than any signature
     */
    public static Optional<byte[]> readDetachedSignature(ImageSource source, URI location, Options options)
            throws IOException {
        requireNonNull(source, "source");
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        PinnedImage pinned;
        try {
            pinned = source.open(location, options);
        } catch (ImageNotFoundException e) {
            return Optional.empty();
        }
        try (pinned) {
            long length = pinned.info().length();
            if (length > IndexFormat.MAX_SIGNATURE) {
                throw new FlashException("detached signature " + ImageLocations.redact(location) + " is " + length
                        + " bytes, more than any SSH signature (" + IndexFormat.MAX_SIGNATURE + "); it is not one");
            }
            try (InputStream in = pinned.openRange(0, -1)) {
                byte[] text = in.readNBytes(IndexFormat.MAX_SIGNATURE + 1);
                if (text.length > IndexFormat.MAX_SIGNATURE) {
                    throw new FlashException("detached signature " + ImageLocations.redact(location)
                            + " is more than " + IndexFormat.MAX_SIGNATURE + " bytes; it is not an SSH signature");
                }
                return Optional.of(text);
            }
        }
    }

    @Override
    public String toString() {
        return "indexed image " + ImageLocations.redact(info.location()) + " " + manifest;
    }
}
