package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import java.net.URI;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What boot mode does, read from the kernel command line: the original's {@code root=} and {@code
 * source=}, and options namespaced {@code s3flash.*}. Anything malformed stops boot mode with a
 * message that lists the valid options.
 *
 * @param root the target as given: a path, or UUID=, LABEL=, PARTUUID=, PARTLABEL=
 * @param source the image; a bare {@code bucket/key} means S3, as in the original
 * @param codec a codec name, or null to detect it
 * @param sha256 the expected SHA-256, or null
 * @param watchdog time after boot at which, if nothing has been written, the old boot is restored
 * @param after what to do after a successful flash
 * @param progressInterval seconds between progress lines on the console
 * @param options provider and pipeline options for the flash
 */
public record BootConfig(String root, URI source, String codec, String sha256, Duration watchdog, After after,
        Duration progressInterval, Options options) {

    /** What to do after a successful flash. */
    public enum After { REBOOT, POWEROFF, NONE }

    public static final Duration DEFAULT_WATCHDOG = Duration.ofSeconds(1000);

    private static final Pattern BUCKET_KEY = Pattern.compile("[a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9]/.+");

    /** Every {@code s3flash.*} key boot mode knows, with what it takes. */
    static final Map<String, String> VALID = validKeys();

    private static Map<String, String> validKeys() {
        var keys = new LinkedHashMap<String, String>();
        keys.put("s3flash.codec", "codec name (lz4, zstd, raw, ...); default: detect");
        keys.put("s3flash.sha256", "expected SHA-256 of the image, 64 hex digits");
        keys.put("s3flash.watchdog", "seconds without a written byte before the old boot is restored; default 1000");
        keys.put("s3flash.endpoint", "S3-compatible endpoint URL");
        keys.put("s3flash.verify", "true|false: read the written image back and compare; default false");
        keys.put("s3flash.zero", "how all-zero ranges are written: a mode of the block sink (write, zeroout, ...)");
        keys.put("s3flash.after", "reboot|poweroff|none after success; default reboot");
        keys.put("s3flash.progress", "seconds between progress lines; default 5");
        keys.put("s3flash.option.<key>", "any provider or pipeline option, e.g. s3flash.option.read.concurrency=8");
        return keys;
    }

    /** Reads boot mode's settings; {@link IllegalArgumentException} says what is wrong and what is valid. */
    public static BootConfig from(KernelCommandLine cmdline) {
        String root = cmdline.get("root").filter(s -> !s.isBlank())
                .orElseThrow(() -> invalid("root= is missing: give the disk to flash, e.g. root=/dev/nvme0n1"));
        String sourceText = cmdline.get("source").filter(s -> !s.isBlank())
                .orElseThrow(() -> invalid("source= is missing: give the image, e.g. source=bucket/key or a URI"));
        URI source = sourceUri(sourceText);
        String codec = null;
        String sha256 = null;
        Duration watchdog = DEFAULT_WATCHDOG;
        After after = After.REBOOT;
        Duration progress = Duration.ofSeconds(5);
        Options options = Options.empty();
        for (var entry : cmdline.parameters().entrySet()) {
            String key = entry.getKey();
            String value = entry.getValue();
            if (!key.startsWith("s3flash.")) {
                continue;
            }
            switch (key) {
                case "s3flash.codec" -> codec = nonEmpty(key, value);
                case "s3flash.sha256" -> sha256 = sha256(value);
                case "s3flash.watchdog" -> watchdog = Duration.ofSeconds(positive(key, value));
                case "s3flash.endpoint" -> options = options.with("s3.endpoint", endpoint(value));
                case "s3flash.verify" -> options = options.with("verify", Boolean.toString(bool(key, value)));
                case "s3flash.zero" -> options = options.with("zero", nonEmpty(key, value));
                case "s3flash.after" -> after = after(value);
                case "s3flash.progress" -> progress = Duration.ofSeconds(positive(key, value));
                default -> {
                    if (key.startsWith("s3flash.option.") && key.length() > "s3flash.option.".length()) {
                        options = options.with(key.substring("s3flash.option.".length()), value);
                    } else {
                        throw invalid("unknown kernel option " + key + "=" + value);
                    }
                }
            }
        }
        return new BootConfig(root, source, codec, sha256, watchdog, after, progress, options);
    }

    /** {@code bucket/key} (the original's form) is S3; anything with a scheme is a URI. */
    static URI sourceUri(String text) {
        if (!text.contains("://") && !text.startsWith("file:") && BUCKET_KEY.matcher(text).matches()) {
            return URI.create("s3://" + text.substring(0, text.indexOf('/')) + "/"
                    + encodePath(text.substring(text.indexOf('/') + 1)));
        }
        if (!text.contains(":")) {
            throw invalid("source=" + text + " is neither bucket/key (bucket names are 3 to 63 lower-case letters, digits,"
                    + " dots and hyphens) nor a URI such as s3://bucket/key or https://host/path");
        }
        try {
            return ImageLocations.parse(text);
        } catch (IllegalArgumentException e) {
            throw invalid("source=" + ImageLocations.redact(text) + ": " + e.getMessage());
        }
    }

    private static String encodePath(String key) {
        try {
            return new URI(null, null, "/" + key, null).getRawPath().substring(1);
        } catch (java.net.URISyntaxException e) {
            throw invalid("source key '" + key + "' cannot be put in a URI: " + e.getMessage());
        }
    }

    private static String nonEmpty(String key, String value) {
        if (value.isBlank()) {
            throw invalid(key + "= is empty");
        }
        return value;
    }

    private static String sha256(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (v.length() != 64 || !v.chars().allMatch(HexFormat::isHexDigit)) {
            throw invalid("s3flash.sha256=" + value + " is not 64 hex digits");
        }
        return v;
    }

    private static long positive(String key, String value) {
        try {
            long v = Long.parseLong(value);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(key + "=" + value + " is not a positive whole number of seconds");
    }

    private static boolean bool(String key, String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "", "1", "true", "yes", "on" -> true;
            case "0", "false", "no", "off" -> false;
            default -> throw invalid(key + "=" + value + " is not true or false");
        };
    }

    private static String endpoint(String value) {
        try {
            URI uri = new URI(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return value;
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        throw invalid("s3flash.endpoint=" + value + " is not an http(s) URL");
    }

    private static After after(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "reboot" -> After.REBOOT;
            case "poweroff" -> After.POWEROFF;
            case "none" -> After.NONE;
            default -> throw invalid("s3flash.after=" + value + " is not reboot, poweroff or none");
        };
    }

    private static IllegalArgumentException invalid(String problem) {
        var text = new StringBuilder(problem).append(". Valid kernel options: root=<device|UUID=|LABEL=|PARTUUID=|"
                + "PARTLABEL=>, source=<bucket/key|URI>");
        VALID.forEach((k, v) -> text.append(", ").append(k).append(" (").append(v).append(')'));
        return new IllegalArgumentException(text.toString());
    }
}
