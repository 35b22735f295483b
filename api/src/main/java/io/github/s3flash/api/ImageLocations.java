package io.github.s3flash.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns what a user typed as a source into a URI, and a URI into text fit for messages. */
public final class ImageLocations {

    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*:)(.*)$", Pattern.DOTALL);
    private static final String ELIDED = "…";

    private ImageLocations() {}

    /**
     * A URI when {@code text} has a scheme ({@code s3://b/k}, {@code https://...}, {@code
     * file:/x}); otherwise a local path, made absolute.
     *
     * @throws IllegalArgumentException if {@code text} is empty or not a valid URI; the message
     *     shows {@code text} redacted, as {@link #redact(String)} does
     */
    public static URI parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("source is empty: give a path or a URI such as s3://bucket/key");
        }
        if (SCHEME.matcher(text).matches()) {
            try {
                return new URI(text);
            } catch (URISyntaxException e) {
                // Not the exception as cause: its message quotes the whole text, secrets and all.
                throw new IllegalArgumentException("source '" + redact(text) + "' is not a valid URI: " + e.getReason()
                        + (e.getIndex() >= 0 ? " at character " + (e.getIndex() + 1) : "")
                        + "; percent-encode special characters or give a local path");
            }
        }
        return Path.of(text).toAbsolutePath().normalize().toUri();
    }

    /**
     * {@code location} as it may be shown in logs and messages; see {@link #redact(String)}.
     */
    public static String redact(URI location) {
        return location == null ? "null" : redact(location.toString());
    }

    /**
     * A location as it may be shown in logs and messages: user info ({@code user:password@}), the
     * query (presigned URLs carry their signature there) and the fragment are replaced by {@code
     * …}. Works on the text itself, so that URIs Java does not parse as server-based ({@code
     * https://u:p@ss@host/x}), opaque ones ({@code https:u:p@host/x}) and text that is no valid URI
     * at all are redacted the same way. Text without a scheme (a local path) is returned as it is.
     */
    public static String redact(String location) {
        if (location == null) {
            return "null";
        }
        Matcher scheme = SCHEME.matcher(location);
        if (!scheme.matches()) {
            return location;
        }
        String rest = scheme.group(2);
        String tail = "";
        int fragment = rest.indexOf('#');
        if (fragment >= 0) {
            rest = rest.substring(0, fragment);
            tail = "#" + ELIDED;
        }
        int query = rest.indexOf('?');
        if (query >= 0) {
            rest = rest.substring(0, query);
            tail = "?" + ELIDED + tail;
        }
        String prefix = rest.startsWith("//") ? "//" : "";
        String body = rest.substring(prefix.length());
        int slash = body.indexOf('/');
        String authority = slash < 0 ? body : body.substring(0, slash);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            body = ELIDED + body.substring(at);
        }
        return scheme.group(1) + prefix + body + tail;
    }
}
