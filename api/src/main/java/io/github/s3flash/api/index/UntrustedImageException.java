package io.github.s3flash.api.index;

import io.github.s3flash.api.FlashException;
import java.util.List;

/**
 * The image's manifest is not trusted as the {@link TrustPolicy} demands: unsigned or badly signed
 * while trusted keys are given, signed by a key they do not allow, or not the pinned digest. Nothing
 * may be written from it. The message says why and what to do; {@link #signatures()} has the detail.
 */
public final class UntrustedImageException extends FlashException {
    private static final long serialVersionUID = 1L;

    private final transient List<SignatureCheck> signatures;

    public UntrustedImageException(String message, List<SignatureCheck> signatures) {
        super(message);
        this.signatures = List.copyOf(signatures);
    }

    /** What each signature proved (empty when the refusal was about the digest alone). */
    public List<SignatureCheck> signatures() {
        return signatures == null ? List.of() : signatures;
    }
}
