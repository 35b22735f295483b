import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 that caps each connection's download rate, to imitate S3 over a real
 * network, where one connection carries some tens of MB/s and throughput comes from parallel
 * connections. Prints "port=N" once listening; runs until killed.
 *
 * <p>With STATS_FILE, it appends one line per INTERVAL_MS (default 250) to that file, flushed at once
 * so a script can read it while the proxy runs: {@code END_EPOCH_MILLIS ELAPSED_MILLIS MOVING BYTES
 * OPEN}, where MOVING is the number of connections that moved bytes downstream (upstream to client) in
 * the interval, BYTES the bytes they moved, and OPEN the connections open at its end. The epoch time
 * lets a script pick the intervals of a command it timed itself (bench/gate-bench.sh).
 *
 * <p>Usage: java ThrottleProxy.java UPSTREAM_PORT MIB_PER_SECOND_PER_CONNECTION [STATS_FILE [INTERVAL_MS]]
 */
public class ThrottleProxy {
    /**
     * How late a connection may fall behind its schedule and still catch up. Without it every sleep's
     * overshoot and every copy's own time are lost, and a connection read as fast as it can gets a few
     * per cent less than the cap on a loaded machine; with it, a connection idle for longer earns no
     * more than this much credit, as a congested path would give none.
     */
    private static final long SLACK_NANOS = 20_000_000;

    /** Per open connection, the bytes it moved downstream since the last sample (with STATS_FILE only). */
    private static final Set<AtomicLong> MOVED = ConcurrentHashMap.newKeySet();

    public static void main(String[] args) throws IOException {
        int upstreamPort = Integer.parseInt(args[0]);
        double bytesPerNano = Double.parseDouble(args[1]) * 1048576 / 1e9;
        boolean metered = args.length > 2;
        if (metered) {
            sampleEvery(Path.of(args[2]), args.length > 3 ? Long.parseLong(args[3]) : 250);
        }
        var threads = Executors.newVirtualThreadPerTaskExecutor();
        try (var listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            System.out.println("port=" + listener.getLocalPort());
            System.out.flush();
            while (true) {
                Socket client = listener.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                // Pass every piece on at once. With Nagle's algorithm a request the client wrote in two
                // pieces waits here for the server's delayed acknowledgement of the first (40 ms on
                // Linux), a stall per request that S3 itself would not cause.
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                AtomicLong moved = metered ? new AtomicLong() : null;
                if (moved != null) {
                    MOVED.add(moved);
                }
                threads.submit(() -> pump(client.getInputStream(), upstream.getOutputStream(), 0, null, client,
                        upstream));
                threads.submit(() -> pump(upstream.getInputStream(), client.getOutputStream(), bytesPerNano, moved,
                        client, upstream));
            }
        }
    }

    /** Starts a daemon thread that appends a line to {@code file} every {@code millis}. */
    private static void sampleEvery(Path file, long millis) throws IOException {
        var out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), true);
        var sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "throttle-stats");
            t.setDaemon(true);
            return t;
        });
        long[] last = {System.nanoTime()};
        sampler.scheduleAtFixedRate(() -> {
            long now = System.nanoTime();
            int moving = 0;
            int open = 0;
            long bytes = 0;
            for (AtomicLong moved : MOVED) {
                // A closed connection's counter is negative: its last bytes are counted, then it is dropped.
                long n = moved.getAndSet(0);
                if (n < 0) {
                    MOVED.remove(moved);
                    n -= Long.MIN_VALUE;
                } else {
                    open++;
                }
                if (n > 0) {
                    moving++;
                    bytes += n;
                }
            }
            out.println(System.currentTimeMillis() + " " + (now - last[0]) / 1_000_000 + " " + moving + " " + bytes
                    + " " + open);
            last[0] = now;
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    private static Void pump(InputStream in, OutputStream out, double bytesPerNano, AtomicLong moved, Socket a,
            Socket b) {
        byte[] buffer = new byte[64 * 1024];
        // When the next chunk may leave (see SLACK_NANOS).
        long next = System.nanoTime();
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (moved != null) {
                    moved.addAndGet(n);
                }
                if (bytesPerNano > 0) {
                    next = Math.max(next, System.nanoTime() - SLACK_NANOS) + (long) (n / bytesPerNano);
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // One side closed: close both.
        } finally {
            if (moved != null) {
                // Marks the counter closed for the sampler, keeping the bytes not yet sampled.
                moved.addAndGet(Long.MIN_VALUE);
            }
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }
        return null;
    }
}
