package io.github.s3flash.bootloader.boot;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A kernel command line split the way the kernel splits it: parameters separated by white space,
 * double quotes group white space into a value ({@code key="a b"}, {@code "key=a b"}), a repeated
 * key's last value wins, and everything after a lone {@code --} belongs to init and is ignored.
 * Parameters without {@code =} are flags with an empty value.
 *
 * @param parameters every key with its last value, in the order of their last appearance
 * @param repeated the keys that appear more than once (boot mode refuses its own keys given twice:
 *     which one was meant cannot be told)
 */
public record KernelCommandLine(Map<String, String> parameters, Set<String> repeated) {

    public KernelCommandLine {
        requireNonNull(parameters, "parameters");
        requireNonNull(repeated, "repeated");
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        repeated = Collections.unmodifiableSet(new LinkedHashSet<>(repeated));
    }

    public static KernelCommandLine parse(String text) {
        requireNonNull(text, "text");
        Map<String, String> parameters = new LinkedHashMap<>();
        Set<String> repeated = new LinkedHashSet<>();
        for (String token : tokens(text)) {
            if (token.equals("--")) {
                break;
            }
            int eq = token.indexOf('=');
            String key = eq < 0 ? token : token.substring(0, eq);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            if (!key.isEmpty()) {
                if (parameters.remove(key) != null) {
                    repeated.add(key);
                }
                parameters.put(key, value);
            }
        }
        return new KernelCommandLine(parameters, repeated);
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean inToken = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                inToken = true;
            } else if (!quoted && Character.isWhitespace(c)) {
                if (inToken) {
                    tokens.add(current.toString());
                    current.setLength(0);
                    inToken = false;
                }
            } else if (c != '\0') {
                current.append(c);
                inToken = true;
            }
        }
        if (inToken) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(parameters.get(key));
    }
}
