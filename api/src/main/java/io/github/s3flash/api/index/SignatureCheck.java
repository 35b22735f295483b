package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.sshsig.SshPublicKey;

/**
 * What one signature of an image's manifest proved.
 *
 * @param source where the signature came from: {@code embedded}, or the detached signature's location
 * @param status the verdict
 * @param key the key that made it, or null when the signature could not be parsed (or is absent)
 * @param principal the allowed signers principals that accept the key, or null unless {@code VALID}
 * @param reason why it is not valid, or null when it is
 */
public record SignatureCheck(String source, Status status, SshPublicKey key, String principal, String reason) {

    /** The verdicts, from best to worst. */
    public enum Status {
        /** Made over this manifest by a key the trusted keys allow (namespace, time, principal). */
        VALID,
        /** Made over this manifest, but by a key the trusted keys do not allow, or with no trusted keys given. */
        UNTRUSTED,
        /** Malformed, made in another namespace, or not over this manifest's bytes. */
        INVALID,
        /** There is no signature. */
        ABSENT;

        /** Lower case, as reports and JSON show it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public SignatureCheck {
        requireNonNull(source, "source");
        requireNonNull(status, "status");
    }

    static SignatureCheck absent() {
        return new SignatureCheck("none", Status.ABSENT, null, null, "the image is not signed");
    }

    /** One line for reports: {@code valid: ED25519 SHA256:... principal ops@example.com (embedded)}. */
    public String describe() {
        var text = new StringBuilder(status.label());
        if (key != null) {
            text.append(": ").append(key);
        }
        if (principal != null) {
            text.append(" principal ").append(principal);
        }
        if (status != Status.ABSENT) {
            text.append(" (").append(source).append(")");
        }
        if (reason != null && status != Status.ABSENT) {
            text.append(": ").append(reason);
        }
        return text.toString();
    }
}
