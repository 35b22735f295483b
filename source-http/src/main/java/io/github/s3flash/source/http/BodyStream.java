package io.github.s3flash.source.http;

import io.github.s3flash.api.SourceUnavailableException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body, read without ever blocking longer than the read timeout: the JDK's own {@code
 * BodyHandlers.ofInputStream()} waits forever on a stalled connection, which would hang a flash
 * instead of resuming it. {@link HttpImage} reads it through a {@link
 * io.github.s3flash.api.RangeInputStream}, which bounds it to the range asked for and takes a body
 * that ends early for the fault it is.
 *
 * <p>Demand is bounded: at most {@value #WINDOW} buffer lists (each about {@code
 * jdk.httpclient.bufsize}) are requested ahead of the reader, so a slow consumer holds back the
 * connection (TCP back-pressure) rather than filling memory; a larger window measured no faster.
 *
 * <p>Read by one thread; the client delivers on its own threads; {@link #close} may come from any.
 */
final class BodyStream implements HttpResponse.BodySubscriber<BodyStream>, AutoCloseable {

    private static final int WINDOW = 4;
    private static final Object DONE = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long idleNanos;
    private final Duration idle;
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> list = Collections.emptyIterator();
    private ByteBuffer current;
    private boolean finished;

    BodyStream(Duration idle) {
        this.idle = idle;
        this.idleNanos = idle.toNanos();
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

    /**
     * Up to {@code len} bytes of the body into {@code b}: how many, or -1 at its end.
     *
     * @param where the request, for messages
     */
    int read(byte[] b, int off, int len, String where) throws IOException {
        while (current == null || !current.hasRemaining()) {
            if (list.hasNext()) {
                current = list.next();
                continue;
            }
            if (finished) {
                return -1;
            }
            take(where);
        }
        int n = Math.min(current.remaining(), len);
        current.get(b, off, n);
        return n;
    }

    @SuppressWarnings("unchecked")
    private void take(String where) throws IOException {
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
            throw new SourceUnavailableException("reading " + where + " failed: " + failure.getClass().getSimpleName()
                    + (failure.getMessage() == null ? "" : " " + failure.getMessage()), failure);
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
