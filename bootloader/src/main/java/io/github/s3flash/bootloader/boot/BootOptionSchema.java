package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.ImageLocations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The one schema of the kernel command line that boot mode reads: {@code root=}, {@code source=} and
 * every {@code s3flash.*} key, each with the rule its value must follow. Boot mode, {@code s3flash
 * grub configure} and configure_bootloader.sh all judge by it, so a typo or a bad value is refused on
 * the old OS when grub.cfg is written rather than found by boot mode after the reboot.
 *
 * <p>configure_bootloader.sh (POSIX sh, no Java on the server) holds the table as {@link
 * #shellTable()} renders it, and a test holds the two equal. That is why a rule is an extended
 * regular expression in the subset that {@code grep -E} and {@link Pattern} read alike: literals,
 * bracket classes without backslashes, {@code ( | ) ? * + {m,n}}, and {@code [.]} for a dot.
 *
 * <p>Rules are as narrow as the providers' own checks or narrower, so that whatever the schema
 * accepts boot mode can use; {@code s3flash.option.<key>} is checked against the rule of the
 * provider or pipeline setting it names. A key of a namespace no installed provider owns ({@code
 * s3flash.option.gzip.level}) belongs to a plugin and is checked only for safe characters.
 *
 * <p>Every value may use only {@code A-Z a-z 0-9 . _ ~ : / = + @ % , -} (each rule is within that
 * set), so nothing can inject into grub.cfg or the kernel command line.
 */
public final class BootOptionSchema {

    /** The longest value accepted: the kernel command line is 2048 bytes on x86. */
    public static final int MAX_LENGTH = 512;

    /** What the keys of {@code s3flash.*} options look like. */
    static final Pattern KEY = Pattern.compile("s3flash([.][a-z0-9_-]+)+");

    /** The key standing for options of a plugin's namespace. */
    static final String PLUGIN_KEY = "s3flash.option.<plugin>.*";

    static final String OPTION_PREFIX = "s3flash.option.";

    private static final String PLUGIN_NAMESPACE = "s3flash[.]option[.][a-z0-9_-]+[.][a-z0-9_-].*";

    /**
     * A key and what its value must be.
     *
     * @param key the key; one ending in {@code *} stands for every key that begins with the rest
     * @param pattern the value's rule, an extended regular expression matched against the whole value
     * @param expected what to tell a user whose value breaks the rule
     * @param good values the rule accepts (examples for help and tests)
     * @param bad values of the right characters that the rule refuses (for tests)
     */
    public record Rule(String key, String pattern, String expected, List<String> good, List<String> bad) {

        public Rule {
            requireNonNull(key, "key");
            requireNonNull(pattern, "pattern");
            requireNonNull(expected, "expected");
            good = List.copyOf(good);
            bad = List.copyOf(bad);
            if (key.contains(" ") || pattern.contains(" ") || pattern.contains("\\") || expected.contains("\n")) {
                throw new IllegalArgumentException("a rule must fit one line of the shell table: " + key);
            }
        }

        boolean prefix() {
            return key.endsWith("*") && !key.equals(PLUGIN_KEY);
        }

        Rule forKey(String name, String text) {
            return new Rule(name, pattern, text, good, bad);
        }
    }

    private static final String SAFE = "A-Za-z0-9._~:/=+@%,-";
    private static final String PCT = "%[0-9A-Fa-f]{2}";
    private static final String PATH_CHAR = "([A-Za-z0-9._~:/=+@,-]|" + PCT + ")";
    private static final String AUTHORITY_CHAR = "([A-Za-z0-9._~:=+@,-]|" + PCT + ")";
    private static final String SEGMENT = "[A-Za-z0-9_:+-][A-Za-z0-9._:+-]*";
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?";
    private static final String HOST = "(" + OCTET + "[.]" + OCTET + "[.]" + OCTET + "[.]" + OCTET + "|(" + LABEL
            + "[.])*[A-Za-z]([A-Za-z0-9-]*[A-Za-z0-9])?)";

    private static final Rule DEVICE = new Rule("", "/dev/" + SEGMENT + "(/" + SEGMENT + ")*|(UUID|LABEL|PARTUUID"
            + "|PARTLABEL)=" + SEGMENT,
            "/dev/<name> (no . or .. in the path), UUID=, LABEL=, PARTUUID= or PARTLABEL=",
            List.of("/dev/nvme0n1", "/dev/disk/by-id/nvme-Amazon_EC2_NVMe:1", "UUID=0a1b2c3d-4e5f-6789-abcd-ef01234"
                    + "56789", "LABEL=cloudimg-rootfs", "PARTUUID=1234-01", "PARTLABEL=root"),
            List.of("vda", "/dev/", "/dev/../tmp/x", "/dev/./vda", "/dev//vda", "/dev/.hidden", "UUID=..",
                    "FOO=bar", "UUID=", "/dev/vda/"));
    private static final Rule SOURCE = new Rule("source", "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/" + PATH_CHAR + "+"
            + "|[a-z][a-z0-9+.-]*:(//" + AUTHORITY_CHAR + "+(/" + PATH_CHAR + "*)?|///" + PATH_CHAR + "*|/?"
            + AUTHORITY_CHAR + PATH_CHAR + "*)",
            "bucket/key (S3) or a URI such as s3://bucket/key or https://host/path, using only " + SAFE
                    + " (% only as %XX)",
            List.of("my-bucket/images/server.img.lz4", "s3://my-bucket/a/b/c.lz4", "https://images.example.com/x.zst",
                    "file:///images/disk.img", "b.k-1/k~1%20x,y@z+1", "gs://b/o"),
            List.of("nokey", "ab/x", "Bucket/x", "-x/y", "bucket/", "s3://", "s3:", "http://", "bucket/k%zz", "bucket/k%",
                    "/images/disk.img", "S3://b/k"));
    private static final Rule SECONDS = new Rule("", "[1-9][0-9]{0,8}", "a whole number of seconds above zero",
            List.of("1", "600", "1000", "999999999"), List.of("0", "-1", "10m", "1.5", "soon", "1000000000", "007"));
    private static final Rule BOOLEAN = new Rule("", "true|false|yes|no|on|off|1|0", "true or false",
            List.of("true", "false", "yes", "no", "on", "off", "1", "0"), List.of("maybe", "TRUE", "2", "y"));
    private static final Rule URL = new Rule("", "https?://" + HOST + "(:[0-9]{1,5})?(/" + PATH_CHAR + "*)?",
            "an http or https URL such as https://s3.example.com:9000",
            List.of("http://10.0.2.100:9000", "https://s3.eu-west-1.amazonaws.com", "http://minio:9000/",
                    "https://s3.example.com/prefix"),
            List.of("ftp://x", "http://", "http://-x", "http://1.2.3.999", "https://h:port", "s3.example.com",
                    "http://h/%zz"));
    private static final Rule NAME = new Rule("", "[a-z0-9][a-z0-9_-]{0,31}", "a provider name such as lz4",
            List.of("lz4", "zstd", "raw", "gzip", "my_codec-2"), List.of("LZ4", "-x", "a.b", "lz4/x"));
    private static final Rule DURATION = new Rule("", "[0-9]{1,6}(ms|s|m|h)?", "a duration such as 200ms, 20s or 5m",
            List.of("0", "200ms", "20s", "5m", "1h", "30"), List.of("-1s", "5 m", "5min", "1d", "1.5s", "1234567"));
    private static final Rule POSITIVE_DURATION = new Rule("", "[1-9][0-9]{0,5}(ms|s|m|h)?",
            "a duration above zero such as 500ms, 30s or 2m",
            List.of("500ms", "30", "30s", "2m"), List.of("0", "0s", "-1", "1d", "1234567"));
    private static final Rule SIZE = new Rule("", "[1-9][0-9]{0,9}|[1-9][0-9]{0,6}[kKmMgG]",
            "a size above zero such as 8m, 512k or 1g",
            List.of("8m", "512k", "1g", "4194304", "128M"), List.of("0", "-1", "8mb", "1.5m", "8 m", "1t"));
    private static final Rule CHUNK_SIZE = new Rule("", "(4|8|16|32|64|128|256|512)[kK]|[1-9][0-9]{0,2}[mM]|1[gG]",
            "a multiple of 4 KiB from 4k to 1g, such as 4m",
            List.of("4m", "4k", "512k", "1m", "16M", "1g"), List.of("1k", "12k", "4096", "0m", "2g", "1000m1"));
    private static final Rule PATH = new Rule("", "/" + PATH_CHAR + "+", "an absolute path in the in-memory OS",
            List.of("/etc/ssl/ca.pem"), List.of("etc/ca.pem", "/"));
    private static final Rule VALUE = new Rule("", "[" + SAFE + "]+", "a value using only " + SAFE,
            List.of("x", "Bearer:abc=", "a,b"), List.of());

    private static final List<Rule> RULES = build();

    private BootOptionSchema() {}

    private static List<Rule> build() {
        List<Rule> rules = new ArrayList<>();
        rules.add(DEVICE.forKey("root", "the disk to flash: " + DEVICE.expected()));
        rules.add(SOURCE);
        rules.add(NAME.forKey("s3flash.codec", "a codec name (lz4, zstd, raw or a plugin's); default: detected"));
        rules.add(new Rule("s3flash.sha256", "[0-9a-fA-F]{64}", "the image's SHA-256: 64 hex digits",
                List.of("ab".repeat(32), "AB01".repeat(16)), List.of("abc", "g".repeat(64), "a".repeat(65))));
        rules.add(new Rule("s3flash.digest", "[0-9a-fA-F]{64}", "the image digest of an indexed image (the SHA-256 of"
                + " its manifest, as s3flash image inspect prints it): 64 hex digits; checked before the first write",
                List.of("ab".repeat(32)), List.of("abc", "sha256:" + "ab".repeat(32))));
        rules.add(BOOLEAN.forKey("s3flash.delta", "true or false: fetch and write only the chunks of an indexed"
                + " image the disk does not already hold (default true)"));
        rules.add(SECONDS.forKey("s3flash.watchdog", "seconds after the flash service first starts at which, if"
                + " nothing was written, the old boot is restored (a whole number above zero; default 1000)"));
        rules.add(URL.forKey("s3flash.endpoint", "the S3-compatible endpoint: " + URL.expected()));
        rules.add(BOOLEAN.forKey("s3flash.verify", "true or false: read the written image back and compare"));
        rules.add(zero("s3flash.zero"));
        rules.add(new Rule("s3flash.after", "reboot|poweroff|none", "reboot, poweroff or none after a flash",
                List.of("reboot", "poweroff", "none"), List.of("halt", "Reboot")));
        rules.add(SECONDS.forKey("s3flash.progress", "seconds between progress lines (a whole number above zero)"));
        rules.add(DEVICE.forKey("s3flash.bootfs", "the file system GRUB reads /boot from, when /boot is a partition"
                + " of its own (configure_bootloader.sh records it): " + DEVICE.expected()));
        rules.add(new Rule("s3flash.report", "(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]|https?://" + HOST
                + "(:[0-9]{1,5})?)/" + PATH_CHAR + "+",
                "where to send boot mode's JSON reports: s3://bucket/key or an http(s) URL (PUT); @hostname@, @mac@"
                        + " and @boot_id@ name the machine",
                List.of("s3://fleet-reports/boot/@hostname@/@boot_id@.json", "https://reports.example.com/r/@mac@.json",
                        "http://10.0.2.100:9000/reports/x.json"),
                List.of("s3://fleet-reports", "s3://B/x", "ftp://h/x", "https://h", "reports/x.json",
                        "s3://fleet-reports/{hostname}.json", "file:///tmp/r.json")));
        option(rules, "source.provider", NAME, "the name of the source provider to use");
        option(rules, "chunk-size", CHUNK_SIZE, CHUNK_SIZE.expected());
        option(rules, "buffers", new Rule("", "[2-9]|[1-9][0-9]{1,2}", "", List.of("2", "6", "999"),
                List.of("0", "1", "1000")), "chunks in flight, 2 to 999");
        option(rules, "read.part-size", SIZE, "bytes per ranged read: " + SIZE.expected());
        option(rules, "read.concurrency", new Rule("", "[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6]", "",
                List.of("0", "8", "256"), List.of("257", "-1", "08")), "ranged reads at once, 0 (the source's"
                + " choice) to 256");
        option(rules, "retry.attempts", new Rule("", "[1-9][0-9]{0,3}", "", List.of("1", "8", "9999"),
                List.of("0", "10000")), "attempts of a read, 1 to 9999");
        option(rules, "retry.base-delay", DURATION, DURATION.expected());
        option(rules, "retry.max-delay", DURATION, DURATION.expected());
        option(rules, "retry.give-up-after", POSITIVE_DURATION, "how long a failing part is retried: "
                + POSITIVE_DURATION.expected());
        option(rules, "verify", BOOLEAN, BOOLEAN.expected());
        option(rules, "delta", BOOLEAN, BOOLEAN.expected());
        option(rules, "decode.threads", new Rule("", "[0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6]", "",
                List.of("0", "2", "256"), List.of("257", "-1")), "threads decoding an indexed image's chunks, 0 (one"
                + " per processor) to 256");
        option(rules, "zero", zero(""), zero("").expected());
        option(rules, "force", BOOLEAN, "true or false: write the disk even if it is mounted or held");
        option(rules, "skip-identical", BOOLEAN, BOOLEAN.expected());
        option(rules, "direct-io", new Rule("", "auto|on|off", "", List.of("auto", "on", "off"), List.of("yes")),
                "auto, on or off");
        option(rules, "sync-every", SIZE, SIZE.expected());
        option(rules, "s3.endpoint", URL, URL.expected());
        option(rules, "s3.region", new Rule("", "[a-z0-9][a-z0-9-]{0,31}", "", List.of("us-east-1", "garage"),
                List.of("US-EAST-1", "-x")), "a region name such as eu-west-1");
        option(rules, "s3.profile", new Rule("", "[A-Za-z0-9._-]{1,64}", "", List.of("default", "Ops.1"),
                List.of("a/b")), "a profile name");
        option(rules, "s3.path-style", BOOLEAN, BOOLEAN.expected());
        option(rules, "s3.connect-timeout", POSITIVE_DURATION, POSITIVE_DURATION.expected());
        option(rules, "s3.read-timeout", POSITIVE_DURATION, POSITIVE_DURATION.expected());
        option(rules, "s3.concurrency", new Rule("", "[1-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-6]", "",
                List.of("1", "8", "256"), List.of("0", "257")), "1 to 256");
        option(rules, "http.version", new Rule("", "1[.]1|2", "", List.of("1.1", "2"), List.of("1", "3", "1x1")),
                "1.1 or 2");
        option(rules, "http.concurrency", new Rule("", "[1-9]|[1-5][0-9]|6[0-4]", "", List.of("1", "64"),
                List.of("0", "65")), "1 to 64");
        option(rules, "http.max-redirects", new Rule("", "[0-9]{1,3}", "", List.of("0", "10"), List.of("-1", "1000")),
                "0 to 999");
        option(rules, "http.range-reads", BOOLEAN, BOOLEAN.expected());
        option(rules, "http.connect-timeout", POSITIVE_DURATION, POSITIVE_DURATION.expected());
        option(rules, "http.read-timeout", POSITIVE_DURATION, POSITIVE_DURATION.expected());
        option(rules, "http.ca-bundle", PATH, PATH.expected());
        option(rules, "http.header.*", VALUE, "a header value using only " + SAFE);
        option(rules, "gcs.endpoint", URL, URL.expected());
        option(rules, "gcs.project", new Rule("", "[a-z0-9][a-z0-9-]{0,62}", "", List.of("my-project"),
                List.of("My_Project")), "a project id");
        option(rules, "gcs.credentials", PATH, PATH.expected());
        option(rules, "gcs.anonymous", BOOLEAN, BOOLEAN.expected());
        option(rules, "gcs.concurrency", new Rule("", "[1-9]|[1-5][0-9]|6[0-4]", "", List.of("1", "64"),
                List.of("0", "65")), "1 to 64");
        rules.add(VALUE.forKey(PLUGIN_KEY, "a plugin's option: " + VALUE.expected()));
        return List.copyOf(rules);
    }

    private static Rule zero(String key) {
        return new Rule(key, "write|zeroout|skip-if-zero|punch", "how zero ranges are written: write, zeroout,"
                + " skip-if-zero or punch", List.of("write", "zeroout", "skip-if-zero", "punch"), List.of("trim"));
    }

    private static void option(List<Rule> rules, String key, Rule type, String expected) {
        rules.add(type.forKey(OPTION_PREFIX + key, expected));
    }

    /** Every rule, in the order of the shell table. */
    public static List<Rule> rules() {
        return RULES;
    }

    /** The table as configure_bootloader.sh holds it: one rule a line, {@code KEY PATTERN EXPECTED}. */
    public static String shellTable() {
        return RULES.stream().map(r -> r.key() + " " + r.pattern() + " " + r.expected())
                .collect(Collectors.joining("\n", "", "\n"));
    }

    /** The rule for {@code key}: its own, a prefix rule's, the plugin rule, or none (an unknown key). */
    public static Optional<Rule> rule(String key) {
        requireNonNull(key, "key");
        for (Rule r : RULES) {
            if (r.key().equals(key)) {
                return Optional.of(r);
            }
        }
        for (Rule r : RULES) {
            String p = r.key().substring(0, r.key().length() - 1);
            if (r.prefix() && key.length() > p.length() && key.startsWith(p)) {
                return Optional.of(r);
            }
        }
        if (key.matches(PLUGIN_NAMESPACE)) {
            String rest = key.substring(OPTION_PREFIX.length());
            String namespace = OPTION_PREFIX + rest.substring(0, rest.indexOf('.') + 1);
            if (RULES.stream().noneMatch(r -> r.key().startsWith(namespace))) {
                return rule(PLUGIN_KEY);
            }
        }
        return Optional.empty();
    }

    /**
     * What is wrong with {@code key=value}, or empty when the schema accepts it. The message names the
     * key, the value, and what is expected (for an unknown key, the nearest known key when one is close).
     */
    public static Optional<String> problem(String key, String value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        Optional<Rule> found = key.equals("root") || key.equals("source") || KEY.matcher(key).matches()
                ? rule(key) : Optional.empty();
        if (found.isEmpty()) {
            return Optional.of("unknown option " + key + suggestion(key));
        }
        Rule r = found.get();
        if (value.isEmpty()) {
            return Optional.of(key + "= is empty: expected " + r.expected());
        }
        if (value.length() > MAX_LENGTH) {
            return Optional.of(key + "= is longer than " + MAX_LENGTH + " characters");
        }
        if (!Pattern.compile("(" + r.pattern() + ")").matcher(value).matches()) {
            return Optional.of("refusing " + key + "=" + shown(key, value) + ": expected " + r.expected());
        }
        return Optional.empty();
    }

    /** ", did you mean K?" for the known key nearest to {@code key} (at most two edits away), else "". */
    static String suggestion(String key) {
        String best = null;
        int bestDistance = 3;
        for (Rule r : RULES) {
            if (r.key().endsWith("*")) {
                continue;
            }
            int d = distance(key, r.key());
            if (d < bestDistance) {
                best = r.key();
                bestDistance = d;
            }
        }
        return best == null ? "" : ", did you mean " + best + "?";
    }

    /** Levenshtein distance: insertions, deletions and substitutions (the shell table's awk does the same). */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /**
     * A refused value as a message may show it: boot mode prints to a console that is often collected
     * (cloud console logs), so a source loses its user info and query (a presigned URL's signature) and
     * a header's value, which may be a token, is not shown at all.
     */
    static String shown(String key, String value) {
        if (key.equals("source")) {
            return ImageLocations.redact(printable(value));
        }
        if (key.startsWith(OPTION_PREFIX + "http.header.")) {
            return "(not shown: it may be a credential)";
        }
        return printable(value);
    }

    /** The value with anything outside printable ASCII shown as {@code \\uXXXX}. */
    static String printable(String value) {
        var b = new StringBuilder();
        value.codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) {
                b.appendCodePoint(c);
            } else {
                b.append(String.format("\\u%04x", c));
            }
        });
        return b.toString();
    }
}
