package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Which trust an image's manifest has, decided before anything is written.
 *
 * @param kind how it is trusted
 * @param detail for reports: the signer, the pinned digest, or what is still to be checked
 * @param signatures what each signature proved (the embedded one and a detached one)
 */
public record TrustDecision(Kind kind, String detail, List<SignatureCheck> signatures) {

    public enum Kind {
        /** Signed by a key the trusted keys allow. */
        SIGNATURE,
        /** Its digest is the one pinned. */
        IMAGE_DIGEST,
        /**
         * Only the whole decoded image's SHA-256 was given: it can be checked once every byte is
         * decoded, which for a flash is after writing. The chunks still match this manifest.
         */
        IMAGE_SHA256,
        /** Nothing was asked for: the image is checked against its own manifest only. */
        NONE
    }

    public TrustDecision {
        requireNonNull(kind, "kind");
        requireNonNull(detail, "detail");
        signatures = List.copyOf(signatures);
    }

    /** Whether the manifest is authenticated before the first byte is written. */
    public boolean authenticated() {
        return kind == Kind.SIGNATURE || kind == Kind.IMAGE_DIGEST;
    }
}
