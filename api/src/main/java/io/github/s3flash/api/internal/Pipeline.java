package io.github.s3flash.api.internal;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.TargetTooSmallException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The decode → hash → write stages of one flash, each on a thread of its own, joined by bounded
 * queues of pooled chunks. The first failure in any stage stops all of them.
 */
public final class Pipeline {

    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());
    private static final int SCRATCH = 256 << 10;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64 << 10).asReadOnlyBuffer();

    private record Chunk(ByteBuffer data, long offset) {}

    private static final Chunk END = new Chunk(ByteBuffer.allocate(0), -1);

    /** What the stages produced. */
    public record Outcome(long bytesWritten, long bytesZeroRanges, String sha256) {}

    private final URI source;
    private final String shown;
    private final BlockTarget target;
    private final PipelineSettings settings;
    private final ProgressListener listener;
    private final LongSupplier compressedBytesRead;
    private final long compressedLength;
    private final long decodedLength;
    private final long nanoStart;

    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicBoolean writingStarted = new AtomicBoolean();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong zeroed = new AtomicLong();

    public Pipeline(URI source, BlockTarget target, PipelineSettings settings, ProgressListener listener,
            LongSupplier compressedBytesRead, long compressedLength, long decodedLength, long nanoStart) {
        this.source = source;
        this.shown = io.github.s3flash.api.ImageLocations.redact(source);
        this.target = target;
        this.settings = settings;
        this.listener = listener;
        this.compressedBytesRead = compressedBytesRead;
        this.compressedLength = compressedLength;
        this.decodedLength = decodedLength;
        this.nanoStart = nanoStart;
    }

    /** Whether any byte reached the target: after that, a failure leaves a partial image. */
    public boolean writingStarted() {
        return writingStarted.get();
    }

    public long bytesWritten() {
        return written.get();
    }

    /** Runs the stages over {@code decoded} until it ends or a stage fails. */
    public Outcome run(InputStream decoded) throws IOException {
        var pool = new BufferPool(settings.buffers(), settings.chunkSize(), PipelineSettings.ALIGNMENT);
        BlockingQueue<Chunk> toHash = new ArrayBlockingQueue<>(settings.buffers() + 1);
        BlockingQueue<Chunk> toWrite = new ArrayBlockingQueue<>(settings.buffers() + 1);
        MessageDigest sha256 = sha256();

        Thread decode = stage("s3flash-decode", () -> decodeStage(decoded, pool, toHash));
        Thread hash = stage("s3flash-hash", () -> hashStage(sha256, toHash, toWrite));
        Thread write = stage("s3flash-write", () -> writeStage(pool, toWrite));
        Thread[] stages = {decode, hash, write};
        for (Thread t : stages) {
            t.start();
        }
        try {
            for (Thread t : stages) {
                while (t.isAlive()) {
                    t.join(100);
                    if (failure.get() != null) {
                        stop(stages, decoded);
                    }
                }
            }
        } catch (InterruptedException e) {
            failure.compareAndSet(null, new InterruptedIOException("flash interrupted"));
            stop(stages, decoded);
            Thread.currentThread().interrupt();
        }
        Throwable failed = failure.get();
        if (failed != null) {
            if (failed instanceof IOException io) {
                throw io;
            }
            if (failed instanceof Error err) {
                throw err;
            }
            throw new IOException("flash failed: " + failed, failed);
        }
        return new Outcome(written.get(), zeroed.get(), HexFormat.of().formatHex(sha256.digest()));
    }

    private void stop(Thread[] stages, InputStream decoded) {
        for (Thread t : stages) {
            t.interrupt();
        }
        try {
            decoded.close();
        } catch (IOException | RuntimeException ignored) {
            // Closing only unblocks a reader that is waiting on the network; the first failure is what counts.
        }
    }

    private interface Stage {
        void run() throws Exception;
    }

    private Thread stage(String name, Stage body) {
        return Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                if (!failure.compareAndSet(null, t) && !(t instanceof InterruptedException
                        || t instanceof InterruptedIOException)) {
                    LOG.log(System.Logger.Level.DEBUG, "after the first failure, " + name + " also failed", t);
                }
            }
        });
    }

    private void decodeStage(InputStream decoded, BufferPool pool, BlockingQueue<Chunk> out) throws Exception {
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
            if (eof) {
                // Checked before the last chunk is queued, so an image of one chunk is refused unwritten.
                if (decodedLength >= 0 && end != decodedLength) {
                    throw new CorruptImageException("image " + shown + " decoded to " + end
                            + " bytes but its header declares " + decodedLength, -1);
                }
                int block = target.geometry().logicalBlockSize();
                if (end % block != 0) {
                    throw new InvalidImageException("image " + shown + " is " + end + " bytes, not a multiple of the"
                            + " target's logical block size " + block + "; the last " + (end % block)
                            + " bytes cannot be written as a whole sector");
                }
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

    private void hashStage(MessageDigest sha256, BlockingQueue<Chunk> in, BlockingQueue<Chunk> out)
            throws InterruptedException {
        while (true) {
            Chunk chunk = in.take();
            if (chunk != END) {
                sha256.update(chunk.data.duplicate());
            }
            out.put(chunk);
            if (chunk == END) {
                return;
            }
        }
    }

    private void writeStage(BufferPool pool, BlockingQueue<Chunk> in) throws Exception {
        while (true) {
            Chunk chunk = in.take();
            if (chunk == END) {
                return;
            }
            if (writingStarted.compareAndSet(false, true)) {
                notify(listener, new ProgressEvent.WritingStarted(chunk.offset));
            }
            int length = chunk.data.remaining();
            if (allZero(chunk.data)) {
                target.zero(chunk.offset, length);
                zeroed.addAndGet(length);
            } else {
                target.write(chunk.offset, chunk.data);
            }
            written.addAndGet(length);
            pool.release(chunk.data);
            notify(listener, new ProgressEvent.Progress(compressedBytesRead.getAsLong(), written.get(),
                    compressedLength, decodedLength, Duration.ofNanos(System.nanoTime() - nanoStart)));
        }
    }

    static boolean allZero(ByteBuffer data) {
        int limit = data.limit();
        for (int at = data.position(); at < limit; at += ZEROS.capacity()) {
            int n = Math.min(ZEROS.capacity(), limit - at);
            if (data.slice(at, n).mismatch(ZEROS.slice(0, n)) != -1) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
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

    /** Wraps a failure past the point of no return. */
    public static FlashException aborted(URI source, java.nio.file.Path target, long written, Throwable cause) {
        return new io.github.s3flash.api.FlashAbortedException("flash of " + io.github.s3flash.api.ImageLocations.redact(source) + " onto " + target
                + " failed after " + written + " bytes were written: " + cause.getMessage()
                + "; the target now holds a partial image, so flash it again before booting from it",
                written, cause);
    }
}
