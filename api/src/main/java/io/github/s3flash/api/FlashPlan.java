package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

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
 */
public record FlashPlan(URI source, Path target, String codec, String expectedSha256, Options options) {

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
    }

    public static FlashPlan of(URI source, Path target) {
        return new FlashPlan(source, target, null, null, Options.empty());
    }

    public FlashPlan withCodec(String name) {
        return new FlashPlan(source, target, name, expectedSha256, options);
    }

    public FlashPlan withExpectedSha256(String hex) {
        return new FlashPlan(source, target, codec, hex, options);
    }

    public FlashPlan withOptions(Options more) {
        return new FlashPlan(source, target, codec, expectedSha256, options.with(more));
    }

    public FlashPlan withOption(String key, String value) {
        return new FlashPlan(source, target, codec, expectedSha256, options.with(key, value));
    }

    /** With the source redacted and option values left out, as they may be credentials. */
    @Override
    public String toString() {
        return "FlashPlan[source=" + ImageLocations.redact(source) + ", target=" + target + ", codec=" + codec
                + ", expectedSha256=" + expectedSha256 + ", options=" + options + "]";
    }
}
