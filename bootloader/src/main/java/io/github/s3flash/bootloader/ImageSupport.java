package io.github.s3flash.bootloader;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.TrustPolicy;
import io.github.s3flash.api.sshsig.AllowedSigners;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** What the {@code s3flash image} commands share: opening an image's index, its signatures, the trust policy. */
final class ImageSupport {

    private ImageSupport() {}

    /** An image's pinned object and its index; closing closes the object. */
    record Opened(URI location, PinnedImage image, IndexedImage index) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            image.close();
        }
    }

    /**
     * Opens the object at {@code location} through its source and reads its index (the tail only).
     *
     * @throws FlashException when it cannot be read, holds no index, or a damaged one
     */
    static Opened open(ProviderRegistry registry, URI location, Options options) throws IOException {
        PinnedImage image = registry.source(location, options).open(location, options);
        try {
            return new Opened(location, image, IndexedImage.require(image, RetryPolicy.from(options)));
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /**
     * The signatures to check: the embedded one, and a detached one — {@code explicit} (a path or URI;
     * it must exist) or else {@code <object>.sshsig} beside the image, when it exists. A detached
     * signature that exists but cannot be read is reported on {@code err} and left out.
     */
    static Map<String, byte[]> signatures(Opened opened, ProviderRegistry registry, Options options, String explicit,
            PrintWriter err) throws IOException {
        Map<String, byte[]> all = opened.index().signatures();
        URI detached = explicit != null ? ImageLocations.parse(explicit)
                : IndexedImage.detachedSignatureLocation(opened.location());
        String shown = ImageLocations.redact(detached);
        try {
            Optional<byte[]> text = IndexedImage.readDetachedSignature(registry.source(detached, options), detached,
                    options);
            if (text.isPresent()) {
                all.put(shown, text.get());
            } else if (explicit != null) {
                throw new ImageNotFoundException("signature " + shown + " does not exist");
            }
        } catch (ImageNotFoundException e) {
            throw e;
        } catch (FlashException e) {
            if (explicit != null) {
                throw e;
            }
            err.println("s3flash: warning: the detached signature " + shown + " could not be read, so it is not"
                    + " checked: " + e.getMessage());
            err.flush();
        }
        return all;
    }

    /** The policy of the trust flags; null flags are not asked for. */
    static TrustPolicy policy(Path trustedKeys, String imageDigest, String principal) throws IOException {
        TrustPolicy policy = TrustPolicy.none();
        if (trustedKeys != null) {
            policy = policy.withTrustedKeys(AllowedSigners.read(trustedKeys));
        }
        if (imageDigest != null) {
            policy = policy.withImageDigest(imageDigest);
        }
        if (principal != null) {
            policy = policy.withPrincipal(principal);
        }
        return policy;
    }

    /** A byte count with its human form: {@code 4194304 (4.0 MiB)}. */
    static String bytes(long n) {
        return n + " (" + ProgressPrinter.human(n) + ")";
    }
}
