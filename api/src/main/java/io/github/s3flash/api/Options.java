package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provider and pipeline settings as {@code key=value} strings, namespaced by provider ({@code
 * s3.endpoint}, {@code read.concurrency}, ...). The same keys come from CLI options and from
 * {@code s3flash.*} kernel options, so every provider reads its settings one way.
 *
 * <p>The typed getters are the one vocabulary for values: booleans, whole numbers, sizes ({@code
 * 8m}) and durations ({@code 30s}), each with the range the caller accepts. A value that is
 * malformed or out of range is an {@link InvalidOptionException} naming the key, the value and what
 * is valid, whichever provider reads it.
 */
public record Options(Map<String, String> values) {

    private static final Options EMPTY = new Options(Map.of());
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt])?(?:i?b)?");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

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

    /** The keys only: values may be credentials ({@code http.header.Authorization}). */
    @Override
    public String toString() {
        return "Options" + values.keySet();
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    /** {@code true}, {@code yes}, {@code on}, {@code 1} or {@code false}, {@code no}, {@code off}, {@code 0}. */
    public boolean getBoolean(String key, boolean defaultValue) throws InvalidOptionException {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw invalid(key, v, "true or false");
        };
    }

    /** A whole number in {@code [min, max]}. */
    public int getInt(String key, int defaultValue, int min, int max) throws InvalidOptionException {
        return (int) getLong(key, defaultValue, min, max);
    }

    /** Any whole number that fits an {@code int}; prefer {@link #getInt(String, int, int, int)}. */
    public int getInt(String key, int defaultValue) throws InvalidOptionException {
        return getInt(key, defaultValue, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number in {@code [min, max]}. */
    public long getLong(String key, long defaultValue, long min, long max) throws InvalidOptionException {
        checkRange(min, max);
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, v, "a whole number from " + min + " to " + max);
        }
        return inRange(key, v, n, min, max, Long.toString(min), Long.toString(max));
    }

    /** Any whole number; prefer {@link #getLong(String, long, long, long)}. */
    public long getLong(String key, long defaultValue) throws InvalidOptionException {
        return getLong(key, defaultValue, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * A byte size in {@code [min, max]}: a number with an optional suffix k, m, g, t (also written
     * KiB, MiB, kb, ...; all powers of 1024).
     */
    public long getSize(String key, long defaultValue, long min, long max) throws InvalidOptionException {
        checkRange(min, max);
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = SIZE.matcher(v.trim().toLowerCase(Locale.ROOT));
        long n;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            int shift = m.group(2) == null ? 0 : 10 * ("kmgt".indexOf(m.group(2)) + 1);
            n = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(key, v, "a size such as 4194304, 512k, 8m, 1g");
        }
        return inRange(key, v, n, min, max, Long.toString(min), Long.toString(max));
    }

    /** Any size of zero or more bytes; prefer {@link #getSize(String, long, long, long)}. */
    public long getSize(String key, long defaultValue) throws InvalidOptionException {
        return getSize(key, defaultValue, 0, Long.MAX_VALUE);
    }

    /** A duration in {@code [min, max]}: seconds as a number, or a number with a suffix ms, s, m, h. */
    public Duration getDuration(String key, Duration defaultValue, Duration min, Duration max)
            throws InvalidOptionException {
        requireNonNull(min, "min");
        requireNonNull(max, "max");
        checkRange(min.toMillis(), max.toMillis());
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        Duration d;
        try {
            if (!m.matches()) {
                throw new NumberFormatException();
            }
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
            d.toMillis();
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(key, v, "a duration such as 30, 30s, 500ms, 5m");
        }
        inRange(key, v, d.toMillis(), min.toMillis(), max.toMillis(), describe(min), describe(max));
        return d;
    }

    /** A duration of zero or more; prefer the ranged getters. */
    public Duration getDuration(String key, Duration defaultValue) throws InvalidOptionException {
        return getDuration(key, defaultValue, Duration.ZERO, Duration.ofMillis(Long.MAX_VALUE));
    }

    /** A duration longer than zero (a timeout, a delay), at most {@code max}. */
    public Duration getPositiveDuration(String key, Duration defaultValue, Duration max) throws InvalidOptionException {
        return getDuration(key, defaultValue, Duration.ofMillis(1), max);
    }

    private static void checkRange(long min, long max) {
        if (min > max) {
            throw new IllegalArgumentException("min " + min + " > max " + max);
        }
    }

    private static long inRange(String key, String v, long n, long min, long max, String shownMin, String shownMax)
            throws InvalidOptionException {
        if (n < min || n > max) {
            boolean noMax = max == Long.MAX_VALUE || max == Integer.MAX_VALUE;
            boolean noMin = min == Long.MIN_VALUE || min == Integer.MIN_VALUE;
            String expected = noMax && !noMin ? "at least " + shownMin
                    : noMin && !noMax ? "at most " + shownMax : shownMin + " to " + shownMax;
            throw new InvalidOptionException(key, "option " + key + "=" + v + " is out of range: expected " + expected);
        }
        return n;
    }

    private static String describe(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 != 0 ? ms + "ms" : ms % 60_000 != 0 ? ms / 1000 + "s" : ms / 60_000 + "m";
    }

    /**
     * The error for option {@code key}, whose value {@code value} is not {@code expected}; for a
     * provider's own checks of a value (an enum, a URL) so that every bad value reads alike.
     */
    public static InvalidOptionException invalid(String key, String value, String expected) {
        return new InvalidOptionException(key, "option " + key + "=" + value + " is not valid: expected " + expected);
    }
}
