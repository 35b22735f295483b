package io.github.s3flash.source.http;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageAccessDeniedException;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;

/**
 * Turns HTTP statuses and client exceptions into the checked hierarchy, with messages that name the
 * URL (without its query string or user info, which may hold credentials) and say what to do.
 */
final class HttpFailures {

    private HttpFailures() {}

    /** {@code uri} fit for a message: no user info, and the query (often a signature) elided. */
    static String redact(URI uri) {
        var text = new StringBuilder();
        text.append(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() >= 0) {
            text.append(':').append(uri.getPort());
        }
        text.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            text.append("?…");
        }
        return text.toString();
    }

    /** An error status of a request for {@code where}; {@code settings} names the headers sent. */
    static FlashException status(int status, String where, HttpSettings settings) {
        String headers = "extra headers sent: " + settings.headerNames();
        return switch (status) {
            case 404, 410 -> new ImageNotFoundException("no image at " + where + " (HTTP " + status
                    + "); check the URL");
            case 401 -> new ImageAccessDeniedException(where + " requires authentication (HTTP 401; "
                    + headers + "); pass credentials with -o http.header.Authorization=...");
            case 403 -> new ImageAccessDeniedException(where + " refused access (HTTP 403; " + headers
                    + "); check the credentials or the URL's signature and its expiry");
            case 412 -> new SourceChangedException(where + " was replaced during the flash (HTTP 412: its"
                    + " version no longer matches the one pinned at the start); flash again to take the new version");
            case 408, 425, 429 -> new SourceUnavailableException(where + " is busy (HTTP " + status
                    + "); retrying later may succeed");
            default -> status >= 500
                    ? new SourceUnavailableException(where + " failed with HTTP " + status
                            + " (a server-side fault); retrying later may succeed")
                    : new FlashException("unexpected HTTP " + status + " from " + where
                            + "; check the URL and the server");
        };
    }

    /** A failed exchange with {@code where}. */
    static FlashException exchange(IOException e, URI uri, String where, HttpSettings settings) {
        if (e instanceof FlashException fe) {
            return fe;
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new SourceUnavailableException("connecting to " + hostPort(uri) + " for " + where
                    + " timed out after " + settings.connectTimeout().toMillis()
                    + " ms (option http.connect-timeout)", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new SourceUnavailableException("no response from " + where + " within "
                    + settings.readTimeout().toMillis() + " ms (option http.read-timeout)", e);
        }
        Throwable certificate = certificateProblem(e);
        if (certificate != null) {
            return new FlashException("the TLS certificate of " + hostPort(uri) + " was not trusted ("
                    + certificate.getMessage() + "); if the server uses a private CA, pass its certificate with"
                    + " -o http.ca-bundle=/path/to/ca.pem (PEM); the certificate must also name host "
                    + uri.getHost(), e);
        }
        if (hasCause(e, ConnectException.class)) {
            return new SourceUnavailableException("cannot connect to " + hostPort(uri) + " for " + where
                    + " (" + e.getMessage() + "); check the URL and that the server is up", e);
        }
        if (hasCause(e, UnresolvedAddressException.class) || hasCause(e, java.net.UnknownHostException.class)) {
            return new SourceUnavailableException("host " + uri.getHost() + " of " + where
                    + " cannot be resolved; check the URL and DNS", e);
        }
        return new SourceUnavailableException("reading " + where + " failed: " + e, e);
    }

    private static Throwable certificateProblem(IOException e) {
        if (!hasCause(e, SSLException.class)) {
            return null;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertPathBuilderException || t instanceof CertPathValidatorException
                    || t instanceof CertificateException) {
                return t;
            }
        }
        return null;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String hostPort(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
