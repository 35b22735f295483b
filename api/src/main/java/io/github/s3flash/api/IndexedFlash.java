package io.github.s3flash.api;

import io.github.s3flash.api.index.ChunkDecoder;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.Manifest;
import io.github.s3flash.api.index.TrustDecision;
import io.github.s3flash.api.index.TrustPolicy;
import io.github.s3flash.api.internal.IndexedPipeline;
import io.github.s3flash.api.internal.Pipeline;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One flash of an indexed image, from its opened index to a forced target: decides the trust and
 * checks the target before the first write, runs the {@link IndexedPipeline}, forces, and checks the
 * whole image's SHA-256 when one was asked for (by reading the image back from the target: chunks
 * finish out of order, so there is no in-order stream to hash).
 */
final class IndexedFlash {

    /** Option: read each chunk from the target first and skip it when it already matches. */
    static final String DELTA = "delta";
    /** Option: decoding threads, 0 for one per processor. */
    static final String THREADS = "decode.threads";

    private final ProviderRegistry registry;
    private final FlashPlan plan;
    private final PipelineSettings settings;
    private final ProgressListener listener;
    private final PinnedImage image;
    private final IndexedImage index;
    private final BlockTarget target;
    private final long start;
    private final long alreadyFetched;

    IndexedFlash(ProviderRegistry registry, FlashPlan plan, PipelineSettings settings, ProgressListener listener,
            PinnedImage image, IndexedImage index, BlockTarget target, long start, long alreadyFetched) {
        this.registry = registry;
        this.plan = plan;
        this.settings = settings;
        this.listener = listener;
        this.image = image;
        this.index = index;
        this.target = target;
        this.start = start;
        this.alreadyFetched = alreadyFetched;
    }

    Flasher.Flashed run(List<String> warnings) throws IOException {
        Manifest manifest = index.manifest();
        TargetGeometry geometry = target.geometry();
        boolean delta = plan.options().getBoolean(DELTA, false);
        int threads = plan.options().getInt(THREADS, 0, 0, 1024);
        long[] fetched = {alreadyFetched};
        TrustDecision trust = trust(warnings, fetched);
        Flasher.checkFits(plan, geometry, manifest.imageLength());
        if (manifest.chunkSize() % geometry.logicalBlockSize() != 0) {
            throw new InvalidImageException("image " + ImageLocations.redact(plan.source()) + " has chunks of "
                    + manifest.chunkSize() + " bytes, not whole " + geometry.logicalBlockSize() + "-byte blocks of"
                    + " target " + plan.target() + "; make it with a larger chunk size (s3flash image create)");
        }
        ChunkDecoder decoder = ChunkDecoder.of(registry, manifest);
        ImageInfo info = image.info();
        Pipeline.notify(listener, new ProgressEvent.Started(info, manifest.codec(), plan.target(), geometry,
                manifest.imageLength()));
        int concurrency = settings.concurrency() > 0 ? settings.concurrency() : info.suggestedConcurrency();
        var pipeline = new IndexedPipeline(image, index, decoder, target, settings, concurrency,
                threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), delta, listener, start, fetched[0]);
        IndexedPipeline.Outcome outcome;
        String sha256 = null;
        try {
            outcome = pipeline.run();
            target.force();
            if (plan.expectedSha256() != null) {
                sha256 = IndexedPipeline.sha256OfTarget(target, manifest.imageLength(), manifest.chunkSize());
            }
        } catch (VerificationFailedException e) {
            throw e;
        } catch (Throwable e) {
            if (pipeline.writingStarted()) {
                throw Pipeline.aborted(plan.source(), plan.target(), pipeline.bytesDone(), e);
            }
            throw e;
        }
        if (sha256 != null) {
            Flasher.verify(plan, sha256, info.version());
        }
        return new Flasher.Flashed(info, manifest.codec(), geometry, outcome.bytesFetched(),
                Duration.ofNanos(System.nanoTime() - start), outcome.bytesWritten(), outcome.bytesZero(),
                outcome.bytesIdentical(), sha256, outcome.chunks(), trust);
    }

    /**
     * Decides the manifest's trust before anything is written: the embedded signature, and with
     * trusted keys a detached one beside the object ({@code <object>.sshsig}) when there is one.
     */
    private TrustDecision trust(List<String> warnings, long[] fetched) throws IOException {
        TrustPolicy policy = TrustPolicy.none();
        if (plan.trustedKeys() != null) {
            policy = policy.withTrustedKeys(plan.trustedKeys());
        }
        if (plan.imageDigest() != null) {
            policy = policy.withImageDigest(plan.imageDigest());
        }
        if (plan.expectedSha256() != null) {
            policy = policy.withImageSha256(plan.expectedSha256());
        }
        Map<String, byte[]> signatures = index.signatures();
        if (plan.trustedKeys() != null) {
            URI detached = IndexedImage.detachedSignatureLocation(plan.source());
            String shown = ImageLocations.redact(detached);
            try {
                Optional<byte[]> text = IndexedImage.readDetachedSignature(registry.source(detached, plan.options()),
                        detached, plan.options());
                if (text.isPresent()) {
                    signatures.put(shown, text.get());
                    fetched[0] += text.get().length;
                }
            } catch (FlashException e) {
                warnings.add("the detached signature " + shown + " could not be read, so it was not checked: "
                        + e.getMessage());
            }
        }
        return policy.decide(index.manifest(), signatures);
    }
}
