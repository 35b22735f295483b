package io.github.s3flash.bootloader.report;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * Writes one JSON object (RFC 8259) on one line, member by member, in the order they are added:
 * enough for reports, with no JSON library in the boot runtime. Strings are escaped so that any
 * Java string, unpaired surrogates included, comes out as valid JSON in plain ASCII (a serial
 * console or a log file never garbles it). Not thread-safe.
 */
public final class JsonObject {

    private final StringBuilder json = new StringBuilder("{");
    private boolean empty = true;

    /** A string member; {@code null} writes JSON null. */
    public JsonObject put(String name, String value) {
        member(name);
        if (value == null) {
            json.append("null");
        } else {
            quote(value);
        }
        return this;
    }

    /** A whole-number member. */
    public JsonObject put(String name, long value) {
        member(name);
        json.append(value);
        return this;
    }

    /** A number member; NaN and the infinities, which JSON cannot hold, are written as null. */
    public JsonObject put(String name, double value) {
        member(name);
        json.append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null");
        return this;
    }

    /** A whole-number member, or null when unknown. */
    public JsonObject put(String name, Long value) {
        return value == null ? putNull(name) : put(name, value.longValue());
    }

    public JsonObject put(String name, boolean value) {
        member(name);
        json.append(value);
        return this;
    }

    /** A nested object. */
    public JsonObject put(String name, JsonObject value) {
        requireNonNull(value, "value");
        member(name);
        json.append(value);
        return this;
    }

    /** An array of strings; {@code null} writes JSON null. */
    public JsonObject put(String name, List<String> values) {
        member(name);
        if (values == null) {
            json.append("null");
            return this;
        }
        json.append('[');
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            quote(values.get(i));
        }
        json.append(']');
        return this;
    }

    public JsonObject putNull(String name) {
        member(name);
        json.append("null");
        return this;
    }

    /** The object as JSON text, on one line. */
    @Override
    public String toString() {
        return json + "}";
    }

    private void member(String name) {
        requireNonNull(name, "name");
        if (!empty) {
            json.append(',');
        }
        empty = false;
        quote(name);
        json.append(':');
    }

    private void quote(String s) {
        json.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    // Everything outside printable ASCII as \\uXXXX: control characters must be, and
                    // escaping the rest keeps the output ASCII, so that even an unpaired surrogate
                    // (legal in a Java string, not encodable in UTF-8) stays valid JSON.
                    if (c < 0x20 || c > 0x7E) {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
