package io.github.s3flash.bootloader;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Writes JSON (RFC 8259) for {@code --json} output: maps, lists, strings, numbers, booleans and null. */
final class JsonText {

    private JsonText() {}

    /** {@code value} as JSON, objects with their keys in the map's order, indented by two spaces. */
    static String of(Object value) {
        var out = new StringBuilder();
        write(out, value, "");
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, String indent) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Number n -> out.append(n);
            case Boolean b -> out.append(b);
            case Map<?, ?> map -> {
                out.append('{');
                String inner = indent + "  ";
                Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
                while (entries.hasNext()) {
                    var e = entries.next();
                    out.append('\n').append(inner);
                    string(out, String.valueOf(e.getKey()));
                    out.append(": ");
                    write(out, e.getValue(), inner);
                    if (entries.hasNext()) {
                        out.append(',');
                    }
                }
                out.append(map.isEmpty() ? "" : "\n" + indent).append('}');
            }
            case List<?> list -> {
                out.append('[');
                String inner = indent + "  ";
                for (int i = 0; i < list.size(); i++) {
                    out.append('\n').append(inner);
                    write(out, list.get(i), inner);
                    if (i + 1 < list.size()) {
                        out.append(',');
                    }
                }
                out.append(list.isEmpty() ? "" : "\n" + indent).append(']');
            }
            default -> throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
        }
    }

    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
