package io.github.s3flash.bootloader.release;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.bootloader.boot.BootOptionSchema;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel arguments {@code grub configure} writes into grub.cfg, each judged by {@link
 * BootOptionSchema}: the rules boot mode applies, so that what is written is what boot mode can use,
 * and nothing can inject anything into grub.cfg or the kernel command line.
 *
 * <p>configure_bootloader.sh applies the same schema (tests hold both to the same verdicts).
 */
public final class BootArguments {

    private BootArguments() {}

    /**
     * The arguments, as they appear on the kernel command line.
     *
     * @throws IllegalArgumentException naming the bad value and the rule it breaks
     */
    public static String render(String source, String root, List<String> options) {
        requireNonNull(source, "source");
        requireNonNull(root, "root");
        requireNonNull(options, "options");
        check("source", source);
        check("root", root);
        var line = new StringBuilder("root=").append(root).append(" source=").append(source);
        Set<String> seen = new HashSet<>();
        for (String option : options) {
            int eq = option.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("refusing option '" + option + "': expected s3flash.<key>=<value>");
            }
            String key = option.substring(0, eq);
            check(key, option.substring(eq + 1));
            if (!seen.add(key)) {
                throw new IllegalArgumentException(key + "= is given more than once; give it once");
            }
            line.append(' ').append(option);
        }
        return line.toString();
    }

    /** The value of {@code key} among {@code options} ({@code key=value} strings), or null. */
    static String value(List<String> options, String key) {
        for (String option : options) {
            if (option.startsWith(key + "=")) {
                return option.substring(key.length() + 1);
            }
        }
        return null;
    }

    /** Refuses {@code key=value} unless the schema accepts it. */
    static void check(String key, String value) {
        BootOptionSchema.problem(key, value).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }
}
