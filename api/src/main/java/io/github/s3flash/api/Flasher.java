package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.TrustDecision;
import io.github.s3flash.api.index.UntrustedImageException;
import io.github.s3flash.api.internal.Pipeline;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Flashes an image onto a target: source → codec → SHA-256 → sink, each stage on its own thread,
 * memory bounded by {@link PipelineSettings}.
 *
 * <p><b>Point of no return.</b> Everything that can be checked before the first write is checked
 * before it: providers exist, the source is reachable and pinned, the target is writable and not in
 * use, the codec recognises the image, and the decoded size (when the format records it) fits the
 * target. A refusal up to there leaves the target untouched and is thrown as it is; so is a first
 * write the target refuses ({@link WriteRefusedException}). A failure after the first write began
 * is thrown as {@link FlashAbortedException}, whatever it was (an {@link Error} too: the target holds
 * a partial image all the same). A wrong SHA-256 is a {@link VerificationFailedException}.
 *
 * <p><b>After success.</b> Once the image is forced and verified the flash has succeeded: a failure
 * to close the target or the source after that is a warning in the {@link FlashResult}, not an
 * error. An image that ends inside a logical block of the target is written with a read-modify-write
 * of that last block ({@link FlashResult#partialBlockBytes()}).
 *
 * <p>Thread-safe: one Flasher may run several flashes at once (onto different targets).
 */
public final class Flasher {

    private final ProviderRegistry registry;

    public Flasher(ProviderRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    /** A flasher with every provider on the module path and class path. */
    public static Flasher withInstalledProviders() {
        return new Flasher(ProviderRegistry.load());
    }

    public ProviderRegistry registry() {
        return registry;
    }

    public FlashResult flash(FlashPlan plan) throws IOException {
        return flash(plan, ProgressListener.NONE);
    }

    public FlashResult flash(FlashPlan plan, ProgressListener listener) throws IOException {
        requireNonNull(plan, "plan");
        requireNonNull(listener, "listener");
        long start = System.nanoTime();
        PipelineSettings settings = PipelineSettings.from(plan.options());
        ImageSource source = registry.source(plan.source(), plan.options());
        Codec named = plan.codec() == null ? null : registry.codec(plan.codec());
        BlockSink sink = registry.sink(plan.target(), plan.options());

        List<String> warnings = new ArrayList<>();
        PinnedImage image = source.open(plan.source(), plan.options());
        Flashed flashed;
        try {
            BlockTarget target = sink.open(plan.target(), plan.options());
            try {
                flashed = flash(plan, listener, settings, named, image, target, start, warnings);
            } catch (Throwable t) {
                closeAfterFailure(target, t);
                throw t;
            }
            closeAfterSuccess(target, "closing target " + plan.target(), warnings);
        } catch (Throwable t) {
            closeAfterFailure(image, t);
            throw t;
        }
        closeAfterSuccess(image, "closing image " + ImageLocations.redact(plan.source()), warnings);
        var result = new FlashResult(plan.source(), flashed.info().version(), flashed.codec(), plan.target(),
                flashed.geometry(), flashed.bytesRead(), flashed.bytesWritten(), flashed.bytesZero(), flashed.elapsed(),
                flashed.sha256(), warnings, flashed.bytesIdentical(), flashed.chunks(), flashed.trust());
        Pipeline.notify(listener, new ProgressEvent.Finished(result));
        return result;
    }

    /** What the pipeline did, before the target and the source are closed. */
    record Flashed(ImageInfo info, String codec, TargetGeometry geometry, long bytesRead, Duration elapsed,
            long bytesWritten, long bytesZero, long bytesIdentical, String sha256, ChunkCounts chunks,
            TrustDecision trust) {}

    /** Flashes an indexed image on its own path, any other as a stream; the caller closes target and image. */
    private Flashed flash(FlashPlan plan, ProgressListener listener, PipelineSettings settings, Codec named,
            PinnedImage image, BlockTarget target, long start, List<String> warnings) throws IOException {
        long[] headRead = new long[1];
        IndexedImage index = indexOf(settings, named, image, listener, headRead);
        if (index != null) {
            return new IndexedFlash(registry, plan, settings, listener, image, index, target, start, headRead[0])
                    .run(warnings);
        }
        if (plan.requiresAuthentication()) {
            throw new UntrustedImageException("image " + ImageLocations.redact(plan.source()) + " cannot be"
                    + " authenticated: " + (image.info().rangeReads() ? "it is not an indexed image, so it carries"
                    + " no manifest to sign or pin" : "its source serves no range reads, so its index cannot be read")
                    + ", and " + (plan.trustedKeys() != null ? "trusted keys" : "a pinned image digest")
                    + " require that; flash an indexed image (s3flash image create), signed", List.of());
        }
        return flashStream(plan, listener, settings, named, image, target, start, warnings);
    }

    /**
     * The image's index when it is an indexed image and the indexed path can take it: the source
     * reads ranges and no other codec was named. Reads the head (one small ranged read), and the tail
     * only when the head is an index's.
     */
    private static IndexedImage indexOf(PipelineSettings settings, Codec named, PinnedImage image,
            ProgressListener listener, long[] read) throws IOException {
        ImageInfo info = image.info();
        if (!info.rangeReads() || info.length() < IndexedImage.HEAD_LENGTH) {
            return null;
        }
        byte[] head = new byte[IndexedImage.HEAD_LENGTH];
        ImageStreams.readFully(image, 0, head, 0, head.length, settings.retry(), listener);
        read[0] = head.length;
        if (!IndexedImage.startsIndexed(head)) {
            return null;
        }
        IndexedImage index = IndexedImage.require(image, settings.retry());
        read[0] += index.bytesRead();
        if (named != null && !named.name().equalsIgnoreCase(index.manifest().codec())) {
            // The operator named another codec (raw, say): the object is flashed as that codec reads it.
            return null;
        }
        return index;
    }

    /** Streams, decodes, hashes, writes, forces and verifies; the caller closes target and image. */
    private Flashed flashStream(FlashPlan plan, ProgressListener listener, PipelineSettings settings, Codec named,
            PinnedImage image, BlockTarget target, long start, List<String> warnings) throws IOException {
        ImageInfo info = image.info();
        TargetGeometry geometry = target.geometry();
        checkChunkSize(plan, settings, geometry);
        var counted = new AtomicLong();
        InputStream fetched = new CountingStream(ImageStreams.open(image, settings, listener), counted);
        BufferedInputStream buffered = new BufferedInputStream(fetched, 1 << 16);
        Pipeline.Outcome outcome;
        Codec codec;
        try {
            ByteBuffer head = peek(buffered);
            codec = named != null ? named : registry.detectCodec(head, plan.source());
            long decodedLength = codec.decodedLength(head.asReadOnlyBuffer(), info.length()).orElse(-1);
            checkFits(plan, geometry, decodedLength);
            Pipeline.notify(listener, new ProgressEvent.Started(info, codec.name(), plan.target(), geometry,
                    decodedLength));
            var pipeline = new Pipeline(plan.source(), target, settings, listener, counted::get, info.length(),
                    decodedLength, start, sha256());
            try {
                outcome = pipeline.run(() -> codec.decode(buffered));
                if (pipeline.writingStarted()) {
                    target.force();
                }
            } catch (VerificationFailedException e) {
                // A read-back mismatch found by the sink's force() is its own outcome, not an abort.
                throw e;
            } catch (Throwable e) {
                if (pipeline.writingStarted()) {
                    throw Pipeline.aborted(plan.source(), plan.target(), pipeline.bytesWritten(), e);
                }
                throw e;
            }
            verify(plan, outcome.digest(), info.version());
        } catch (Throwable t) {
            closeAfterFailure(buffered, t);
            throw t;
        }
        // The decode thread closed the decoder and, through it, these streams; closing is idempotent.
        closeAfterSuccess(buffered, "closing the stream of " + ImageLocations.redact(plan.source()), warnings);
        warnings.addAll(outcome.warnings());
        return new Flashed(info, codec.name(), geometry, counted.get(), Duration.ofNanos(System.nanoTime() - start),
                outcome.bytesWritten(), outcome.bytesZeroRanges(), 0, outcome.digest(), null, null);
    }

    private static void closeAfterFailure(Closeable resource, Throwable failure) {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Closes {@code resource} once the flash has succeeded: a failure now is a warning, not an error. */
    private static void closeAfterSuccess(Closeable resource, String what, List<String> warnings) {
        try {
            resource.close();
        } catch (IOException | RuntimeException e) {
            warnings.add(what + " failed after the image was written, forced and verified: " + e);
        }
    }

    private static ByteBuffer peek(BufferedInputStream in) throws IOException {
        in.mark(Codec.PROBE_LENGTH);
        byte[] head = in.readNBytes(Codec.PROBE_LENGTH);
        in.reset();
        return ByteBuffer.wrap(head).asReadOnlyBuffer();
    }

    private static void checkChunkSize(FlashPlan plan, PipelineSettings settings, TargetGeometry geometry) {
        if (settings.chunkSize() % geometry.logicalBlockSize() != 0) {
            throw new IllegalArgumentException("option chunk-size=" + settings.chunkSize() + " is not a multiple of"
                    + " the logical block size " + geometry.logicalBlockSize() + " of target " + plan.target()
                    + "; give a chunk size that is");
        }
    }

    static void checkFits(FlashPlan plan, TargetGeometry geometry, long decodedLength) throws FlashException {
        if (decodedLength > geometry.capacity()) {
            throw new TargetTooSmallException("image " + ImageLocations.redact(plan.source()) + " is " + decodedLength
                    + " bytes but target " + plan.target() + " holds only " + geometry.capacity()
                    + " bytes; use a larger target or a smaller image", decodedLength, geometry.capacity());
        }
    }

    static void verify(FlashPlan plan, String sha256, String version) throws VerificationFailedException {
        String expected = plan.expectedSha256();
        if (expected != null && !expected.equals(sha256)) {
            throw new VerificationFailedException("image written to " + plan.target() + " has SHA-256 "
                    + sha256 + " but " + expected + " was expected (source " + ImageLocations.redact(plan.source())
                    + ", version " + version + "); the target holds that image, not the expected one:"
                    + " check the source object and the expected hash", expected, sha256);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Counts compressed bytes as the decoder consumes them, for progress and the result. */
    private static final class CountingStream extends FilterInputStream {
        private final AtomicLong count;

        CountingStream(InputStream in, AtomicLong count) {
            super(in);
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count.incrementAndGet();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count.addAndGet(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            count.addAndGet(skipped);
            return skipped;
        }
    }
}
