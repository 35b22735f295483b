package io.github.s3flash.bootloader.boot;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.sshsig.AllowedSigners;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What boot mode does, read from the kernel command line: the original's {@code root=} and {@code
 * source=}, and options namespaced {@code s3flash.*}, each judged by {@link BootOptionSchema} (the
 * rules configure_bootloader.sh applied when it wrote grub.cfg). Anything the schema refuses, a
 * missing {@code root=} or {@code source=}, or one of these keys given twice makes the command line
 * unusable: {@link #from} says why and lists the valid options.
 *
 * @param root the target as given: a path, or UUID=, LABEL=, PARTUUID=, PARTLABEL=
 * @param source the image; a bare {@code bucket/key} means S3, as in the original
 * @param codec a codec name, or null to detect it
 * @param sha256 the expected SHA-256, or null
 * @param watchdog time after boot at which, if nothing has been written, the old boot is restored
 * @param after what to do after a successful flash
 * @param progressInterval seconds between progress lines on the console
 * @param options provider and pipeline options for the flash
 * @param restore where the old boot is, for the watchdog's restore
 * @param imageDigest the image digest an indexed image must have ({@code s3flash.digest=}), or null
 * @param trustedKeys the signers baked into the initrd ({@link BootService#TRUSTED_KEYS}), or null;
 *     not read from the command line
 * @param report where boot mode sends its JSON reports ({@code s3flash.report=}, placeholders unfilled), or null
 */
public record BootConfig(String root, URI source, String codec, String sha256, Duration watchdog, After after,
        Duration progressInterval, Options options, RestoreTarget restore, String imageDigest,
        AllowedSigners trustedKeys, String report) {

    /** Without a pinned digest, trusted keys or reports. */
    public BootConfig(String root, URI source, String codec, String sha256, Duration watchdog, After after,
            Duration progressInterval, Options options, RestoreTarget restore) {
        this(root, source, codec, sha256, watchdog, after, progressInterval, options, restore, null, null, null);
    }

    /** The same, with {@code keys} as the trusted keys. */
    public BootConfig withTrustedKeys(AllowedSigners keys) {
        return new BootConfig(root, source, codec, sha256, watchdog, after, progressInterval, options, restore,
                imageDigest, keys, report);
    }

    /** What to do after a successful flash. */
    public enum After { REBOOT, POWEROFF, NONE }

    public static final Duration DEFAULT_WATCHDOG = Duration.ofSeconds(1000);

    /** Reads boot mode's settings; {@link IllegalArgumentException} says what is wrong and what is valid. */
    public static BootConfig from(KernelCommandLine cmdline) {
        for (String key : cmdline.repeated()) {
            if (ours(key)) {
                throw invalid(key + "= is given more than once; give it once");
            }
        }
        String root = cmdline.get("root")
                .orElseThrow(() -> invalid("root= is missing: give the disk to flash, e.g. root=/dev/nvme0n1"));
        String sourceText = cmdline.get("source")
                .orElseThrow(() -> invalid("source= is missing: give the image, e.g. source=bucket/key or a URI"));
        for (var entry : cmdline.parameters().entrySet()) {
            if (ours(entry.getKey())) {
                BootOptionSchema.problem(entry.getKey(), entry.getValue()).ifPresent(p -> {
                    throw invalid(p);
                });
            }
        }
        Map<String, String> p = cmdline.parameters();
        Options options = Options.empty();
        for (var entry : p.entrySet()) {
            if (entry.getKey().startsWith(BootOptionSchema.OPTION_PREFIX)) {
                options = options.with(entry.getKey().substring(BootOptionSchema.OPTION_PREFIX.length()),
                        entry.getValue());
            }
        }
        if (p.containsKey("s3flash.endpoint")) {
            options = options.with("s3.endpoint", p.get("s3flash.endpoint"));
        }
        if (p.containsKey("s3flash.verify")) {
            options = options.with("verify", p.get("s3flash.verify"));
        }
        if (p.containsKey("s3flash.zero")) {
            options = options.with("zero", p.get("s3flash.zero"));
        }
        // Delta is on unless switched off: a retry, or a re-flash of what the disk mostly holds, then
        // fetches only the chunks the disk does not hold yet.
        if (p.containsKey("s3flash.delta") || options.get("delta", null) == null) {
            options = options.with("delta", p.getOrDefault("s3flash.delta", "true"));
        }
        return new BootConfig(root, sourceUri(sourceText), p.get("s3flash.codec"), lower(p.get("s3flash.sha256")),
                seconds(p, "s3flash.watchdog", DEFAULT_WATCHDOG), after(p.getOrDefault("s3flash.after", "reboot")),
                seconds(p, "s3flash.progress", Duration.ofSeconds(5)), options,
                restoreTarget(cmdline).orElseThrow(), lower(p.get("s3flash.digest")), null, p.get("s3flash.report"));
    }

    /**
     * Where reports go, read from a command line that may be unusable otherwise (its restore is
     * reported too): the {@code s3flash.report=} value when valid, else empty.
     */
    public static Optional<String> report(KernelCommandLine cmdline) {
        return usable(cmdline, "s3flash.report");
    }

    /** The S3 endpoint of a command line that may be unusable otherwise, when valid. */
    public static Optional<String> endpoint(KernelCommandLine cmdline) {
        return usable(cmdline, "s3flash.endpoint");
    }

    /**
     * Where the old boot is, read from a command line that may be unusable otherwise: empty when
     * {@code root=} is missing, given twice or malformed (then no restore is possible). A malformed
     * {@code s3flash.bootfs=} is left out: the restore then finds that the /boot on the root file
     * system is not the one that booted, and says so rather than restoring where GRUB does not look.
     */
    public static Optional<RestoreTarget> restoreTarget(KernelCommandLine cmdline) {
        Optional<String> root = usable(cmdline, "root");
        if (root.isEmpty()) {
            return Optional.empty();
        }
        List<String> arguments = new ArrayList<>(List.of("root=" + root.get()));
        if (!cmdline.repeated().contains("source")) {
            cmdline.get("source").filter(s -> !s.isEmpty()).ifPresent(s -> arguments.add("source=" + s));
        }
        return Optional.of(new RestoreTarget(root.get(), usable(cmdline, "s3flash.bootfs").orElse(null), arguments));
    }

    /** The watchdog of a command line that may be unusable otherwise: its own when valid, else the default. */
    public static Duration watchdog(KernelCommandLine cmdline) {
        return usable(cmdline, "s3flash.watchdog").map(s -> Duration.ofSeconds(Long.parseLong(s)))
                .orElse(DEFAULT_WATCHDOG);
    }

    private static Optional<String> usable(KernelCommandLine cmdline, String key) {
        return cmdline.repeated().contains(key) ? Optional.empty()
                : cmdline.get(key).filter(v -> BootOptionSchema.problem(key, v).isEmpty());
    }

    private static boolean ours(String key) {
        return key.equals("root") || key.equals("source") || key.startsWith("s3flash.");
    }

    /**
     * {@code bucket/key} (the original's form) is S3; anything with a scheme is a URI. Bucket names hold
     * no colon, so a colon before the first slash ends a scheme.
     */
    static URI sourceUri(String text) {
        int colon = text.indexOf(':');
        int slash = text.indexOf('/');
        if (colon < 0 || colon > slash && slash >= 0) {
            try {
                // This constructor quotes what a URI path cannot hold, % included: the key is taken literally.
                return new URI("s3", text.substring(0, slash), "/" + text.substring(slash + 1), null, null);
            } catch (java.net.URISyntaxException e) {
                throw invalid("source=" + text + " cannot be put in an s3:// URI: " + e.getMessage());
            }
        }
        return ImageLocations.parse(text);
    }

    private static String lower(String value) {
        return value == null ? null : value.toLowerCase(Locale.ROOT);
    }

    private static Duration seconds(Map<String, String> p, String key, Duration defaultValue) {
        return p.containsKey(key) ? Duration.ofSeconds(Long.parseLong(p.get(key))) : defaultValue;
    }

    private static After after(String value) {
        return After.valueOf(value.toUpperCase(Locale.ROOT));
    }

    private static IllegalArgumentException invalid(String problem) {
        var text = new StringBuilder(problem).append(". Valid kernel options:");
        for (var rule : BootOptionSchema.rules()) {
            if (!rule.key().startsWith(BootOptionSchema.OPTION_PREFIX)) {
                text.append(' ').append(rule.key()).append("= (").append(rule.expected()).append(')');
            }
        }
        text.append(", s3flash.option.<key>= (a provider's or the pipeline's option, e.g."
                + " s3flash.option.read.concurrency=8; configure_bootloader.sh's table lists them)");
        return new IllegalArgumentException(text.toString());
    }
}
