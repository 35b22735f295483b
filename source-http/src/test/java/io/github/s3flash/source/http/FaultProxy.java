package io.github.s3flash.source.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server that breaks responses the way networks do: it
 * forwards a random number of response bytes on a connection, then either cuts it (a reset or a
 * plain close, at random) or stalls it (forwards nothing for a while, then closes). At most {@code
 * faults} faults are injected in all, after which it forwards faithfully. Response bytes are
 * counted only once the connection has carried a pinned read (a request with {@code If-Match} or
 * {@code If-Unmodified-Since}), so that the source's open, which the reader does not retry, is
 * spared. Deterministic for a seed up to thread scheduling.
 */
final class FaultProxy implements AutoCloseable {

    enum Fault { CUT, STALL }

    private final ServerSocket server;
    private final int upstreamPort;
    private final Random random;
    private final Fault fault;
    private final int minBytesBeforeFault;
    private final int maxBytesBeforeFault;
    private final Duration stall;
    private final AtomicInteger faultsLeft;
    private final AtomicInteger injected = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** Faults come after between {@code minBytesBeforeFault} and {@code maxBytesBeforeFault} response bytes. */
    FaultProxy(int upstreamPort, long seed, Fault fault, int faults, int minBytesBeforeFault, int maxBytesBeforeFault,
            Duration stall) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.random = new Random(seed);
        this.fault = fault;
        this.faultsLeft = new AtomicInteger(faults);
        this.minBytesBeforeFault = minBytesBeforeFault;
        this.maxBytesBeforeFault = maxBytesBeforeFault;
        this.stall = stall;
        start("fault-proxy-accept", this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Faults injected so far. */
    int injected() {
        return injected.get();
    }

    private void start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), 5000);
                sockets.add(client);
                sockets.add(upstream);
                long faultAfter = faultPoint();
                var armed = new java.util.concurrent.atomic.AtomicBoolean();
                start("fault-proxy-up", () -> pump(client, upstream, -1, armed));
                start("fault-proxy-down", () -> pump(upstream, client, faultAfter, armed));
            } catch (IOException e) {
                if (!closed) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    private long faultPoint() {
        synchronized (random) {
            return minBytesBeforeFault + random.nextInt(maxBytesBeforeFault - minBytesBeforeFault + 1);
        }
    }

    /**
     * Copies {@code from} to {@code to}. Upstream ({@code faultAfter} -1) it arms the connection at the
     * first pinned read; downstream it injects a fault {@code faultAfter} bytes after arming.
     */
    private void pump(Socket from, Socket to, long faultAfter, java.util.concurrent.atomic.AtomicBoolean armed) {
        byte[] buffer = new byte[16384];
        long forwarded = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            while (true) {
                boolean counting = faultAfter >= 0 && armed.get();
                int want = buffer.length;
                if (counting && forwarded < faultAfter) {
                    want = (int) Math.min(want, faultAfter - forwarded);
                }
                if (counting && forwarded >= faultAfter && faultsLeft.getAndDecrement() > 0) {
                    injected.incrementAndGet();
                    inject(from, to);
                    return;
                }
                int n = in.read(buffer, 0, want);
                if (n < 0) {
                    to.shutdownOutput();
                    return;
                }
                if (faultAfter < 0) {
                    String request = new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1)
                            .toLowerCase(java.util.Locale.ROOT);
                    if (request.contains("\r\nif-match:") || request.contains("\r\nif-unmodified-since:")) {
                        armed.set(true);
                    }
                }
                out.write(buffer, 0, n);
                if (counting) {
                    forwarded += n;
                }
            }
        } catch (IOException e) {
            // A peer went away: the other direction notices and ends too.
        } finally {
            quietlyClose(from);
            quietlyClose(to);
        }
    }

    private void inject(Socket upstream, Socket client) throws IOException {
        boolean reset;
        synchronized (random) {
            reset = random.nextBoolean();
        }
        if (fault == Fault.STALL) {
            try {
                Thread.sleep(stall);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (reset) {
            client.setSoLinger(true, 0);
        }
        quietlyClose(client);
        quietlyClose(upstream);
    }

    private static void quietlyClose(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a socket that already failed tells nothing more.
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        sockets.forEach(FaultProxy::quietlyClose);
        for (Thread t : threads) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
