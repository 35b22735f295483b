package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.internal.Pipeline;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Flashes an image onto a target: source → codec → SHA-256 → sink, each stage on its own thread,
 * memory bounded by {@link PipelineSettings}.
 *
 * <p><b>Point of no return.</b> Everything that can be checked before the first write is checked
 * before it: providers exist, the source is reachable and pinned, the target is writable and not in
 * use, the codec recognises the image, and the decoded size (when the format records it) fits the
 * target and its block size. A refusal up to there leaves the target untouched and is thrown as it
 * is; a failure after it is thrown as {@link FlashAbortedException}. A wrong SHA-256 is a {@link
 * VerificationFailedException}.
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
        BlockSink sink = registry.sink(plan.target());

        try (PinnedImage image = source.open(plan.source(), plan.options());
                BlockTarget target = sink.open(plan.target(), plan.options())) {
            ImageInfo info = image.info();
            TargetGeometry geometry = target.geometry();
            var counted = new AtomicLong();
            try (InputStream fetched = new CountingStream(ImageStreams.open(image, settings, listener), counted);
                    BufferedInputStream buffered = new BufferedInputStream(fetched, 1 << 16)) {
                ByteBuffer head = peek(buffered);
                Codec codec = named != null ? named : registry.detectCodec(head, plan.source());
                long decodedLength = codec.decodedLength(head.asReadOnlyBuffer(), info.length()).orElse(-1);
                checkFits(plan, geometry, decodedLength);
                Pipeline.notify(listener, new ProgressEvent.Started(info, codec.name(), plan.target(), geometry,
                        decodedLength));

                var pipeline = new Pipeline(plan.source(), target, settings, listener, counted::get, info.length(),
                        decodedLength, start);
                Pipeline.Outcome outcome;
                try {
                    outcome = pipeline.run(codec.decode(buffered));
                    if (pipeline.writingStarted()) {
                        target.force();
                    }
                } catch (VerificationFailedException e) {
                    // A read-back mismatch found by the sink's force() is its own outcome, not an abort.
                    throw e;
                } catch (IOException | RuntimeException e) {
                    if (pipeline.writingStarted()) {
                        throw Pipeline.aborted(plan.source(), plan.target(), pipeline.bytesWritten(), e);
                    }
                    throw e;
                }
                var result = new FlashResult(plan.source(), info.version(), codec.name(), plan.target(),
                        counted.get(), outcome.bytesWritten(), outcome.bytesZeroRanges(),
                        Duration.ofNanos(System.nanoTime() - start), outcome.sha256());
                verify(plan, result);
                Pipeline.notify(listener, new ProgressEvent.Finished(result));
                return result;
            }
        }
    }

    private static ByteBuffer peek(BufferedInputStream in) throws IOException {
        in.mark(Codec.PROBE_LENGTH);
        byte[] head = in.readNBytes(Codec.PROBE_LENGTH);
        in.reset();
        return ByteBuffer.wrap(head).asReadOnlyBuffer();
    }

    private static void checkFits(FlashPlan plan, TargetGeometry geometry, long decodedLength) throws FlashException {
        if (decodedLength < 0) {
            return;
        }
        if (decodedLength > geometry.capacity()) {
            throw new TargetTooSmallException("image " + ImageLocations.redact(plan.source()) + " is " + decodedLength
                    + " bytes but target " + plan.target() + " holds only " + geometry.capacity()
                    + " bytes; use a larger target or a smaller image", decodedLength, geometry.capacity());
        }
        if (decodedLength % geometry.logicalBlockSize() != 0) {
            throw new InvalidImageException("image " + ImageLocations.redact(plan.source()) + " is " + decodedLength
                    + " bytes, not a multiple of the logical block size " + geometry.logicalBlockSize()
                    + " of target " + plan.target() + "; pad the image to a whole number of sectors");
        }
    }

    private static void verify(FlashPlan plan, FlashResult result) throws VerificationFailedException {
        String expected = plan.expectedSha256();
        if (expected != null && !expected.equals(result.sha256())) {
            throw new VerificationFailedException("image written to " + plan.target() + " has SHA-256 "
                    + result.sha256() + " but " + expected + " was expected (source " + ImageLocations.redact(plan.source())
                    + ", version " + result.sourceVersion() + "); the target holds that image, not the expected one:"
                    + " check the source object and the expected hash", expected, result.sha256());
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
