package io.github.s3flash.api.internal;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.TargetTooSmallException;
import io.github.s3flash.api.WriteRefusedException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The decode → hash → write stages of one flash, each on a thread of its own, joined by bounded
 * queues of pooled chunks. The first failure in any stage stops all of them.
 *
 * <p><b>Teardown.</b> The decoder is opened, read and closed by the decode thread alone (decoders
 * are not thread-safe, and closing one frees native state), on success as on failure. Stopping
 * interrupts the decode and hash threads, which wait only on queues and on the compressed stream;
 * the write thread is never interrupted (an interrupt closes a {@code FileChannel} under the write
 * in flight): it looks for the stop between writes. {@link #run} returns or throws only after every
 * stage has ended, so whoever closes the target afterwards never closes it under a write.
 *
 * <p>The writes, the first write's bookkeeping and an image's last partial block are {@link
 * TargetWrites}'s.
 */
public final class Pipeline {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());
    private static final int SCRATCH = 256 << 10;
    /** How often an idle write stage looks whether the pipeline is stopping. */
    private static final long STOP_POLL_MILLIS = 20;

    private record Chunk(ByteBuffer data, long offset) {}

    private static final Chunk END = new Chunk(ByteBuffer.allocate(0), -1);

    /** Opens the decoding stream; called once, on the decode thread. */
    @FunctionalInterface
    public interface Decoder {
        InputStream open() throws IOException;
    }

    /**
     * What the stages produced.
     *
     * @param digest the digest of the whole image, in hex
     * @param warnings what failed after the whole image was read (closing the decoder), one sentence each
     */
    public record Outcome(long bytesWritten, long bytesZeroRanges, String digest, List<String> warnings) {}

    private final URI source;
    private final String shown;
    private final BlockTarget target;
    private final PipelineSettings settings;
    private final ProgressListener listener;
    private final LongSupplier compressedBytesRead;
    private final long compressedLength;
    private final long decodedLength;
    private final long nanoStart;
    private final MessageDigest digest;

    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final TargetWrites writes;
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong zeroed = new AtomicLong();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private volatile boolean stopping;

    /**
     * @param digest hashes every image byte in order (SHA-256 for a flash); used by the hash thread only
     */
    public Pipeline(URI source, BlockTarget target, PipelineSettings settings, ProgressListener listener,
            LongSupplier compressedBytesRead, long compressedLength, long decodedLength, long nanoStart,
            MessageDigest digest) {
        this.source = source;
        this.shown = ImageLocations.redact(source);
        this.target = target;
        this.settings = settings;
        this.listener = listener;
        this.compressedBytesRead = compressedBytesRead;
        this.compressedLength = compressedLength;
        this.decodedLength = decodedLength;
        this.nanoStart = nanoStart;
        this.digest = digest;
        this.writes = new TargetWrites(target, shown, listener);
    }

    /**
     * Whether the target may have changed: a write or zero call began and did not end in {@link
     * WriteRefusedException}. After that, a failure leaves a partial image.
     */
    public boolean writingStarted() {
        return writes.started();
    }

    public long bytesWritten() {
        return written.get();
    }

    /**
     * Runs the stages until the decoded image ends or a stage fails, and returns only when every
     * stage has ended. Throws the first failure as it was thrown (an {@link Error} too); an interrupt
     * of the calling thread stops the stages, is thrown as {@link InterruptedIOException} and leaves
     * the thread's interrupt status set.
     */
    public Outcome run(Decoder decoder) throws IOException {
        var pool = new BufferPool(settings.buffers(), settings.chunkSize(), PipelineSettings.ALIGNMENT);
        BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(settings.buffers() + 1);
        BlockingQueue<Chunk> toWrite = new ArrayBlockingQueue<>(settings.buffers() + 1);

        Thread decode = stage("s3flash-decode", () -> decodeStage(decoder, pool, toHash));
        Thread hash = stage("s3flash-hash", () -> hashStage(toHash, toWrite));
        Thread write = stage("s3flash-write", () -> writeStage(pool, toWrite));
        Thread[] stages = {decode, hash, write};
        for (Thread t : stages) {
            t.start();
        }
        awaitAll(stages, decode, hash);
        rethrow(failure.get());
        return new Outcome(written.get(), zeroed.get(), HexFormat.of().formatHex(digest.digest()), List.copyOf(warnings));
    }

    /** Joins every stage; on the first failure (or an interrupt of this thread) stops them, and joins still. */
    private void awaitAll(Thread[] stages, Thread... interruptible) {
        boolean interrupted = false;
        boolean stopped = false;
        for (Thread t : stages) {
            while (t.isAlive()) {
                try {
                    t.join(100);
                } catch (InterruptedException e) {
                    interrupted = true;
                    fail(new InterruptedIOException("flash interrupted"));
                }
                if (stopping && !stopped) {
                    stopped = true;
                    for (Thread s : interruptible) {
                        s.interrupt();
                    }
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Records the first failure and tells every stage to stop; false when another came first. */
    private boolean fail(Throwable t) {
        boolean first = failure.compareAndSet(null, t);
        stopping = true;
        return first;
    }

    private interface Stage {
        void run() throws Exception;
    }

    private Thread stage(String name, Stage body) {
        return Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                if (!fail(t) && !(t instanceof InterruptedException
                        || t instanceof InterruptedIOException)) {
                    LOG.log(System.Logger.Level.DEBUG, "after the first failure, " + name + " also failed", t);
                }
            }
        });
    }

    private void decodeStage(Decoder decoder, BufferPool pool, BlockingQueue<Chunk> out) throws Exception {
        InputStream decoded = decoder.open();
        try {
            decodeInto(decoded, pool, out);
        } finally {
            closeDecoder(decoded);
        }
    }

    private void closeDecoder(InputStream decoded) {
        // Stopping interrupted this thread; the decoder is closed all the same, and closing must not
        // trip over the interrupt (a channel closes itself when an interrupted thread uses it).
        boolean interrupted = Thread.interrupted();
        try {
            decoded.close();
        } catch (IOException | RuntimeException e) {
            if (failure.get() == null) {
                warnings.add("closing the decoder of " + shown + " failed after the whole image was read: " + e);
            } else {
                LOG.log(System.Logger.Level.DEBUG, "closing the decoder after a failure also failed", e);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void decodeInto(InputStream decoded, BufferPool pool, BlockingQueue<Chunk> out) throws Exception {
        // A decoder that is also a channel fills the pooled buffers itself; any other is read through
        // a heap array (InputStream reads only into arrays), which costs one more copy of every byte.
        ChunkReader reader = decoded instanceof ReadableByteChannel channel ? channel::read : throughArray(decoded);
        long capacity = target.geometry().capacity();
        long offset = 0;
        while (true) {
            ByteBuffer chunk = pool.take();
            boolean eof = false;
            while (chunk.hasRemaining()) {
                if (readDecoded(reader, chunk) < 0) {
                    eof = true;
                    break;
                }
            }
            chunk.flip();
            long end = offset + chunk.remaining();
            if (end > capacity) {
                throw new TargetTooSmallException("image " + shown + " is larger than the target: it has at least "
                        + end + " bytes, the target holds " + capacity + "; use a larger target", end, capacity);
            }
            // Checked before the last chunk is queued, so an image of one chunk is refused unwritten.
            if (eof && decodedLength >= 0 && end != decodedLength) {
                throw new CorruptImageException("image " + shown + " decoded to " + end
                        + " bytes but its header declares " + decodedLength, -1);
            }
            if (chunk.hasRemaining()) {
                out.put(new Chunk(chunk, offset));
                offset = end;
            } else {
                pool.release(chunk);
            }
            if (eof) {
                out.put(END);
                return;
            }
        }
    }

    /** Decoded bytes into a chunk: how many, or -1 at the end of the image. */
    private interface ChunkReader {
        int read(ByteBuffer chunk) throws IOException;
    }

    private static ChunkReader throughArray(InputStream decoded) {
        byte[] scratch = new byte[SCRATCH];
        return chunk -> {
            int n = decoded.read(scratch, 0, Math.min(scratch.length, chunk.remaining()));
            if (n > 0) {
                chunk.put(scratch, 0, n);
            }
            return n;
        };
    }

    private int readDecoded(ChunkReader reader, ByteBuffer chunk) throws IOException {
        try {
            return reader.read(chunk);
        } catch (CorruptImageException e) {
            throw e.in(source);
        } catch (RuntimeException e) {
            // A decoder must report malformed input as CorruptImageException; if one lets an unchecked
            // exception out, it is still malformed input, and is reported as such.
            throw new CorruptImageException("corrupt image " + shown + ": decoder failed: " + e,
                    compressedBytesRead.getAsLong(), e);
        }
    }

    private void hashStage(BlockingQueue<Chunk> in, BlockingQueue<Chunk> out) throws InterruptedException {
        while (true) {
            Chunk chunk = in.take();
            if (chunk != END) {
                digest.update(chunk.data.duplicate());
            }
            out.put(chunk);
            if (chunk == END) {
                return;
            }
        }
    }

    private void writeStage(BufferPool pool, BlockingQueue<Chunk> in) throws Exception {
        while (!stopping) {
            Chunk chunk = in.poll(STOP_POLL_MILLIS, TimeUnit.MILLISECONDS);
            if (chunk == null || stopping) {
                continue;
            }
            if (chunk == END) {
                return;
            }
            int length = chunk.data.remaining();
            boolean zeros = TargetWrites.allZero(chunk.data);
            writes.write(chunk.offset, chunk.data, zeros);
            if (zeros) {
                zeroed.addAndGet(length);
            }
            written.addAndGet(length);
            pool.release(chunk.data);
            notify(listener, new ProgressEvent.Progress(compressedBytesRead.getAsLong(), written.get(),
                    compressedLength, decodedLength, Duration.ofNanos(System.nanoTime() - nanoStart)));
        }
    }

    /** Delivers an event; a listener that throws is logged and otherwise ignored. */
    public static void notify(ProgressListener listener, ProgressEvent event) {
        try {
            listener.onEvent(event);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "progress listener failed on " + event, e);
        }
    }

    /** Throws {@code failed} as it was thrown (a checked one other than IOException wrapped); nothing when null. */
    static void rethrow(Throwable failed) throws IOException {
        if (failed instanceof IOException io) {
            throw io;
        }
        if (failed instanceof RuntimeException e) {
            throw e;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw new IOException("flash failed: " + failed, failed);
        }
    }

    /** Wraps a failure past the point of no return. */
    public static FlashException aborted(URI source, Path target, long written, Throwable cause) {
        String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        return new FlashAbortedException("flash of " + ImageLocations.redact(source) + " onto " + target
                + " failed after writing began (" + written + " image bytes written): " + why
                + "; the target now holds a partial image, so flash it again before booting from it",
                written, cause);
    }
}
