package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The rules every stream of image bytes follows, kept by {@link RangeInputStream}. */
// A regression here tends to hang a reader (a stream that waits for a fetcher that is gone): fail it instead.
@Timeout(60)
class RangeInputStreamTest {

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void readsExactlyItsRangeThroughEveryReadMethod() throws IOException {
        byte[] data = bytes(10_000);
        try (var in = RangeInputStream.of("test range", 6000, new ByteArrayInputStream(data))) {
            assertThat(in.read()).isEqualTo(data[0] & 0xff);
            byte[] b = new byte[100];
            assertThat(in.read(b, 10, 0)).isZero();
            assertThat(in.read(b, 10, 90)).isEqualTo(90);
            assertThat(Arrays.copyOfRange(b, 10, 100)).isEqualTo(Arrays.copyOfRange(data, 1, 91));
            assertThatThrownBy(() -> in.read(b, 50, 51)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 91, 6000));
            assertThat(in.position()).isEqualTo(6000);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(b)).isEqualTo(-1);
        }
        try (var whole = RangeInputStream.of("to the end", -1, new ByteArrayInputStream(data))) {
            assertThat(whole.readAllBytes()).isEqualTo(data);
            assertThat(whole.read()).isEqualTo(-1);
        }
        try (var empty = RangeInputStream.of("empty", 0, new ByteArrayInputStream(data))) {
            assertThat(empty.read()).isEqualTo(-1);
        }
    }

    @Test
    void aRangeCutShortIsARetryableFaultNotAnEnd() throws IOException {
        try (var in = RangeInputStream.of("s3://b/k bytes 0-999", 1000, new ByteArrayInputStream(bytes(600)))) {
            assertThat(in.readNBytes(600)).hasSize(600);
            assertThatThrownBy(in::read)
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("s3://b/k bytes 0-999 ended after 600 of its 1000 bytes")
                    .satisfies(e -> assertThat(((FlashException) e).retryable()).isTrue());
        }
    }

    @Test
    void anUpstreamReadOfNoBytesIsAFault() throws IOException {
        var zero = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return 0;
            }
        };
        try (var in = RangeInputStream.of("range", 10, zero)) {
            assertThatThrownBy(() -> in.read(new byte[5]))
                    .isInstanceOf(SourceUnavailableException.class).hasMessageContaining("returned no bytes after 0");
        }
    }

    @Test
    void failuresStickAndTheCompletionHookRunsBeforeTheLastBytesAreHandedOut() throws IOException {
        var completions = new AtomicInteger();
        var in = new RangeInputStream("checked range", 5) {
            int served;

            @Override
            protected int readUpstream(byte[] b, int off, int len) {
                served += len;
                return len;
            }

            @Override
            protected void completed() throws IOException {
                completions.incrementAndGet();
                throw new SourceChangedException("the version changed (injected)");
            }
        };
        byte[] b = new byte[3];
        assertThat(in.read(b)).isEqualTo(3);
        IOException first = org.junit.jupiter.api.Assertions.assertThrows(SourceChangedException.class, () -> in.read(b));
        assertThatThrownBy(() -> in.read(b)).isSameAs(first);
        assertThatThrownBy(in::read).isSameAs(first);
        assertThat(completions).hasValue(1);
    }

    @Test
    void closeReleasesOnceSayingWhetherTheRangeWasCompleteAndLaterReadsFail() throws IOException {
        var releases = new StringBuilder();
        var in = new RangeInputStream("range", 4) {
            @Override
            protected int readUpstream(byte[] b, int off, int len) {
                return 1;
            }

            @Override
            protected void release(boolean complete) {
                releases.append(complete);
            }
        };
        in.read();
        in.close();
        in.close();
        assertThat(releases).hasToString("false");
        assertThatThrownBy(in::read).isInstanceOf(IOException.class).hasMessageContaining("range: stream closed");
        var done = RangeInputStream.of("done", 2, new ByteArrayInputStream(new byte[2]));
        done.readAllBytes();
        done.close();
    }

    @Test
    void anUpstreamThatReadsMoreThanAskedIsABug() {
        var in = new RangeInputStream("range", 10) {
            @Override
            protected int readUpstream(byte[] b, int off, int len) {
                return len + 1;
            }
        };
        assertThatThrownBy(() -> in.read(new byte[20], 0, 4)).isInstanceOf(IllegalStateException.class);
    }
}
