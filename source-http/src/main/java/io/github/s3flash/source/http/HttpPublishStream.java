package io.github.s3flash.source.http;

import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * An object stored with one {@code PUT} when committed: the body is held in memory until then (up to
 * a bound), so the request carries a length and a failed PUT can be sent again whole. Nothing reaches
 * the server before {@link #commit()}, so an abort has nothing to clean up.
 */
final class HttpPublishStream extends PublishStream {

    private final HttpClient client;
    private final URI location;
    private final HttpSettings settings;
    private final long maxSize;
    private final RetryPolicy retry;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    HttpPublishStream(HttpClient client, URI location, HttpSettings settings, long maxSize, RetryPolicy retry) {
        this.client = client;
        this.location = location;
        this.settings = settings;
        this.maxSize = maxSize;
        this.retry = retry;
    }

    @Override
    public URI location() {
        return location;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        if (body.size() + (long) len > maxSize) {
            throw new InvalidOptionException("http.upload.max-size", "cannot publish more than " + maxSize
                    + " bytes to " + ImageLocations.redact(location) + " with an HTTP PUT (option http.upload.max-size);"
                    + " publish large objects to a store with multipart uploads, such as S3");
        }
        body.write(b, off, len);
    }

    @Override
    protected String complete() throws IOException {
        String where = ImageLocations.redact(location);
        byte[] bytes = body.toByteArray();
        try {
            return retry.call("PUT " + where, () -> put(bytes, where), RetryPolicy.Listener.NONE);
        } finally {
            client.shutdownNow();
        }
    }

    private String put(byte[] bytes, String where) throws IOException {
        HttpRequest request = HttpImage.request(location, settings.headers(), settings)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        HttpResponse<Void> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during PUT " + where);
        } catch (IOException e) {
            throw HttpFailures.exchange(e, location, "PUT " + where, settings);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new SourceRequest("PUT " + where, RequestStage.OPENING)
                    .withNotFound("check the URL: the server has nowhere to put it")
                    .withDenied("check the credentials (extra headers sent: " + settings.headerNames()
                            + ") or the URL's signature and its expiry")
                    .failed(status, null, null, null);
        }
        return response.headers().firstValue("ETag").orElse("");
    }

    @Override
    protected void discard() {
        body.reset();
        client.shutdownNow();
    }
}
