package io.github.s3flash.api.sshsig;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An OpenSSH {@code allowed_signers} file (ssh-keygen(1), "ALLOWED SIGNERS"): which keys may sign,
 * for which principals, in which namespaces and when. One line per key: {@code PRINCIPALS [OPTIONS]
 * KEYTYPE BASE64 [COMMENT]}; {@code #} starts a comment line. Options: {@code
 * namespaces="PATTERNS"}, {@code valid-after="TIME"}, {@code valid-before="TIME"} (TIME is {@code
 * YYYYMMDD[Z]} or {@code YYYYMMDDHHMM[SS][Z]}, local time unless Z). Principals and namespaces are
 * OpenSSH pattern lists: comma-separated, {@code *} and {@code ?} wildcards, {@code !} negates.
 *
 * <p>{@code cert-authority} lines are refused: s3flash verifies signatures by plain keys only, so a
 * file that trusts a certificate authority would not mean here what it means to {@code ssh-keygen}.
 * The rules otherwise follow OpenSSH's {@code sshsig.c}, and {@code ssh-keygen -Y verify} reaches
 * the same verdicts (tested).
 *
 * <p>Immutable and thread-safe.
 */
public final class AllowedSigners {

    /** A file larger than this is not an allowed signers file. */
    private static final int MAX_FILE = 4 << 20;

    /**
     * One line of the file.
     *
     * @param line its line number (from 1)
     * @param principals the principals pattern list
     * @param key the key allowed to sign
     * @param namespaces the namespaces pattern list, or null when any namespace is allowed
     * @param validAfter the key is valid from this instant on, or null
     * @param validBefore the key is valid up to this instant, or null
     */
    public record Entry(int line, String principals, SshPublicKey key, String namespaces, Instant validAfter,
            Instant validBefore) {
        public Entry {
            requireNonNull(principals, "principals");
            requireNonNull(key, "key");
        }
    }

    private final String source;
    private final List<Entry> entries;

    private AllowedSigners(String source, List<Entry> entries) {
        this.source = source;
        this.entries = List.copyOf(entries);
    }

    /** Reads an allowed signers file; times without Z are in the system's time zone, as ssh-keygen reads them. */
    public static AllowedSigners read(Path file) throws IOException {
        requireNonNull(file, "file");
        try {
            if (Files.size(file) > MAX_FILE) {
                throw new SshSignatureException("allowed signers file " + file + " is larger than " + MAX_FILE
                        + " bytes; give an OpenSSH allowed_signers file");
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), ZoneId.systemDefault());
        } catch (NoSuchFileException e) {
            throw new SshSignatureException("allowed signers file " + file + " does not exist", e);
        } catch (java.nio.charset.MalformedInputException e) {
            throw new SshSignatureException("allowed signers file " + file + " is not UTF-8 text", e);
        }
    }

    /**
     * Parses the text of an allowed signers file; {@code source} names it in messages, {@code zone} is
     * the time zone of times without Z.
     */
    public static AllowedSigners parse(String text, String source, ZoneId zone) throws SshSignatureException {
        requireNonNull(text, "text");
        requireNonNull(source, "source");
        requireNonNull(zone, "zone");
        List<Entry> entries = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            try {
                entries.add(parseLine(i + 1, line, zone));
            } catch (SshSignatureException e) {
                throw new SshSignatureException("allowed signers file " + source + " line " + (i + 1) + ": "
                        + e.getMessage(), e);
            }
        }
        return new AllowedSigners(source, entries);
    }

    private static Entry parseLine(int number, String line, ZoneId zone) throws SshSignatureException {
        var cursor = new Cursor(line);
        String principals = cursor.token();
        if (principals == null || cursor.atEnd()) {
            throw new SshSignatureException("expected PRINCIPALS [OPTIONS] KEYTYPE BASE64");
        }
        int afterPrincipals = cursor.at;
        String options = null;
        SshPublicKey key;
        try {
            key = cursor.key();
        } catch (SshSignatureException notAKey) {
            // As OpenSSH: what does not read as a key is options, and the key follows them.
            cursor.at = afterPrincipals;
            options = cursor.options();
            if (!options.contains("=") && !options.toLowerCase(Locale.ROOT).contains("cert-authority")) {
                throw notAKey;
            }
            int afterOptions = cursor.at;
            String next = cursor.token();
            if (next != null && next.contains("=")) {
                throw new SshSignatureException("'" + next + "' follows the options '" + options + "' after a space:"
                        + " options are one comma-separated list, without spaces");
            }
            cursor.at = afterOptions;
            key = cursor.key();
        }
        String namespaces = null;
        Instant validAfter = null;
        Instant validBefore = null;
        if (options != null) {
            for (String option : splitOptions(options)) {
                int eq = option.indexOf('=');
                String name = (eq < 0 ? option : option.substring(0, eq)).toLowerCase(Locale.ROOT);
                String value = eq < 0 ? null : dequote(option.substring(eq + 1), name);
                switch (name) {
                    case "cert-authority" -> throw new SshSignatureException("cert-authority is not supported:"
                            + " s3flash trusts plain keys only; list the signing keys themselves");
                    case "namespaces" -> {
                        if (namespaces != null) {
                            throw new SshSignatureException("multiple namespaces options");
                        }
                        namespaces = requireValue(name, value);
                    }
                    case "valid-after" -> {
                        if (validAfter != null) {
                            throw new SshSignatureException("multiple valid-after options");
                        }
                        validAfter = time(requireValue(name, value), zone);
                    }
                    case "valid-before" -> {
                        if (validBefore != null) {
                            throw new SshSignatureException("multiple valid-before options");
                        }
                        validBefore = time(requireValue(name, value), zone);
                    }
                    default -> throw new SshSignatureException("unknown option '" + option
                            + "' (known: namespaces=, valid-after=, valid-before=)");
                }
            }
            if (validAfter != null && validBefore != null && !validBefore.isAfter(validAfter)) {
                throw new SshSignatureException("valid-before is not after valid-after");
            }
        }
        return new Entry(number, principals, key, namespaces, validAfter, validBefore);
    }

    private static String requireValue(String name, String value) throws SshSignatureException {
        if (value == null) {
            throw new SshSignatureException("option " + name + " needs a quoted value, e.g. " + name + "=\"...\"");
        }
        return value;
    }

    private static String dequote(String value, String name) throws SshSignatureException {
        if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
            throw new SshSignatureException("the value of option " + name + " must be in double quotes: " + value);
        }
        return value.substring(1, value.length() - 1);
    }

    /** Options separated by commas outside double quotes. */
    private static List<String> splitOptions(String options) throws SshSignatureException {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                out.add(options.substring(start, i));
                start = i + 1;
            }
        }
        out.add(options.substring(start));
        for (String o : out) {
            if (o.isEmpty()) {
                throw new SshSignatureException("empty option in '" + options + "'");
            }
        }
        return out;
    }

    /** YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z], as OpenSSH's parse_absolute_time reads it. */
    static Instant time(String text, ZoneId zone) throws SshSignatureException {
        String s = text;
        ZoneId in = zone;
        if (s.endsWith("Z") || s.endsWith("z")) {
            s = s.substring(0, s.length() - 1);
            in = ZoneOffset.UTC;
        }
        if (!s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new SshSignatureException("time '" + text + "' is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]");
        }
        try {
            LocalDateTime t = switch (s.length()) {
                case 8 -> LocalDate.parse(s, java.time.format.DateTimeFormatter.BASIC_ISO_DATE).atStartOfDay();
                case 12 -> LocalDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("uuuuMMddHHmm"));
                case 14 -> LocalDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("uuuuMMddHHmmss"));
                default -> throw new SshSignatureException("time '" + text
                        + "' is not YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]");
            };
            return t.atZone(in).toInstant();
        } catch (DateTimeParseException e) {
            throw new SshSignatureException("time '" + text + "' is not a valid date and time", e);
        }
    }

    /** Where the file came from. */
    public String source() {
        return source;
    }

    public List<Entry> entries() {
        return entries;
    }

    /**
     * The line that allows {@code key} to sign in {@code namespace} at {@code when} (for {@code
     * principal}, when not null), as {@code ssh-keygen -Y verify} and {@code -Y find-principals} decide.
     *
     * @throws SshSignatureException naming why no line allows it: the key is not listed, or the lines
     *     that list it exclude the namespace, the principal or the time
     */
    public Entry authorize(SshPublicKey key, String namespace, Instant when, String principal)
            throws SshSignatureException {
        requireNonNull(key, "key");
        requireNonNull(namespace, "namespace");
        requireNonNull(when, "when");
        List<String> reasons = new ArrayList<>();
        for (Entry e : entries) {
            if (!e.key().equals(key)) {
                continue;
            }
            String where = "line " + e.line() + " lists " + key;
            if (principal != null && Patterns.matchList(principal, e.principals()) != 1) {
                reasons.add(where + " for principals '" + e.principals() + "', not " + principal);
            } else if (e.namespaces() != null && Patterns.matchList(namespace, e.namespaces()) != 1) {
                reasons.add(where + " only for namespaces \"" + e.namespaces() + "\", not " + namespace);
            } else if (e.validAfter() != null && when.isBefore(e.validAfter())) {
                reasons.add(where + " as valid after " + e.validAfter() + ", and it is " + when);
            } else if (e.validBefore() != null && when.isAfter(e.validBefore())) {
                reasons.add(where + " as valid before " + e.validBefore() + ", and it is " + when);
            } else {
                return e;
            }
        }
        throw new SshSignatureException(reasons.isEmpty()
                ? "key " + key + " is not in allowed signers file " + source
                : "allowed signers file " + source + " does not allow it: " + String.join("; ", reasons));
    }

    @Override
    public String toString() {
        return "allowed signers " + source + " (" + entries.size() + " keys)";
    }

    /** Walks one line: quoted tokens, options, a key. */
    private static final class Cursor {
        private final String line;
        private int at;

        Cursor(String line) {
            this.line = line;
        }

        boolean atEnd() {
            skipSpace();
            return at >= line.length();
        }

        private void skipSpace() {
            while (at < line.length() && (line.charAt(at) == ' ' || line.charAt(at) == '\t')) {
                at++;
            }
        }

        /** A whitespace-delimited token; a leading double quote runs to the next one. */
        String token() throws SshSignatureException {
            skipSpace();
            if (at >= line.length()) {
                return null;
            }
            if (line.charAt(at) == '"') {
                int close = line.indexOf('"', at + 1);
                if (close < 0) {
                    throw new SshSignatureException("unterminated quote");
                }
                String t = line.substring(at + 1, close);
                at = close + 1;
                return t;
            }
            int start = at;
            while (at < line.length() && line.charAt(at) != ' ' && line.charAt(at) != '\t') {
                at++;
            }
            return line.substring(start, at);
        }

        /** Options up to the first space or tab outside double quotes. */
        String options() throws SshSignatureException {
            skipSpace();
            int start = at;
            boolean quoted = false;
            while (at < line.length() && (quoted || (line.charAt(at) != ' ' && line.charAt(at) != '\t'))) {
                if (line.charAt(at) == '"') {
                    quoted = !quoted;
                }
                at++;
            }
            if (quoted) {
                throw new SshSignatureException("unterminated quote in options");
            }
            return line.substring(start, at);
        }

        /** A key ({@code TYPE BASE64}) here; on failure the cursor is anywhere. */
        SshPublicKey key() throws SshSignatureException {
            String type = token();
            String base64 = token();
            if (type == null || base64 == null) {
                throw new SshSignatureException("expected a key (KEYTYPE BASE64) after the principals"
                        + (type == null ? "" : " and '" + type + "'"));
            }
            return SshPublicKey.parse(type + " " + base64);
        }
    }
}
