package io.github.s3flash.source.http;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * {@code http://} and {@code https://} images, read with {@link java.net.http.HttpClient}: ranged
 * GETs in parallel when the server serves ranges, each pinned to the version seen at open (see
 * {@link HttpImage}), one stream otherwise.
 *
 * <p>Options: {@code http.header.NAME=VALUE} (extra request headers, repeatable; values are never
 * shown), {@code http.ca-bundle=/path/to/ca.pem} (CA certificates trusted besides the JDK's),
 * {@code http.connect-timeout}, {@code http.read-timeout} (longest silence on a connection before it
 * is dropped and the read resumed), {@code http.version} (1.1 or 2), {@code http.concurrency},
 * {@code http.max-redirects}, {@code http.range-reads}.
 *
 * <p>Stateless and thread-safe: each opened image has an HTTP client of its own, closed with it.
 */
public final class HttpImageSource implements ImageSource {

    /** The body buffer size this source wants, unless the operator chose one (see {@link #open}). */
    static final String BUFFER_SIZE_PROPERTY = "jdk.httpclient.bufsize";

    @Override
    public String name() {
        return "http";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    @Override
    public PinnedImage open(URI location, Options options) throws IOException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        URI uri = checked(location);
        HttpSettings settings = HttpSettings.from(options);
        HttpClient client = client(settings);
        try {
            return HttpImage.open(client, uri, settings);
        } catch (IOException | RuntimeException e) {
            client.shutdownNow();
            throw e;
        }
    }

    /**
     * Stores an object with one {@code PUT} on commit (for reports and other small objects: the body
     * is held in memory, up to {@code http.upload.max-size}, so that the request has a length, as
     * presigned URLs and most servers require). Headers ({@code http.header.*}), the CA bundle and the
     * timeouts are those of reading; redirects are not followed.
     */
    @Override
    public PublishStream publish(URI location, Options options) throws IOException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        URI uri = checked(location);
        HttpSettings settings = HttpSettings.from(options);
        long maxSize = options.getSize("http.upload.max-size", 64L << 20, 1, 1L << 30);
        return new HttpPublishStream(client(settings), uri, settings, maxSize, RetryPolicy.from(options));
    }

    private static HttpClient client(HttpSettings settings) throws FlashException {
        // The JDK client hands a response body over in buffers of jdk.httpclient.bufsize (16 KiB by
        // default), one thread hand-off each; 256 KiB buffers roughly double single-stream
        // throughput in bench/http-bench.sh. The JDK reads the property once, when its HTTP client
        // is first used, so it is set here, just before this source first uses it (not when the
        // provider is loaded: a JVM that never reads http(s) is left alone), unless the operator
        // set it (-Djdk.httpclient.bufsize=N).
        System.getProperties().putIfAbsent(BUFFER_SIZE_PROPERTY, Integer.toString(256 << 10));
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(settings.version())
                // Redirects are followed by HttpImage, which drops credentials at an origin change.
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.connectTimeout());
        if (settings.caBundle().isPresent()) {
            SSLContext context = TrustBundle.withBundle(settings.caBundle().get());
            builder.sslContext(context);
        }
        return builder.build();
    }

    private static URI checked(URI location) throws FlashException {
        String shown = ImageLocations.redact(location);
        String scheme = location.getScheme() == null ? "" : location.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new ImageNotFoundException("'" + shown + "' is not an http or https URL");
        }
        // Checked before the host: Java parses https://u:p@ss@h/x as an authority without a host.
        String authority = location.getRawAuthority();
        if (location.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw new ImageNotFoundException("'" + shown + "' has credentials in the URL, which are not sent;"
                    + " pass them as a header instead, e.g. option http.header.Authorization=...");
        }
        if (location.isOpaque() || location.getHost() == null) {
            throw new ImageNotFoundException("'" + shown + "' has no host; write it as " + scheme
                    + "://host[:port]/path");
        }
        return HttpImage.withoutFragment(location);
    }
}
