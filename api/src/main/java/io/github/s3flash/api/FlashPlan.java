package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.index.TrustPolicy;
import io.github.s3flash.api.sshsig.AllowedSigners;
import java.net.URI;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What to flash where.
 *
 * @param source the image's location (see {@link ImageLocations#parse} for plain paths)
 * @param target the device or file to write
 * @param codec a codec name, or null to detect the codec from the image's first bytes
 * @param expectedSha256 the SHA-256 (hex) the decoded image must have, or null
 * @param options provider and pipeline options (see {@link PipelineSettings} for the pipeline's)
 * @param trustedKeys the signers an indexed image must be signed by, or null; with them, an image
 *     that is not indexed, not signed or not signed by one of them is refused before the first write
 *     (unless {@code imageDigest} pins it)
 * @param imageDigest the image digest (SHA-256 of an indexed image's manifest, 64 hex digits) the
 *     image must have, or null; checked before the first write
 */
public record FlashPlan(URI source, Path target, String codec, String expectedSha256, Options options,
        AllowedSigners trustedKeys, String imageDigest) {

    public FlashPlan {
        requireNonNull(source, "source");
        requireNonNull(target, "target");
        requireNonNull(options, "options");
        if (codec != null && codec.isBlank()) {
            codec = null;
        }
        if (expectedSha256 != null) {
            expectedSha256 = expectedSha256.trim().toLowerCase(Locale.ROOT);
            if (expectedSha256.length() != 64 || !expectedSha256.chars().allMatch(HexFormat::isHexDigit)) {
                throw new IllegalArgumentException(
                        "expected SHA-256 must be 64 hex digits, got '" + expectedSha256 + "'");
            }
        }
        if (imageDigest != null) {
            // The same rule the trust policy applies, so a bad digest is a caller's error here already.
            imageDigest = TrustPolicy.none().withImageDigest(imageDigest).imageDigest();
        }
    }

    /** A plan without trust beyond the optional SHA-256. */
    public FlashPlan(URI source, Path target, String codec, String expectedSha256, Options options) {
        this(source, target, codec, expectedSha256, options, null, null);
    }

    /** Whether the image must be authenticated before the first write (trusted keys or a pinned digest). */
    public boolean requiresAuthentication() {
        return trustedKeys != null || imageDigest != null;
    }
    public static FlashPlan of(URI source, Path target) {
        return new FlashPlan(source, target, null, null, Options.empty());
    }

    public FlashPlan withCodec(String name) {
        return new FlashPlan(source, target, name, expectedSha256, options, trustedKeys, imageDigest);
    }

    public FlashPlan withExpectedSha256(String hex) {
        return new FlashPlan(source, target, codec, hex, options, trustedKeys, imageDigest);
    }

    public FlashPlan withOptions(Options more) {
        return new FlashPlan(source, target, codec, expectedSha256, options.with(more), trustedKeys, imageDigest);
    }

    public FlashPlan withOption(String key, String value) {
        return new FlashPlan(source, target, codec, expectedSha256, options.with(key, value), trustedKeys, imageDigest);
    }

    public FlashPlan withTrustedKeys(AllowedSigners keys) {
        return new FlashPlan(source, target, codec, expectedSha256, options, requireNonNull(keys, "keys"), imageDigest);
    }

    public FlashPlan withImageDigest(String hex) {
        return new FlashPlan(source, target, codec, expectedSha256, options, trustedKeys, requireNonNull(hex, "hex"));
    }

    /** With the source redacted and option values left out, as they may be credentials. */
    @Override
    public String toString() {
        return "FlashPlan[source=" + ImageLocations.redact(source) + ", target=" + target + ", codec=" + codec
                + ", expectedSha256=" + expectedSha256 + ", options=" + options + ", trustedKeys="
                + (trustedKeys == null ? null : trustedKeys.source()) + ", imageDigest=" + imageDigest + "]";
    }
}
