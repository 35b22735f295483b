package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.WriteRefusedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A disk in memory, for testing what writes to a {@link io.github.s3flash.api.BlockTarget} without
 * root or loop devices: the state of a disk (its bytes, kept in sparse pages, so large capacities
 * cost only what is written) plus a record of how it was used, and faults to inject. {@link
 * MemorySink} opens it as a target; the disk outlives every target opened on it, as a real disk does.
 *
 * <p>It checks the {@link io.github.s3flash.api.BlockTarget} contract as it is used and records each
 * breach in {@link #violations()} (the call also fails where the contract says it may): writes that
 * are not whole logical blocks, more writers at once than {@link #concurrentWriters} allows, two
 * writes at once to overlapping ranges, a read of a range being written, a call after close, a
 * close while a write is in flight. A test that ends with no violations used the target correctly,
 * including from several threads writing out of order.
 *
 * <p>Faults: a write call (write or zero) that fails, fails after storing part of its data (a torn
 * write), is refused ({@link WriteRefusedException}), is slow, or is held until the test releases
 * it; a force or close that fails. Thread-safe.
 */
public final class MemoryDisk {

    private static final int PAGE = 64 << 10;

    private final TargetGeometry geometry;
    private final Long noiseSeed;
    private final Map<Long, byte[]> pages = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private final List<long[]> inFlight = new ArrayList<>();
    private final List<Write> writes = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private int maxWriters = 1;
    private int mostWritersSeen;
    private int writeCalls;
    private int unforced;
    private int forces;
    private int opens;
    private int closes;

    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> tears = new ConcurrentHashMap<>();
    private final Map<Integer, String> refusals = new ConcurrentHashMap<>();
    private volatile Duration writeDelay = Duration.ZERO;
    private volatile boolean zeroesWithoutWriting;
    private final List<long[]> reads = new CopyOnWriteArrayList<>();
    private volatile int holdFrom = Integer.MAX_VALUE;
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);
    private volatile Throwable forceFailure;
    private volatile Throwable closeFailure;
    private volatile IOException openFailure;

    /**
     * One write or zero call as the target received it.
     *
     * @param zero whether it was a {@code zero} call
     * @param thread the name of the thread that made it
     */
    public record Write(boolean zero, long offset, long length, String thread) {}

    private MemoryDisk(TargetGeometry geometry, Long noiseSeed) {
        this.geometry = geometry;
        this.noiseSeed = noiseSeed;
    }

    /** A disk that reads as zeros, with {@code sectorSize}-byte logical and physical blocks. */
    public static MemoryDisk zeroed(long capacity, int sectorSize) {
        return new MemoryDisk(new TargetGeometry(capacity, sectorSize, Math.max(sectorSize, 1)), null);
    }

    /**
     * A disk full of seeded noise (its old contents, so that whatever a flash leaves alone can be told
     * from what it wrote), with {@code sectorSize}-byte logical and physical blocks.
     */
    public static MemoryDisk noise(long capacity, int sectorSize, long seed) {
        return new MemoryDisk(new TargetGeometry(capacity, sectorSize, Math.max(sectorSize, 1)), seed);
    }

    public TargetGeometry geometry() {
        return geometry;
    }

    // ---- configuration ----

    /** How many write calls may run at once (default 1: one writer thread at a time). */
    public MemoryDisk concurrentWriters(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1: " + max);
        }
        synchronized (lock) {
            maxWriters = max;
        }
        return this;
    }

    /** The {@code n}th write call (1-based, writes and zeros alike) throws {@code failure} and stores nothing. */
    public MemoryDisk failWrite(int n, Throwable failure) {
        failures.put(n, requireNonNull(failure, "failure"));
        return this;
    }

    /** The {@code n}th write call stores only its first {@code bytes} bytes, then throws an IOException. */
    public MemoryDisk tearWrite(int n, int bytes) {
        tears.put(n, bytes);
        return this;
    }

    /** The {@code n}th write call is declined: it throws {@link WriteRefusedException} and stores nothing. */
    public MemoryDisk refuseWrite(int n, String why) {
        refusals.put(n, requireNonNull(why, "why"));
        return this;
    }

    /**
     * Says that zeroing costs less than reading ({@link io.github.s3flash.api.BlockTarget#zeroesWithoutWriting}),
     * as a disk with a zero-out command does; zeroing it still stores zeros.
     */
    public MemoryDisk zeroesWithoutWriting(boolean zeroes) {
        zeroesWithoutWriting = zeroes;
        return this;
    }

    boolean zeroesWithoutWriting() {
        return zeroesWithoutWriting;
    }

    /** The reads of its targets so far, as {@code [offset, length]}. */
    public List<long[]> reads() {
        return List.copyOf(reads);
    }

    void read(long offset, long length) {
        reads.add(new long[] {offset, length});
    }

    /** Every write call takes at least {@code delay} (a slow disk). */
    public MemoryDisk slowWrites(Duration delay) {
        writeDelay = requireNonNull(delay, "delay");
        return this;
    }

    /**
     * From the {@code n}th write call on, each call waits (before storing anything) until {@link
     * #releaseWrites()}; {@link #awaitHeldWrite} waits until the first of them is waiting. The wait
     * ignores interrupts, as a disk's does.
     */
    public MemoryDisk holdWritesFrom(int n) {
        holdFrom = n;
        return this;
    }

    public MemoryDisk failForce(Throwable failure) {
        forceFailure = failure;
        return this;
    }

    /** The first close of a target on this disk throws {@code failure} (after closing it). */
    public MemoryDisk failClose(Throwable failure) {
        closeFailure = failure;
        return this;
    }

    public MemoryDisk failOpen(IOException failure) {
        openFailure = failure;
        return this;
    }

    /** Waits until a write call is held by {@link #holdWritesFrom}; false if none was within {@code timeout}. */
    public boolean awaitHeldWrite(Duration timeout) throws InterruptedException {
        return held.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void releaseWrites() {
        released.countDown();
    }

    // ---- what happened ----

    /** Every write and zero call that stored data, in the order they began. */
    public List<Write> writes() {
        return List.copyOf(writes);
    }

    /** Breaches of the BlockTarget contract seen so far, one sentence each. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The most write calls that ran at once. */
    public int mostConcurrentWrites() {
        synchronized (lock) {
            return mostWritersSeen;
        }
    }

    /** Write calls that stored data since the last successful force: 0 once all is durable. */
    public int unforcedWrites() {
        synchronized (lock) {
            return unforced;
        }
    }

    public int forces() {
        synchronized (lock) {
            return forces;
        }
    }

    public int opens() {
        synchronized (lock) {
            return opens;
        }
    }

    public int closes() {
        synchronized (lock) {
            return closes;
        }
    }

    /** The bytes held at {@code [offset, offset + length)}. */
    public byte[] bytes(long offset, int length) {
        if (offset < 0 || length < 0 || offset + length > geometry.capacity()) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " is outside the disk of "
                    + geometry.capacity() + " bytes");
        }
        byte[] out = new byte[length];
        copyOut(offset, ByteBuffer.wrap(out));
        return out;
    }

    /** SHA-256 (hex) of the bytes held at {@code [offset, offset + length)}. */
    public String sha256(long offset, long length) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        ByteBuffer piece = ByteBuffer.allocate(PAGE);
        for (long at = offset; at < offset + length; at += PAGE) {
            piece.clear().limit((int) Math.min(PAGE, offset + length - at));
            copyOut(at, piece);
            md.update(piece.flip());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** SHA-256 (hex) of the whole disk. */
    public String sha256() {
        return sha256(0, geometry.capacity());
    }

    // ---- used by MemoryTarget ----

    void opened() throws IOException {
        IOException failure = openFailure;
        if (failure != null) {
            throw failure;
        }
        synchronized (lock) {
            opens++;
        }
    }

    /** Registers a write call over {@code [offset, offset + length)}; returns its number. */
    int beginWrite(long offset, long length) {
        synchronized (lock) {
            int n = ++writeCalls;
            if (inFlight.size() >= maxWriters) {
                violation("write call " + n + " began while " + inFlight.size() + " other(s) ran; this target allows "
                        + maxWriters + " at once");
            }
            for (long[] range : inFlight) {
                if (offset < range[1] && range[0] < offset + length) {
                    violation("write call " + n + " at [" + offset + ", " + (offset + length)
                            + ") overlaps a write in flight at [" + range[0] + ", " + range[1] + ")");
                }
            }
            inFlight.add(new long[] {offset, offset + length, n});
            mostWritersSeen = Math.max(mostWritersSeen, inFlight.size());
            return n;
        }
    }

    void endWrite(int n) {
        synchronized (lock) {
            inFlight.removeIf(range -> range[2] == n);
        }
    }

    /** Applies the faults set for write call {@code n}, then stores {@code data} (null: zeros). */
    void store(int n, boolean zero, long offset, long length, ByteBuffer data) throws IOException {
        if (n >= holdFrom) {
            held.countDown();
            awaitRelease();
        }
        if (!writeDelay.isZero()) {
            sleep(writeDelay);
        }
        Throwable failure = failures.get(n);
        if (failure != null) {
            throw MemoryDisk.<IOException>sneaky(failure);
        }
        String refusal = refusals.get(n);
        if (refusal != null) {
            throw new WriteRefusedException(refusal);
        }
        Integer torn = tears.get(n);
        long stored = torn == null ? length : Math.min(length, torn);
        writes.add(new Write(zero, offset, stored, Thread.currentThread().getName()));
        if (zero) {
            fill(offset, stored);
        } else {
            copyIn(offset, data.slice(data.position(), (int) stored));
            data.position(data.position() + (int) stored);
        }
        synchronized (lock) {
            unforced++;
        }
        if (torn != null) {
            throw new IOException("torn write: write call " + n + " stored " + stored + " of " + length
                    + " bytes at offset " + offset + ", then the disk failed");
        }
    }

    /** Checks a read of {@code [offset, offset + length)} against the writes in flight. */
    void checkRead(long offset, long length) {
        synchronized (lock) {
            for (long[] range : inFlight) {
                if (offset < range[1] && range[0] < offset + length) {
                    violation("a read of [" + offset + ", " + (offset + length) + ") overlaps write call " + range[2]
                            + " in flight at [" + range[0] + ", " + range[1] + ")");
                }
            }
        }
    }

    void forced() throws IOException {
        Throwable failure = forceFailure;
        if (failure != null) {
            throw MemoryDisk.<IOException>sneaky(failure);
        }
        synchronized (lock) {
            forces++;
            unforced = 0;
        }
    }

    /** A target on this disk closes; throws the close fault once. */
    void closed() throws IOException {
        synchronized (lock) {
            closes++;
            if (!inFlight.isEmpty()) {
                violation("a target was closed while " + inFlight.size() + " write call(s) were in flight");
            }
        }
        Throwable failure = closeFailure;
        closeFailure = null;
        if (failure != null) {
            throw MemoryDisk.<IOException>sneaky(failure);
        }
    }

    void violation(String what) {
        violations.add(what);
    }

    int copyOut(long offset, ByteBuffer dst) {
        int n = (int) Math.max(0, Math.min(dst.remaining(), geometry.capacity() - offset));
        int done = 0;
        while (done < n) {
            long at = offset + done;
            long page = at / PAGE;
            int in = (int) (at % PAGE);
            int piece = Math.min(n - done, PAGE - in);
            byte[] stored = pages.get(page);
            if (stored != null) {
                dst.put(stored, in, piece);
            } else {
                dst.put(initial(page), in, piece);
            }
            done += piece;
        }
        return n;
    }

    private void copyIn(long offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            long at = offset + src.position();
            int in = (int) (at % PAGE);
            int piece = Math.min(src.remaining(), PAGE - in);
            src.get(page(at / PAGE), in, piece);
        }
    }

    private void fill(long offset, long length) {
        for (long done = 0; done < length; ) {
            long at = offset + done;
            int in = (int) (at % PAGE);
            int piece = (int) Math.min(length - done, PAGE - in);
            Arrays.fill(page(at / PAGE), in, in + piece, (byte) 0);
            done += piece;
        }
    }

    private byte[] page(long index) {
        return pages.computeIfAbsent(index, this::initial);
    }

    /** A page as the disk held it before anything was written. */
    private byte[] initial(long index) {
        byte[] page = new byte[PAGE];
        if (noiseSeed != null) {
            new Random(noiseSeed * 31 + index).nextBytes(page);
        }
        return page;
    }

    private void awaitRelease() {
        boolean interrupted = false;
        while (true) {
            try {
                released.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(Duration delay) throws InterruptedIOException {
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted during a slow write");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    @Override
    public String toString() {
        return "MemoryDisk[" + geometry + ", " + writes.size() + " writes, " + violations.size() + " violations]";
    }
}
