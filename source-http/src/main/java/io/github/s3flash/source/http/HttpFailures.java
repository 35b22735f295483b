package io.github.s3flash.source.http;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.SourceRequest;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.api.SourceUnusableException;
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
 * Turns HTTP statuses (through {@link SourceRequest}) and client exceptions into the checked
 * hierarchy, with messages that name the URL redacted and say what to do. The JDK's own messages are
 * quoted only where they cannot hold a URL.
 */
final class HttpFailures {

    private HttpFailures() {}

    /**
     * An error status of a request for {@code where}; {@code settings} names the headers sent.
     *
     * @param stage opening the image, or reading a range of it once pinned
     */
    static FlashException status(int status, String where, RequestStage stage, HttpSettings settings) {
        String headers = "extra headers sent: " + settings.headerNames();
        String denied = status == 401
                ? "the server requires authentication (" + headers + "); pass credentials with"
                        + " option http.header.Authorization=..."
                : "check the credentials (" + headers + ") or the URL's signature and its expiry";
        return new SourceRequest("GET " + where, stage)
                .withNotFound("check the URL")
                .withDenied(denied)
                .failed(status, null, null, null);
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
            return new SourceUnusableException("the TLS certificate of " + hostPort(uri) + " was not trusted ("
                    + certificate.getMessage() + "); if the server uses a private CA, pass its certificate with"
                    + " option http.ca-bundle=/path/to/ca.pem (PEM); the certificate must also name host "
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
