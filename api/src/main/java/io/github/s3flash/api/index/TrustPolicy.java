package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.sshsig.AllowedSigners;
import io.github.s3flash.api.sshsig.SshSignature;
import io.github.s3flash.api.sshsig.SshSignatureException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What makes an indexed image trusted, and the decision. Any one of three ways:
 *
 * <ol>
 *   <li>a pinned image digest ({@code --image-digest}, {@code s3flash.digest=}): the manifest's
 *       SHA-256 must be it, whatever else is given;
 *   <li>trusted keys (an OpenSSH {@code allowed_signers} file): a signature of the manifest, embedded
 *       or detached, in namespace {@code s3flash-image}, by a key the file allows now (and for {@code
 *       principal}, when given). With trusted keys and no pinned digest, anything else is refused;
 *   <li>the whole image's SHA-256 ({@code --sha256}): checked once the image is decoded, so it does
 *       not authenticate the manifest beforehand; trusted keys, when given, still must be satisfied.
 * </ol>
 *
 * With none of them the image is checked against its own manifest only ({@link
 * TrustDecision.Kind#NONE}). Immutable and thread-safe.
 *
 * @param trustedKeys the allowed signers, or null
 * @param imageDigest the pinned image digest (64 hex digits, an optional {@code sha256:} prefix), or null
 * @param imageSha256 the whole decoded image's SHA-256, or null
 * @param principal the principal the signer must be allowed as, or null for any
 * @param clock the time a signer's validity is checked at
 */
public record TrustPolicy(AllowedSigners trustedKeys, String imageDigest, String imageSha256, String principal,
        Clock clock) {

    /** Where {@link #decide} calls the embedded signature. */
    public static final String EMBEDDED = "embedded";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public TrustPolicy {
        requireNonNull(clock, "clock");
        imageDigest = normalize(imageDigest, "image digest");
        imageSha256 = normalize(imageSha256, "image SHA-256");
    }

    /** No trust asked for. */
    public static TrustPolicy none() {
        return new TrustPolicy(null, null, null, null, Clock.systemUTC());
    }

    public TrustPolicy withTrustedKeys(AllowedSigners keys) {
        return new TrustPolicy(requireNonNull(keys, "keys"), imageDigest, imageSha256, principal, clock);
    }

    public TrustPolicy withImageDigest(String digest) {
        return new TrustPolicy(trustedKeys, requireNonNull(digest, "digest"), imageSha256, principal, clock);
    }

    public TrustPolicy withImageSha256(String sha256) {
        return new TrustPolicy(trustedKeys, imageDigest, requireNonNull(sha256, "sha256"), principal, clock);
    }

    public TrustPolicy withPrincipal(String name) {
        return new TrustPolicy(trustedKeys, imageDigest, imageSha256, requireNonNull(name, "name"), clock);
    }

    public TrustPolicy withClock(Clock time) {
        return new TrustPolicy(trustedKeys, imageDigest, imageSha256, principal, time);
    }

    private static String normalize(String hex, String what) {
        if (hex == null) {
            return null;
        }
        String h = hex.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("sha256:")) {
            h = h.substring("sha256:".length());
        }
        if (!SHA256.matcher(h).matches()) {
            throw new IllegalArgumentException(what + " '" + hex + "' is not a SHA-256: expected 64 hex digits");
        }
        return h;
    }

    /**
     * Checks every signature of {@code manifest}: {@code signatures} maps where each came from
     * ({@link #EMBEDDED}, a detached signature's location) to its armored text, in the order to
     * report them. An empty map is one {@link SignatureCheck.Status#ABSENT} check.
     */
    public List<SignatureCheck> check(Manifest manifest, Map<String, byte[]> signatures) {
        requireNonNull(manifest, "manifest");
        requireNonNull(signatures, "signatures");
        if (signatures.isEmpty()) {
            return List.of(SignatureCheck.absent());
        }
        byte[] message = manifest.bytes();
        List<SignatureCheck> checks = new ArrayList<>();
        for (var entry : signatures.entrySet()) {
            checks.add(check(entry.getKey(), entry.getValue(), message));
        }
        return checks;
    }

    private SignatureCheck check(String source, byte[] armored, byte[] message) {
        SshSignature signature;
        try {
            signature = SshSignature.parseArmored(armored);
        } catch (SshSignatureException e) {
            return new SignatureCheck(source, SignatureCheck.Status.INVALID, null, null, e.getMessage());
        }
        try {
            signature.verify(message, SshSignature.IMAGE_NAMESPACE);
        } catch (SshSignatureException e) {
            return new SignatureCheck(source, SignatureCheck.Status.INVALID, signature.key(), null, e.getMessage());
        }
        if (trustedKeys == null) {
            return new SignatureCheck(source, SignatureCheck.Status.UNTRUSTED, signature.key(), null,
                    "no trusted keys were given to check the signer against (--trusted-keys)");
        }
        try {
            var entry = trustedKeys.authorize(signature.key(), SshSignature.IMAGE_NAMESPACE, clock.instant(), principal);
            return new SignatureCheck(source, SignatureCheck.Status.VALID, signature.key(), entry.principals(), null);
        } catch (SshSignatureException e) {
            return new SignatureCheck(source, SignatureCheck.Status.UNTRUSTED, signature.key(), null, e.getMessage());
        }
    }

    /**
     * Decides whether {@code manifest} is trusted, before anything is written from it.
     *
     * @throws UntrustedImageException when the pinned digest differs, or trusted keys are given and no
     *     signature is by a key they allow
     */
    public TrustDecision decide(Manifest manifest, Map<String, byte[]> signatures) throws UntrustedImageException {
        List<SignatureCheck> checks = check(manifest, signatures);
        if (imageDigest != null) {
            if (!imageDigest.equals(manifest.digest())) {
                throw new UntrustedImageException("the image digest is " + manifest.digest() + " but " + imageDigest
                        + " was pinned: this is another image, or its manifest was changed", checks);
            }
            return new TrustDecision(TrustDecision.Kind.IMAGE_DIGEST, "image digest " + imageDigest + " as pinned",
                    checks);
        }
        if (trustedKeys != null) {
            for (SignatureCheck c : checks) {
                if (c.status() == SignatureCheck.Status.VALID) {
                    return new TrustDecision(TrustDecision.Kind.SIGNATURE, "signed by " + c.key() + " (principal "
                            + c.principal() + ", " + c.source() + " signature, " + trustedKeys.source() + ")", checks);
                }
            }
            boolean unsigned = checks.stream().allMatch(c -> c.status() == SignatureCheck.Status.ABSENT);
            throw new UntrustedImageException(unsigned
                    ? "the image is not signed, and trusted keys (" + trustedKeys.source() + ") require a signature:"
                            + " sign it (s3flash image sign URI --key KEY) or pin its digest"
                    : "no signature of the image is by a trusted key (" + trustedKeys.source() + "): "
                            + String.join("; ", checks.stream().map(SignatureCheck::describe).toList()), checks);
        }
        if (imageSha256 != null) {
            return new TrustDecision(TrustDecision.Kind.IMAGE_SHA256, "the decoded image's SHA-256 must be "
                    + imageSha256 + " (checked once the image is decoded)", checks);
        }
        return new TrustDecision(TrustDecision.Kind.NONE, "not authenticated: no trusted keys, digest or SHA-256"
                + " given; chunks are checked against the image's own manifest", checks);
    }
}
