package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Provider and pipeline settings as {@code key=value} strings, namespaced by provider ({@code
 * s3.endpoint}, {@code read.concurrency}, ...). The same keys come from CLI options and from
 * {@code s3flash.*} kernel options, so every provider reads its settings one way. Typed getters
 * refuse malformed values with an {@link IllegalArgumentException} naming the key.
 */
public record Options(Map<String, String> values) {

    private static final Options EMPTY = new Options(Map.of());

    public Options {
        requireNonNull(values, "values");
        values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    public static Options empty() {
        return EMPTY;
    }

    public static Options of(Map<String, String> values) {
        return new Options(values);
    }

    /** A copy with {@code key} set to {@code value} (or removed when {@code value} is null). */
    public Options with(String key, String value) {
        requireNonNull(key, "key");
        var copy = new TreeMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new Options(copy);
    }

    /** A copy with every entry of {@code other} laid over this one. */
    public Options with(Options other) {
        var copy = new TreeMap<>(values);
        copy.putAll(other.values);
        return new Options(copy);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw bad(key, v, "true or false");
        };
    }

    public int getInt(String key, int defaultValue) {
        long v = getLong(key, defaultValue);
        if (v > Integer.MAX_VALUE || v < Integer.MIN_VALUE) {
            throw bad(key, values.get(key), "a number below 2^31");
        }
        return (int) v;
    }

    public long getLong(String key, long defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw bad(key, v, "a whole number");
        }
    }

    /** A byte size: a number with an optional suffix k, m, g (or KiB, MiB, GiB; all powers of 1024). */
    public long getSize(String key, long defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : parseSize(key, v);
    }

    /** A duration: seconds as a number, or with a suffix ms, s, m, h. */
    public Duration getDuration(String key, Duration defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        String s = v.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            } else if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            } else if (s.endsWith("h")) {
                return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            return Duration.ofSeconds(Long.parseLong(s));
        } catch (NumberFormatException e) {
            throw bad(key, v, "a duration such as 30, 30s, 500ms, 5m");
        }
    }

    static long parseSize(String key, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                case 't' -> unit = 1L << 40;
                default -> unit = 1;
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(s.trim());
            if (n < 0) {
                throw bad(key, v, "a size of zero or more");
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw bad(key, v, "a size such as 4194304, 512k, 8m, 1g");
        }
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException(
                "option " + key + "=" + value + " is not valid: expected " + expected);
    }
}
