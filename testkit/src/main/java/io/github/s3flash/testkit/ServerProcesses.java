package io.github.s3flash.testkit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Starting and stopping the test servers that run as processes of their own on 127.0.0.1. */
final class ServerProcesses {

    private ServerProcesses() {}

    /** A port free now; another process may still take it first, so callers retry a start. */
    static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Waits until {@code process} accepts connections on 127.0.0.1:{@code port}. */
    static void awaitListening(Process process, int port, Duration timeout, String name, Supplier<String> log)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with code " + process.exitValue() + " at start: " + log.get());
            }
            try (var socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + name);
                }
            }
        }
        throw new IOException(name + " did not listen on 127.0.0.1:" + port + " within " + timeout.toSeconds()
                + " s: " + log.get());
    }

    /** Stops {@code process} (SIGTERM, then SIGKILL after 10 s) and waits for it. Idempotent. */
    static void stop(Process process, String name) throws IOException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while stopping " + name);
        }
    }
}
