package io.github.s3flash.source.http;

import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body as an {@link InputStream} that never blocks longer than the read timeout: the
 * JDK's own {@code BodyHandlers.ofInputStream()} waits forever on a stalled connection, which would
 * hang a flash instead of resuming it. The stream ends after {@link #limit} bytes, and ending before
 * them is an error (the reader resumes the range from there).
 *
 * <p>Demand is bounded: at most {@value #WINDOW} buffer lists (each about {@code
 * jdk.httpclient.bufsize}) are requested ahead of the reader, so a slow consumer holds back the
 * connection (TCP back-pressure) rather than filling memory; a larger window measured no faster.
 *
 * <p>Read by one thread; the client delivers on its own threads; {@link #close} may come from any.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<BodyStream> {

    private static final int WINDOW = 4;
    private static final Object DONE = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleNanos;
    private final Duration idle;
    private String where = "the server";
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> list = java.util.Collections.emptyIterator();
    private ByteBuffer current;
    private long remaining = -1;
    private boolean finished;

    BodyStream(Duration idle) {
        this.idle = idle;
        this.idleNanos = idle.toNanos();
    }

    /** Ends the stream after {@code bytes} (-1: at the end of the body) and names the source in errors. */
    BodyStream limit(long bytes, String where) {
        this.remaining = bytes;
        this.where = where;
        return this;
    }

    @Override
    public CompletionStage<BodyStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(WINDOW);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable failure) {
        queue.add(failure);
    }

    @Override
    public void onComplete() {
        queue.add(DONE);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("response body of " + where + " already closed");
        }
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        while (current == null || !current.hasRemaining()) {
            if (list.hasNext()) {
                current = list.next();
                continue;
            }
            if (finished) {
                if (remaining > 0) {
                    throw new IOException("connection to " + where + " ended " + remaining + " bytes early");
                }
                return -1;
            }
            take();
        }
        int n = current.remaining();
        n = Math.min(n, len);
        if (remaining > 0) {
            n = (int) Math.min(n, remaining);
        }
        current.get(b, off, n);
        if (remaining > 0) {
            remaining -= n;
        }
        return n;
    }

    @SuppressWarnings("unchecked")
    private void take() throws IOException {
        Object next;
        try {
            next = queue.poll(idleNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while reading " + where);
        }
        if (next == null) {
            close();
            throw new SourceUnavailableException("no data from " + where + " for " + idle.toMillis()
                    + " ms (option http.read-timeout); the connection is dropped and the read resumed");
        }
        if (next == DONE) {
            finished = true;
        } else if (next instanceof Throwable failure) {
            finished = true;
            throw new IOException("reading " + where + " failed: " + failure.getMessage(), failure);
        } else {
            list = ((List<ByteBuffer>) next).iterator();
            subscription.request(1);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            queue.clear();
        }
    }
}
