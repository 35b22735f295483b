package io.github.s3flash.api;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Turns what a user typed as a source into a URI. */
public final class ImageLocations {

    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:.*");

    private ImageLocations() {}

    /**
     * A URI when {@code text} has a scheme ({@code s3://b/k}, {@code https://...}, {@code
     * file:/x}); otherwise a local path, made absolute.
     *
     * @throws IllegalArgumentException if {@code text} is empty or not a valid URI
     */
    public static URI parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("source is empty: give a path or a URI such as s3://bucket/key");
        }
        if (SCHEME.matcher(text).matches()) {
            try {
                return new URI(text);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("source '" + text + "' is not a valid URI: " + e.getReason(), e);
            }
        }
        return Path.of(text).toAbsolutePath().normalize().toUri();
    }

    /**
     * {@code location} as it may be shown in logs and messages: a query string (presigned URLs carry
     * their signature there) and user info are replaced by {@code …}.
     */
    public static String redact(URI location) {
        if (location == null) {
            return "null";
        }
        if (location.isOpaque() || (location.getRawQuery() == null && location.getRawUserInfo() == null)) {
            return location.toString();
        }
        var text = new StringBuilder();
        text.append(location.getScheme()).append("://");
        if (location.getRawUserInfo() != null) {
            text.append("…@");
        }
        if (location.getRawAuthority() != null) {
            String authority = location.getRawAuthority();
            text.append(authority.substring(authority.indexOf('@') + 1));
        }
        if (location.getRawPath() != null) {
            text.append(location.getRawPath());
        }
        if (location.getRawQuery() != null) {
            text.append("?…");
        }
        return text.toString();
    }
}
