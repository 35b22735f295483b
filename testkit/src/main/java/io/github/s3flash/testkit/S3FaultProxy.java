package io.github.s3flash.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small HTTP proxy on 127.0.0.1 between the S3 client and S3Proxy that injects the faults of a
 * real network, per request, as its {@link Plan} says: a connection cut in the middle of the body, a
 * stall (the body stops, the connection stays open), a 503 SlowDown. One request per connection: it
 * asks the server to close after each response, so every request's fate is decided alone.
 */
public final class S3FaultProxy implements AutoCloseable {

    /**
     * What happens to a request. WRONG_REGION answers as S3 does a request signed for another region
     * than the bucket's: 301 PermanentRedirect with {@code x-amz-bucket-region: }{@value #BUCKET_REGION}.
     * DROP_RANGE turns the server's 206 into a 200 without Content-Range, as a store that ignores
     * ranges would answer (the Range header itself is signed and cannot be dropped). DROP_VALIDATORS
     * removes {@code ETag} and {@code Last-Modified} from the answer, as some proxies do. VERSION_ONE
     * and VERSION_TWO add {@code x-amz-version-id: v1} or {@code v2} to the answer, as a versioned
     * bucket names the version it served.
     */
    public enum Fault { NONE, CUT, STALL, SLOW_DOWN, WRONG_REGION, DROP_RANGE, DROP_VALIDATORS, VERSION_ONE, VERSION_TWO }

    public static final String BUCKET_REGION = "eu-central-1";

    /**
     * Chooses the fault for the {@code n}th request (1-based) of {@code method} with this Range and
     * Authorization header (null when absent).
     */
    public interface Plan {
        Fault choose(String method, int n, String range, String authorization);
    }

    private static final String SLOW_DOWN_BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown"
            + "</Code><Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>";

    private static final String REDIRECT_BODY = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>"
            + "PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the"
            + " specified endpoint.</Message><RequestId>fault-proxy</RequestId></Error>";

    private final ServerSocket listener;
    private final int upstreamPort;
    private final Plan plan;
    private final Duration stall;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, AtomicInteger> requests = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Fault, AtomicInteger> faults = new EnumMap<>(Fault.class);
    private final List<String> ranges = Collections.synchronizedList(new ArrayList<>());
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private final java.util.function.IntConsumer beforeGet;

    public S3FaultProxy(int upstreamPort, Plan plan, Duration stall, java.util.function.IntConsumer beforeGet)
            throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.plan = plan;
        this.stall = stall;
        this.beforeGet = beforeGet;
        for (Fault f : Fault.values()) {
            faults.put(f, new AtomicInteger());
        }
        threads.submit(this::accept);
    }

    public S3FaultProxy(int upstreamPort, Plan plan, Duration stall) throws IOException {
        this(upstreamPort, plan, stall, n -> {});
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    public int faults(Fault fault) {
        return faults.get(fault).get();
    }

    /** The Range headers of the GETs received, in order. */
    public List<String> ranges() {
        synchronized (ranges) {
            return List.copyOf(ranges);
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                open.add(client);
                threads.submit(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String[] lines = head.split("\r\n");
            String method = lines[0].split(" ")[0];
            String range = header(lines, "range");
            int n = requests.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
            if (method.equals("GET")) {
                ranges.add(range);
                beforeGet.accept(n);
            }
            Fault fault = plan.choose(method, n, range, header(lines, "authorization"));
            faults.get(fault).incrementAndGet();
            OutputStream out = client.getOutputStream();
            if (fault == Fault.SLOW_DOWN || fault == Fault.WRONG_REGION) {
                boolean slowDown = fault == Fault.SLOW_DOWN;
                byte[] body = (slowDown ? SLOW_DOWN_BODY : REDIRECT_BODY).getBytes(StandardCharsets.UTF_8);
                out.write(((slowDown ? "HTTP/1.1 503 Slow Down\r\n"
                                : "HTTP/1.1 301 Moved Permanently\r\nx-amz-bucket-region: " + BUCKET_REGION + "\r\n")
                        + "Content-Type: application/xml\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (!method.equals("HEAD")) {
                    out.write(body);
                }
                out.flush();
                return;
            }
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
                open.add(upstream);
                var forwarded = new StringBuilder(lines[0]).append("\r\n");
                for (int i = 1; i < lines.length; i++) {
                    if (!lines[i].toLowerCase(Locale.ROOT).startsWith("connection:")) {
                        forwarded.append(lines[i]).append("\r\n");
                    }
                }
                forwarded.append("Connection: close\r\n\r\n");
                upstream.getOutputStream().write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                upstream.getOutputStream().flush();
                InputStream response = upstream.getInputStream();
                String responseHead = readHead(response);
                if (responseHead == null) {
                    return;
                }
                if (fault == Fault.DROP_RANGE) {
                    responseHead = responseHead.replaceFirst("^HTTP/1.1 206 [^\r]*", "HTTP/1.1 200 OK")
                            .replaceAll("(?i)\r\ncontent-range:[^\r]*", "");
                } else if (fault == Fault.DROP_VALIDATORS) {
                    responseHead = responseHead.replaceAll("(?i)\r\n(etag|last-modified):[^\r]*", "");
                } else if (fault == Fault.VERSION_ONE || fault == Fault.VERSION_TWO) {
                    responseHead = responseHead + "\r\nx-amz-version-id: " + (fault == Fault.VERSION_ONE ? "v1" : "v2");
                }
                out.write((responseHead + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                String length = header(responseHead.split("\r\n"), "content-length");
                long bodyLength = length == null ? -1 : Long.parseLong(length.trim());
                boolean cuts = fault == Fault.CUT || fault == Fault.STALL;
                long cutAt = !cuts || bodyLength < 2 ? Long.MAX_VALUE
                        : 1 + Math.floorMod(n * 7919L + bodyLength / 3, bodyLength - 1);
                copy(response, out, cutAt);
                out.flush();
                if (fault == Fault.STALL && cutAt != Long.MAX_VALUE) {
                    Thread.sleep(stall);
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client gave up on a stalled or cut connection: that is the point of the exercise.
        } finally {
            open.remove(client);
        }
    }

    private static void copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buffer = new byte[65536];
        long copied = 0;
        while (copied < limit) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied));
            if (n < 0) {
                return;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
    }

    private static String readHead(InputStream in) throws IOException {
        var head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        return text.substring(0, text.length() - 4);
    }

    private static String header(String[] lines, String name) {
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().equalsIgnoreCase(name)) {
                return lines[i].substring(colon + 1).trim();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
        threads.shutdownNow();
    }
}
