package io.github.s3flash.testkit.pipeline;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A codec for pipeline tests: "decodes" by passing the bytes through, like raw, but knows no decoded
 * length in advance (as {@code lz4 -c} output) unless told to, records which threads close its
 * decoders, and throws what it is told on a given read. A real implementation of the SPI, written
 * here because no shipped codec can be made to fail on purpose.
 */
final class PassThroughCodec implements Codec {

    private final boolean sized;
    private final int failingRead;
    private final Throwable failure;
    private final List<String> closedBy = new CopyOnWriteArrayList<>();
    private final AtomicInteger opened = new AtomicInteger();

    private PassThroughCodec(boolean sized, int failingRead, Throwable failure) {
        this.sized = sized;
        this.failingRead = failingRead;
        this.failure = failure;
    }

    /** Decoded length unknown before decoding. */
    static PassThroughCodec unsized() {
        return new PassThroughCodec(false, 0, null);
    }

    /** Decoded length known before decoding (the compressed length, as raw). */
    static PassThroughCodec sized() {
        return new PassThroughCodec(true, 0, null);
    }

    /** Throws {@code failure} on the {@code n}th read of a decoder (1-based). */
    static PassThroughCodec failingOnRead(int n, Throwable failure) {
        return new PassThroughCodec(false, n, failure);
    }

    /** Names of the threads that closed a decoder, one entry per close call. */
    List<String> closedBy() {
        return List.copyOf(closedBy);
    }

    int decodersOpened() {
        return opened.get();
    }

    @Override
    public String name() {
        return "passthrough";
    }

    @Override
    public ProbeResult probe(ByteBuffer head) {
        return ProbeResult.NO;
    }

    @Override
    public InputStream decode(InputStream compressed) {
        opened.incrementAndGet();
        return new FilterInputStream(compressed) {
            private int reads;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (++reads == failingRead) {
                    throw PassThroughCodec.<IOException>sneaky(failure);
                }
                return super.read(b, off, len);
            }

            @Override
            public void close() throws IOException {
                closedBy.add(Thread.currentThread().getName());
                super.close();
            }
        };
    }

    @Override
    public OutputStream encode(OutputStream out, Options options) {
        return out;
    }

    @Override
    public OptionalLong decodedLength(ByteBuffer head, long compressedLength) {
        return sized && compressedLength >= 0 ? OptionalLong.of(compressedLength) : OptionalLong.empty();
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
