package io.github.s3flash.source.http;

import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.RangeInputStream;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.SourceChangedException;
import io.github.s3flash.api.SourceUnusableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP object pinned to the version seen when it was opened.
 *
 * <p><b>Pinning.</b> Every request carries a precondition on the pinned validator: {@code If-Match}
 * with a strong ETag, else {@code If-Unmodified-Since} with the Last-Modified date. A replaced
 * object then answers 412 and no byte of the new version is sent. {@code If-Range} is not used: on a
 * change it answers 200 with the whole new object, which costs a transfer that is thrown away and
 * makes a changed object look like a server without range support. Because some servers and
 * proxies ignore preconditions, every 200/206 answer is also checked against the pin: it must carry
 * a validator of the pin, each validator it carries must match, and so must the total length in
 * {@code Content-Range}; a version change is detected even then.
 * An object with neither validator cannot be pinned: it is read as one stream (no ranges, no
 * resume), which is one version by construction.
 *
 * <p><b>Redirects</b> are followed once, when the image is opened (as {@code Redirect.NORMAL} would:
 * never from https to http), and every later range goes to the final URL. Extra headers (which may
 * be credentials) are sent only while the origin stays that of the URL given, as curl does.
 */
final class HttpImage implements PinnedImage {

    private static final System.Logger LOG = System.getLogger(HttpImage.class.getPackageName());
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d+)", Pattern.CASE_INSENSITIVE);
    private static final String USER_AGENT = "s3flash";

    private final HttpClient client;
    private final HttpSettings settings;
    private final URI target;
    private final Map<String, String> headers;
    private final Pin pin;
    private final ImageInfo info;
    private final String where;

    /** The validators of the pinned version; either may be null. */
    private record Pin(String etag, String lastModified) {

        static Pin of(HttpHeaders headers) {
            return new Pin(headers.firstValue("ETag").orElse(null), headers.firstValue("Last-Modified").orElse(null));
        }

        boolean strongEtag() {
            return etag != null && !etag.startsWith("W/");
        }

        boolean usable() {
            return strongEtag() || lastModified != null;
        }

        String version() {
            if (etag != null) {
                return "etag " + etag;
            }
            return lastModified != null ? "last-modified " + lastModified : "unpinned (no ETag or Last-Modified)";
        }
    }

    private HttpImage(HttpClient client, HttpSettings settings, URI target, Map<String, String> headers, Pin pin,
            ImageInfo info, String where) {
        this.client = client;
        this.settings = settings;
        this.target = target;
        this.headers = headers;
        this.pin = pin;
        this.info = info;
        this.where = where;
    }

    /**
     * Follows redirects and pins the object with a one-byte ranged GET (not HEAD: URLs signed for GET,
     * such as presigned S3 URLs, refuse HEAD). A 206 answer proves range support and gives the length.
     */
    static HttpImage open(HttpClient client, URI location, HttpSettings settings) throws IOException {
        URI current = location;
        boolean sameOrigin = true;
        boolean ranged = settings.rangeReads();
        int redirects = 0;
        while (true) {
            Map<String, String> headers = sameOrigin ? settings.headers() : Map.of();
            String where = describe(location, current);
            HttpRequest.Builder request = request(current, headers, settings);
            if (ranged) {
                request.header("Range", "bytes=0-0");
            }
            HttpResponse<BodyStream> response = send(client, request.build(), current, where, settings);
            int status = response.statusCode();
            try (BodyStream ignored = response.body()) {
                if (isRedirect(status)) {
                    if (redirects++ >= settings.maxRedirects()) {
                        throw new SourceUnusableException(where + " redirected more than " + settings.maxRedirects()
                                + " times (option http.max-redirects); check the URL");
                    }
                    URI next = redirectTarget(current, response.headers(), where);
                    sameOrigin = sameOrigin && origin(next).equals(origin(location));
                    current = next;
                    continue;
                }
                if (status == 416 && ranged) {
                    // Only an empty object cannot serve byte 0; ask for it whole.
                    ranged = false;
                    continue;
                }
                Pin pin = Pin.of(response.headers());
                long length;
                boolean rangeReads;
                if (status == 206) {
                    Matcher m = contentRange(response.headers(), where);
                    rangeReads = !m.group(3).equals("*");
                    length = rangeReads ? Long.parseLong(m.group(3)) : -1;
                } else if (status == 200) {
                    length = contentLength(response.headers()).orElse(-1);
                    rangeReads = !ranged && settings.rangeReads() && length >= 0 && response.headers().firstValue("Accept-Ranges")
                            .map(v -> v.trim().equalsIgnoreCase("bytes")).orElse(false);
                } else {
                    throw HttpFailures.status(status, where, RequestStage.OPENING, settings);
                }
                if (!pin.usable() && rangeReads) {
                    LOG.log(Level.WARNING, "{0} has no strong ETag and no Last-Modified: it is read as one"
                            + " stream, without parallel ranges or resume, so that versions cannot mix", where);
                    rangeReads = false;
                }
                int concurrency = rangeReads ? settings.concurrency() : 1;
                var info = new ImageInfo(location, length, pin.version(), rangeReads, concurrency);
                LOG.log(Level.DEBUG, "opened {0}: {1} bytes, {2}, range reads {3}", where, length, pin.version(),
                        rangeReads);
                return new HttpImage(client, settings, current, headers, pin, info, where);
            }
        }
    }

    @Override
    public ImageInfo info() {
        return info;
    }

    @Override
    public InputStream openRange(long offset, long length) throws IOException {
        long total = info.length();
        long end = info.rangeEnd(offset, length);
        if (!info.rangeReads() && offset != 0) {
            throw new IllegalArgumentException(where + " has no range reads: only offset 0 can be read");
        }
        if (end >= 0 && end == offset) {
            return InputStream.nullInputStream();
        }
        HttpRequest.Builder request = request(target, headers, settings);
        if (pin.strongEtag()) {
            request.header("If-Match", pin.etag());
        } else if (pin.lastModified() != null) {
            request.header("If-Unmodified-Since", pin.lastModified());
        }
        String range = end < 0 ? "bytes " + offset + "-" : "bytes " + offset + "-" + (end - 1);
        if (info.rangeReads()) {
            request.header("Range", "bytes=" + offset + "-" + (end - 1));
        }
        LOG.log(Level.TRACE, "GET {0} {1}", where, range);
        HttpResponse<BodyStream> response = send(client, request.build(), target, where, settings);
        BodyStream body = response.body();
        try {
            int status = response.statusCode();
            if (status == 206 || status == 200) {
                checkPin(response.headers());
            }
            if (status == 206 && info.rangeReads()) {
                Matcher m = contentRange(response.headers(), where);
                if (!m.group(3).equals(Long.toString(total))) {
                    throw changed("its length is now " + m.group(3) + " bytes, not " + total);
                }
                if (Long.parseLong(m.group(1)) != offset || Long.parseLong(m.group(2)) != end - 1) {
                    throw new SourceUnusableException(where + " answered bytes " + m.group(1) + "-" + m.group(2)
                            + " to a request for bytes " + offset + "-" + (end - 1) + "; the server or a proxy"
                            + " mishandles ranges: read it as one stream with option http.range-reads=false");
                }
                return bounded(body, range, end - offset);
            }
            if (status == 200 && offset == 0) {
                OptionalLong served = contentLength(response.headers());
                if (total >= 0 && served.isPresent() && served.getAsLong() != total) {
                    throw changed("its length is now " + served.getAsLong() + " bytes, not " + total);
                }
                return bounded(body, range, end);
            }
            if (status == 200) {
                throw new SourceUnusableException(where + " ignored a range request (answered 200 with the whole"
                        + " object where it answered 206 before); read it as one stream with option http.range-reads=false");
            }
            if (status == 416) {
                throw changed("it no longer has bytes " + offset + "-" + (end - 1) + unsatisfied(response.headers()));
            }
            if (isRedirect(status)) {
                throw changed("its final URL now redirects elsewhere");
            }
            throw HttpFailures.status(status, where, RequestStage.READING, settings);
        } catch (IOException | RuntimeException e) {
            body.close();
            throw e;
        }
    }

    /** {@code length} bytes of {@code body} (-1: all of it), a range cut short being a fault. */
    private RangeInputStream bounded(BodyStream body, String range, long length) {
        String request = where + " " + range;
        return new RangeInputStream(request, length) {
            @Override
            protected int readUpstream(byte[] b, int off, int len) throws IOException {
                return body.read(b, off, len, request);
            }

            @Override
            protected void release(boolean complete) {
                body.close();
            }
        };
    }

    /**
     * An answer with bytes must be of the pinned version: each validator of the pin that it carries
     * must match, and it must carry at least one, or nothing proves which version its bytes are of.
     */
    private void checkPin(HttpHeaders answer) throws FlashException {
        if (!pin.usable()) {
            // Read as one stream from the start: one response, one version, nothing to compare.
            return;
        }
        Pin now = Pin.of(answer);
        if (pin.etag() != null && now.etag() != null && !pin.etag().equals(now.etag())) {
            throw changed("its ETag is now " + now.etag() + ", not " + pin.etag());
        }
        if (pin.lastModified() != null && now.lastModified() != null && !pin.lastModified().equals(now.lastModified())) {
            throw changed("its Last-Modified is now " + now.lastModified() + ", not " + pin.lastModified());
        }
        boolean proven = (pin.etag() != null && now.etag() != null)
                || (pin.lastModified() != null && now.lastModified() != null);
        if (!proven) {
            throw new SourceUnusableException(where + " answered without the ETag or Last-Modified it was pinned by ("
                    + pin.version() + "), so its bytes cannot be checked against that version; read it from the"
                    + " server directly, not through a proxy that drops these headers");
        }
    }

    private SourceChangedException changed(String how) {
        return new SourceChangedException(where + " was replaced during the flash (" + how + "; pinned "
                + pin.version() + "); bytes of two versions are never mixed: flash again to take the new version");
    }

    private static String unsatisfied(HttpHeaders headers) {
        return headers.firstValue("Content-Range")
                .map(UNSATISFIED_RANGE::matcher)
                .filter(Matcher::matches)
                .map(m -> ", its length is now " + m.group(1) + " bytes")
                .orElse("");
    }

    /** A GET of {@code uri} with the headers to send and the read timeout; the caller may change the method. */
    static HttpRequest.Builder request(URI uri, Map<String, String> headers, HttpSettings settings)
            throws FlashException {
        HttpRequest.Builder request;
        try {
            request = HttpRequest.newBuilder(uri).GET().timeout(settings.readTimeout());
        } catch (IllegalArgumentException e) {
            // Not the JDK's message: it quotes the whole URL, query and all.
            throw new ImageNotFoundException("'" + ImageLocations.redact(uri) + "' is not a usable HTTP URL; check it");
        }
        if (headers.keySet().stream().noneMatch("User-Agent"::equalsIgnoreCase)) {
            request.header("User-Agent", USER_AGENT);
        }
        // The values are credentials: a rejection must not echo them, and the JDK's message may.
        for (var header : headers.entrySet()) {
            try {
                request.header(header.getKey(), header.getValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidOptionException(HttpSettings.HEADER_PREFIX + header.getKey(), "header "
                        + header.getKey() + " (option " + HttpSettings.HEADER_PREFIX + header.getKey()
                        + ") is refused by the HTTP client; its value is not shown");
            }
        }
        return request;
    }

    private static HttpResponse<BodyStream> send(HttpClient client, HttpRequest request, URI uri, String where,
            HttpSettings settings) throws IOException {
        try {
            return client.send(request, answer -> new BodyStream(settings.readTimeout()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + where);
        } catch (IOException e) {
            throw HttpFailures.exchange(e, uri, where, settings);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static URI redirectTarget(URI current, HttpHeaders headers, String where) throws FlashException {
        String location = headers.firstValue("Location").orElseThrow(() -> new SourceUnusableException(where
                + " answered a redirect without a Location header; check the URL"));
        URI next;
        try {
            next = current.resolve(new URI(location.trim()));
        } catch (java.net.URISyntaxException e) {
            // The reason only: the exception's message quotes the whole Location, signature and all.
            throw new SourceUnusableException(where + " redirected to an invalid URL ("
                    + ImageLocations.redact(location.trim()) + ": " + e.getReason() + "); check the server");
        } catch (IllegalArgumentException e) {
            throw new SourceUnusableException(where + " redirected to an invalid URL ("
                    + ImageLocations.redact(location.trim()) + "); check the server");
        }
        String scheme = Objects.toString(next.getScheme(), "").toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new SourceUnusableException(where + " redirected to a URL that is not http(s): "
                    + ImageLocations.redact(next));
        }
        if (current.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            throw new SourceUnusableException(where + " redirected from https to plain http ("
                    + ImageLocations.redact(next) + "), which is refused; use an https URL on the server");
        }
        return withoutFragment(next);
    }

    static URI withoutFragment(URI uri) {
        if (uri.getRawFragment() == null) {
            return uri;
        }
        String text = uri.toString();
        return URI.create(text.substring(0, text.indexOf('#')));
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + Objects.toString(uri.getHost(), "").toLowerCase(Locale.ROOT) + ":" + port;
    }

    private static String describe(URI location, URI current) {
        return location.equals(current)
                ? ImageLocations.redact(location)
                : ImageLocations.redact(location) + " (redirected to " + ImageLocations.redact(current) + ")";
    }

    private static Matcher contentRange(HttpHeaders headers, String where) throws FlashException {
        String value = headers.firstValue("Content-Range").orElse("");
        Matcher m = CONTENT_RANGE.matcher(value.trim());
        if (!m.matches()) {
            throw new SourceUnusableException(where + " answered a range request with 206 but no valid Content-Range"
                    + " ('" + value + "'); read it as one stream with option http.range-reads=false");
        }
        return m;
    }

    private static OptionalLong contentLength(HttpHeaders headers) {
        OptionalLong length = headers.firstValueAsLong("Content-Length");
        return length.isPresent() && length.getAsLong() >= 0 ? length : OptionalLong.empty();
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
