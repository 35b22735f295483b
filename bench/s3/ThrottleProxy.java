import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.Executors;

/**
 * A TCP proxy on 127.0.0.1 that caps each connection's download rate, to imitate S3 over a real
 * network, where one connection carries some tens of MB/s and throughput comes from parallel
 * connections. Prints "port=N" once listening; runs until killed.
 *
 * <p>Usage: java ThrottleProxy.java UPSTREAM_PORT MIB_PER_SECOND_PER_CONNECTION
 */
public class ThrottleProxy {
    public static void main(String[] args) throws IOException {
        int upstreamPort = Integer.parseInt(args[0]);
        double bytesPerNano = Double.parseDouble(args[1]) * 1048576 / 1e9;
        var threads = Executors.newVirtualThreadPerTaskExecutor();
        try (var listener = new ServerSocket(0, 100, InetAddress.getLoopbackAddress())) {
            System.out.println("port=" + listener.getLocalPort());
            System.out.flush();
            while (true) {
                Socket client = listener.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                threads.submit(() -> pump(client.getInputStream(), upstream.getOutputStream(), 0, client, upstream));
                threads.submit(() -> pump(upstream.getInputStream(), client.getOutputStream(), bytesPerNano, client,
                        upstream));
            }
        }
    }

    private static Void pump(InputStream in, OutputStream out, double bytesPerNano, Socket a, Socket b) {
        byte[] buffer = new byte[64 * 1024];
        // When the next chunk may leave. Idle time earns no credit: a kept-alive connection reused
        // after a pause is capped from its first byte, as a congested path would be.
        long next = System.nanoTime();
        try {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                if (bytesPerNano > 0) {
                    next = Math.max(next, System.nanoTime()) + (long) (n / bytesPerNano);
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        } catch (IOException | InterruptedException e) {
            // One side closed: close both.
        } finally {
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
