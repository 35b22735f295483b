package io.github.s3flash.bootloader.release;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The kernel arguments {@code grub configure} writes into grub.cfg, validated so that no value can
 * inject anything into grub.cfg or the kernel command line.
 *
 * <p>The rules are those of {@code configure_bootloader.sh} (tests hold both to the same verdicts):
 * values use only {@code A-Z a-z 0-9 . _ ~ : / = + @ % , -}, so no quote, space, semicolon, newline,
 * {@code $}, backtick, brace or backslash ever reaches GRUB's script parser, and {@code |} and
 * {@code &} never reach the shell tool's sed.
 */
public final class BootArguments {

    /** The longest value accepted: the kernel command line is 2048 bytes on x86. */
    public static final int MAX_LENGTH = 512;

    private static final String SAFE = "A-Za-z0-9._~:/=+@%,-";
    private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9][" + SAFE + "]*/[" + SAFE + "]*");
    private static final Pattern ROOT = Pattern.compile(
            "/dev/[A-Za-z0-9._:+/-]+|(UUID|LABEL|PARTUUID|PARTLABEL)=[A-Za-z0-9._:+-]+");
    private static final Pattern OPTION = Pattern.compile("s3flash\\.[a-z0-9_.-]+=[" + SAFE + "]*");

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
        check("source", source, SOURCE,
                "bucket/key or a URI such as s3://bucket/key, using only " + SAFE);
        check("root device", root, ROOT, "/dev/<name>, UUID=, LABEL=, PARTUUID= or PARTLABEL=");
        var line = new StringBuilder("root=").append(root).append(" source=").append(source);
        for (String option : options) {
            check("option", option, OPTION, "s3flash.<key>=<value>, the value using only " + SAFE);
            line.append(' ').append(option);
        }
        return line.toString();
    }

    private static void check(String what, String value, Pattern pattern, String expected) {
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " is longer than " + MAX_LENGTH + " characters");
        }
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException("refusing " + what + " '" + printable(value) + "': expected "
                    + expected + " (no quotes, spaces, ;, $, `, braces or backslashes)");
        }
    }

    private static String printable(String value) {
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
