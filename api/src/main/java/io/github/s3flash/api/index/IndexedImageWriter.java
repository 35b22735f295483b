package io.github.s3flash.api.index;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.InvalidImageException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.sshsig.SshSignature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes an indexed image from a stream of image bytes: one frame per chunk, compressed on several
 * threads through the {@link Codec} SPI (each chunk encoded on its own, with its content size, so
 * each is one complete frame), written out in order as they finish, then the manifest, the signature
 * and the footer. A stream is read once, front to back, so the image may come from a pipe; the output is
 * written once, front to back, so it may go to a pipe or an upload.
 *
 * <p>All-zero chunks cost a scan: they are recognised without hashing or compressing, and reuse one
 * precomputed frame per length. An input that knows its holes ({@link SparseInput}, a sparse file)
 * costs less still: a chunk that lies wholly in a hole is recorded as all zeros without being read.
 * An input that can be read at any offset ({@link PositionalInput}, a file or a block device) is
 * read by the compressing threads, each its own chunks, rather than by one thread in turn. Memory
 * is bounded by the chunks in flight (threads + 2, fewer if the heap is small), each a chunk and its
 * frame, whatever the image's size.
 *
 * <p>Thread-safe: one writer may write several images at once.
 */
public final class IndexedImageWriter {

    /** The encode option the writer gives each chunk: its decoded length, to record in the frame. */
    public static final String CONTENT_SIZE_OPTION = "content-size";

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final byte[] ZEROS = new byte[64 << 10];
    /** Bytes of a chunk hashed and encoded at a time: they stay in the cache between the two. */
    private static final int SLICE = 1 << 20;

    private final Codec codec;
    private final int codecId;
    private final WriterSettings settings;
    /** One encoded all-zero frame per chunk length (a full chunk, and the last one's). */
    private final Map<Integer, byte[]> zeroFrames = new ConcurrentHashMap<>();

    public IndexedImageWriter(Codec codec, WriterSettings settings) {
        this.codec = requireNonNull(codec, "codec");
        this.settings = requireNonNull(settings, "settings");
        this.codecId = IndexFormat.codecId(codec.name());
        if (codecId < 0) {
            throw new IllegalArgumentException("indexed images hold lz4 or zstd frames, which both skip the index;"
                    + " codec " + codec.name() + " cannot make one");
        }
    }

    /**
     * Reads {@code image} to its end and writes the indexed image to {@code out}; neither is closed.
     *
     * @param signer signs the manifest, or null for an unsigned image
     * @param progress hears about each chunk written out
     * @throws InvalidImageException when the image has more chunks than a manifest can hold
     */
    public WrittenImage write(InputStream image, OutputStream out, ManifestSigner signer, ChunkProgress progress)
            throws IOException {
        requireNonNull(image, "image");
        requireNonNull(out, "out");
        requireNonNull(progress, "progress");
        long start = System.nanoTime();
        int chunkSize = settings.chunkSize();
        int threads = settings.effectiveThreads();
        int inFlight = inFlight(chunkSize, threads);
        int pool = POOLS.incrementAndGet();
        AtomicInteger named = new AtomicInteger();
        ExecutorService compressors = Executors.newFixedThreadPool(Math.min(threads, inFlight), r -> {
            Thread t = new Thread(r, "s3flash-compress-" + pool + "-" + named.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            var run = new Run(out, ChunkProgress.guarded(progress), chunkSize, inFlight, compressors);
            run.chunks(image);
            return run.finish(signer, start);
        } finally {
            compressors.shutdownNow();
        }
    }

    /** Chunks in flight: threads + 2, but no more than half the heap holds with their frames. */
    private static int inFlight(int chunkSize, int threads) throws FlashException {
        long perChunk = chunkSize + IndexFormat.maxFrameLength(chunkSize);
        long heap = Runtime.getRuntime().maxMemory();
        long fit = heap / 2 / perChunk;
        if (fit < 2) {
            throw new FlashException("chunks of " + (chunkSize >> 20) + " MiB need at least " + (4 * perChunk >> 20)
                    + " MiB of heap, and this JVM has " + (heap >> 20) + " MiB: use a smaller chunk size, or a larger"
                    + " heap (S3FLASH_JAVA_OPTS=-Xmx1g)");
        }
        return (int) Math.min(threads + 2L, fit);
    }

    /** One image being written: the window of chunks in flight, the records, the counts. */
    private final class Run {
        private final OutputStream out;
        private final ChunkProgress progress;
        private final int chunkSize;
        private final int inFlight;
        private final ExecutorService compressors;
        private final Deque<Future<Compressed>> window = new ArrayDeque<>();
        private final Deque<byte[]> freeInputs = new ArrayDeque<>();
        private final BlockingQueue<FrameBuffer> freeFrames;
        private final ByteArrayOutputStream records = new ByteArrayOutputStream();
        private final byte[] record = new byte[IndexFormat.RECORD];
        private long imageBytes;
        private long objectBytes;
        private int count;

        Run(OutputStream out, ChunkProgress progress, int chunkSize, int inFlight, ExecutorService compressors) {
            this.out = out;
            this.progress = progress;
            this.chunkSize = chunkSize;
            this.inFlight = inFlight;
            this.compressors = compressors;
            this.freeFrames = new ArrayBlockingQueue<>(inFlight);
            for (int i = 0; i < inFlight; i++) {
                freeFrames.add(new FrameBuffer((int) IndexFormat.maxFrameLength(chunkSize)));
            }
        }

        void chunks(InputStream image) throws IOException {
            out.write(IndexFormat.headFrame());
            objectBytes = IndexFormat.HEAD_FRAME;
            SparseInput sparse = image instanceof SparseInput s ? s : null;
            PositionalInput positional = image instanceof PositionalInput p ? p : null;
            long length = positional == null ? -1 : positional.length();
            for (long at = 0; ; ) {
                int n = sparse == null ? 0 : hole(sparse, at);
                Future<Compressed> next;
                if (n > 0) {
                    checkRoom();
                    if (positional == null) {
                        image.skipNBytes(n);
                    }
                    next = CompletableFuture.completedFuture(
                            new Compressed(null, n, null, zeroFrame(n), true, IndexFormat.zeroSha256(n)));
                } else if (positional != null) {
                    // Each thread takes the chunk it compresses from the input (a file maps it): the
                    // reading is spread over the cores, and only slices pass through the heap.
                    if (at >= length) {
                        break;
                    }
                    checkRoom();
                    byte[] slice = freeInputs.isEmpty() ? new byte[Math.min(SLICE, chunkSize)] : freeInputs.pop();
                    int read = (int) Math.min(chunkSize, length - at);
                    long from = at;
                    n = read;
                    next = compressors.submit(() -> {
                        try (Arena arena = Arena.ofConfined()) {
                            ByteBuffer chunk = positional.bytes(from, read, arena);
                            if (chunk.remaining() != read) {
                                throw new IOException("the input gave " + chunk.remaining() + " bytes at offset " + from
                                        + ", not the " + read + " asked for");
                            }
                            return compress(chunk, slice, from);
                        }
                    });
                } else {
                    byte[] buffer = freeInputs.isEmpty() ? new byte[chunkSize] : freeInputs.pop();
                    int read = image.readNBytes(buffer, 0, chunkSize);
                    if (read == 0) {
                        freeInputs.push(buffer);
                        break;
                    }
                    checkRoom();
                    n = read;
                    long from = at;
                    next = compressors.submit(() -> compress(ByteBuffer.wrap(buffer, 0, read), buffer, from));
                }
                window.add(next);
                count++;
                at += n;
                while (!window.isEmpty() && (window.size() >= inFlight || window.peek().isDone())) {
                    writeOut(window.poll());
                }
                if (n < chunkSize) {
                    break;
                }
            }
            while (!window.isEmpty()) {
                writeOut(window.poll());
            }
        }

        /** The length of the chunk at {@code at} when it lies wholly in a hole of {@code sparse}; else 0. */
        private int hole(SparseInput sparse, long at) throws IOException {
            long length = sparse.length();
            if (at >= length) {
                return 0;
            }
            int n = (int) Math.min(chunkSize, length - at);
            return sparse.dataFrom(at) >= at + n ? n : 0;
        }

        private void checkRoom() throws InvalidImageException {
            if (count == IndexFormat.MAX_CHUNKS) {
                throw new InvalidImageException("the image is larger than " + IndexFormat.MAX_CHUNKS + " chunks of "
                        + chunkSize + " bytes, the most a manifest holds: use a larger chunk size");
            }
        }

        /**
         * Hashes and encodes {@code chunk} (position to limit), or finds it all zeros. A chunk in the
         * heap is read where it is; any other (a file's mapped pages) passes slice by slice through
         * {@code scratch}, one copy that brings the slice into the cache for the digest and the encoder.
         * {@code scratch} is the buffer handed back for reuse: the chunk's own array, or a slice's.
         */
        private Compressed compress(ByteBuffer chunk, byte[] scratch, long offset)
                throws IOException, InterruptedException {
            int length = chunk.remaining();
            try {
                int firstData = firstNonZeroSlice(chunk, scratch);
                if (firstData < 0) {
                    return new Compressed(scratch, length, null, zeroFrame(length), true,
                            IndexFormat.zeroSha256(length));
                }
                MessageDigest sha256 = IndexFormat.sha256();
                FrameBuffer frame = freeFrames.take();
                frame.reset();
                // Slice by slice, so that the encoder reads what the digest has just brought into the cache:
                // a chunk is read from memory once, not once per pass.
                try (OutputStream encoder = codec.encode(frame, frameOptions(length))) {
                    for (int at = 0; at < firstData; at += ZEROS.length) {
                        // Slices the zero check found all zeros: not read again (nor copied over scratch).
                        int n = Math.min(ZEROS.length, firstData - at);
                        sha256.update(ZEROS, 0, n);
                        encoder.write(ZEROS, 0, n);
                    }
                    for (int at = firstData; at < length; at += SLICE) {
                        int n = Math.min(SLICE, length - at);
                        // The slice the zero check stopped at is still in scratch: not copied again.
                        byte[] bytes = at == firstData && !chunk.hasArray() ? scratch : slice(chunk, at, n, scratch);
                        int from = chunk.hasArray() ? chunk.arrayOffset() + chunk.position() + at : 0;
                        sha256.update(bytes, from, n);
                        encoder.write(bytes, from, n);
                    }
                }
                return new Compressed(scratch, length, frame, null, false, sha256.digest());
            } catch (InternalError e) {
                // The JDK's answer to a mapped file that shrank under it (SIGBUS on a page past its end).
                throw new IOException("the input could not be read at bytes " + offset + " to " + (offset + length)
                        + " (" + e.getMessage() + "): was it truncated or changed while the image was made?", e);
            }
        }

        private void writeOut(Future<Compressed> next) throws IOException {
            Compressed c;
            try {
                c = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing an indexed image");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IOException("compressing a chunk with " + codec.name() + " failed: " + cause, cause);
            }
            byte[] bytes = c.frame != null ? c.frame.buffer() : c.zeroFrame;
            int length = c.frame != null ? c.frame.size() : c.zeroFrame.length;
            if (length > IndexFormat.maxFrameLength(c.length)) {
                throw new IOException("codec " + codec.name() + " made a frame of " + length + " bytes for a chunk of "
                        + c.length + ", more than the format allows (" + IndexFormat.maxFrameLength(c.length) + ")");
            }
            if (codecId == IndexFormat.CODEC_ZSTD) {
                // Never publish a frame readers refuse (a window larger than a chunk, from options such as long=).
                var chunk = new Chunk(records.size() / IndexFormat.RECORD, 0, c.length, objectBytes, length, c.zero,
                        c.sha256);
                String problem = FrameHeaders.zstdProblem(bytes, Math.min(length, FrameHeaders.ZSTD_HEADER_MAX), chunk,
                        chunkSize);
                if (problem != null) {
                    throw new IOException("codec zstd made a chunk frame readers refuse: " + problem
                            + "; leave out options that widen the window (long=)");
                }
            }
            out.write(bytes, 0, length);
            Manifest.encodeRecord(record, 0, objectBytes, length, c.zero, c.sha256);
            records.write(record, 0, record.length);
            objectBytes += length;
            imageBytes += c.length;
            if (c.input != null) {
                freeInputs.push(c.input);
            }
            if (c.frame != null) {
                freeFrames.add(c.frame);
            }
            progress.onProgress(imageBytes, objectBytes);
        }

        WrittenImage finish(ManifestSigner signer, long start) throws IOException {
            int shift = Integer.numberOfTrailingZeros(chunkSize);
            byte[] manifestBytes = Manifest.encode(codecId, shift, imageBytes, objectBytes, records.toByteArray(), count);
            Manifest manifest = Manifest.parse(manifestBytes, objectBytes + IndexFormat.FRAME_HEADER);
            SshSignature signature = null;
            byte[] armored = new byte[0];
            if (signer != null) {
                signature = signer.sign(manifestBytes);
                signature.verify(manifestBytes, SshSignature.IMAGE_NAMESPACE);
                armored = signature.armored().getBytes(StandardCharsets.US_ASCII);
                if (armored.length > IndexFormat.MAX_SIGNATURE) {
                    throw new FlashException("the signature is " + armored.length + " bytes, more than the format's "
                            + IndexFormat.MAX_SIGNATURE);
                }
            }
            var footer = new Footer(objectBytes, manifestBytes.length, armored.length,
                    IndexFormat.sha256().digest(manifestBytes));
            out.write(IndexFormat.frameHeader(manifestBytes.length));
            out.write(manifestBytes);
            if (armored.length > 0) {
                out.write(IndexFormat.frameHeader(armored.length));
                out.write(armored);
            }
            out.write(footer.encode());
            out.flush();
            return new WrittenImage(manifest, footer.objectLength(), signature,
                    Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private Options frameOptions(int length) {
        Options options = settings.encodeOptions();
        if (codecId == IndexFormat.CODEC_LZ4 && options.get("block-size").isEmpty()) {
            // Blocks of one slice compress straight from the chunk while it is in the cache; LZ4 looks back
            // 64 KiB only, so 1 MiB blocks cost 0.01% of size against lz4 -c's 4 MiB ones.
            options = options.with("block-size", "1m");
        }
        return options.with(CONTENT_SIZE_OPTION, Integer.toString(length));
    }

    /** The frame of {@code length} zero bytes, encoded once per length. */
    private byte[] zeroFrame(int length) throws IOException {
        byte[] frame = zeroFrames.get(length);
        if (frame == null) {
            var buffer = new FrameBuffer(64 << 10);
            try (OutputStream encoder = codec.encode(buffer, frameOptions(length))) {
                for (int at = 0; at < length; at += ZEROS.length) {
                    encoder.write(ZEROS, 0, Math.min(ZEROS.length, length - at));
                }
            }
            frame = Arrays.copyOf(buffer.buffer(), buffer.size());
            zeroFrames.putIfAbsent(length, frame);
        }
        return frame;
    }

    /**
     * The offset of the first slice of {@code chunk} (from its position) that is not all zeros, or -1
     * when the whole chunk is; a chunk without an array leaves that slice in {@code scratch}.
     */
    static int firstNonZeroSlice(ByteBuffer chunk, byte[] scratch) {
        int length = chunk.remaining();
        for (int at = 0; at < length; at += SLICE) {
            int n = Math.min(SLICE, length - at);
            byte[] bytes = slice(chunk, at, n, scratch);
            int from = chunk.hasArray() ? chunk.arrayOffset() + chunk.position() + at : 0;
            for (int z = 0; z < n; z += ZEROS.length) {
                int k = Math.min(ZEROS.length, n - z);
                if (Arrays.mismatch(bytes, from + z, from + z + k, ZEROS, 0, k) >= 0) {
                    return at;
                }
            }
        }
        return -1;
    }

    /**
     * The array holding bytes {@code at} to {@code at + n} of {@code chunk} (from its position): its
     * own array when it has one, else {@code scratch}, filled from offset 0 (a copy through the JDK's
     * memory access, which turns a fault on a mapped file into an {@link InternalError}).
     */
    private static byte[] slice(ByteBuffer chunk, int at, int n, byte[] scratch) {
        if (chunk.hasArray()) {
            return chunk.array();
        }
        chunk.get(chunk.position() + at, scratch, 0, n);
        return scratch;
    }

    /** A compressed chunk: its input buffer (to reuse), and either an encoded frame or the shared zero frame. */
    private record Compressed(byte[] input, int length, FrameBuffer frame, byte[] zeroFrame, boolean zero,
            byte[] sha256) {}

    /** A reusable growing byte array that codecs encode into; closing it does nothing. */
    private static final class FrameBuffer extends OutputStream {
        /** Allocated on first use, at the size a frame is expected to need, so it rarely grows. */
        private final int initial;
        private byte[] bytes = new byte[0];
        private int size;

        FrameBuffer(int initial) {
            this.initial = initial;
        }

        void reset() {
            size = 0;
        }

        byte[] buffer() {
            return bytes;
        }

        int size() {
            return size;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(size + more, Math.max(initial, bytes.length * 2)));
            }
        }
    }
}
