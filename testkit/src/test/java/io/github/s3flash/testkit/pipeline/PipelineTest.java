package io.github.s3flash.testkit.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.internal.Pipeline;
import io.github.s3flash.testkit.MemoryDisk;
import io.github.s3flash.testkit.MemorySink;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The stages on their own, where a flash cannot reach: an {@link Error} in the hash stage (a digest
 * that throws), and what {@link Pipeline#run} promises on return — every stage ended, the decoder
 * opened and closed by the decode thread alone, once, whatever happened.
 */
class PipelineTest {

    private static final Path DISK = Path.of("/memory/pipeline");
    private static final Set<String> STAGES = Set.of("s3flash-decode", "s3flash-hash", "s3flash-write");

    private final long seed = Seeds.next();
    private final Random random = new Random(seed);

    /** A SHA-256 that throws {@code failure} on its {@code n}th update. */
    private static MessageDigest failingDigest(int n, Error failure) throws NoSuchAlgorithmException {
        MessageDigest real = MessageDigest.getInstance("SHA-256");
        return new MessageDigest("SHA-256") {
            private int updates;

            @Override
            protected void engineUpdate(byte input) {
                real.update(input);
            }

            @Override
            protected void engineUpdate(byte[] input, int offset, int len) {
                if (++updates == n) {
                    throw failure;
                }
                real.update(input, offset, len);
            }

            @Override
            protected void engineUpdate(java.nio.ByteBuffer input) {
                if (++updates == n) {
                    throw failure;
                }
                real.update(input);
            }

            @Override
            protected byte[] engineDigest() {
                return real.digest();
            }

            @Override
            protected void engineReset() {
                real.reset();
            }
        };
    }

    private record Run(Pipeline pipeline, BlockTarget target, List<String> opened, List<String> closed) {}

    private static Run pipeline(MemoryDisk disk, MessageDigest digest) throws IOException {
        BlockTarget target = new MemorySink().attach(DISK, disk).open(DISK, Options.empty());
        var settings = PipelineSettings.from(Options.of(Map.of("chunk-size", "65536", "buffers", "3")));
        var pipeline = new Pipeline(URI.create("file:/image"), target, settings, ProgressListener.NONE, () -> 0, -1, -1,
                System.nanoTime(), digest);
        return new Run(pipeline, target, new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    }

    private static Pipeline.Decoder decoder(Run run, byte[] image) {
        return () -> {
            run.opened().add(Thread.currentThread().getName());
            return new FilterInputStream(new ByteArrayInputStream(image)) {
                @Override
                public void close() throws IOException {
                    run.closed().add(Thread.currentThread().getName());
                    super.close();
                }
            };
        };
    }

    private static Set<String> stagesAlive() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(STAGES::contains).collect(Collectors.toSet());
    }

    @Test
    void anErrorInTheHashStageIsThrownAsItIsAfterEveryStageEnded() throws Exception {
        for (int n : new int[] {1, 5}) {
            MemoryDisk disk = MemoryDisk.noise(8 << 20, 512, seed);
            Run run = pipeline(disk, failingDigest(n, new OutOfMemoryError("test: hash " + n)));
            byte[] image = TestImages.random(random, 2 << 20);
            assertThatThrownBy(() -> run.pipeline().run(decoder(run, image)))
                    .isExactlyInstanceOf(OutOfMemoryError.class).hasMessage("test: hash " + n);
            assertThat(stagesAlive()).as("update " + n).isEmpty();
            if (n == 1) {
                assertThat(run.pipeline().writingStarted()).as("no chunk got past the hash stage").isFalse();
            }
            assertEndedCleanly(run, disk);
        }
    }

    /** The decoder opened and closed by the decode thread, once each; the target used by the contract. */
    private static void assertEndedCleanly(Run run, MemoryDisk disk) throws IOException {
        assertThat(run.opened()).containsExactly("s3flash-decode");
        assertThat(run.closed()).containsExactly("s3flash-decode");
        run.target().close();
        assertThat(disk.violations()).isEmpty();
    }

    @Test
    void onSuccessEveryStageHasEndedAndTheDecoderWasClosedByItsThread() throws Exception {
        MemoryDisk disk = MemoryDisk.noise(8 << 20, 4096, seed);
        Run run = pipeline(disk, MessageDigest.getInstance("SHA-256"));
        byte[] image = TestImages.diskLike(random, (3 << 20) + 1234);
        Pipeline.Outcome outcome = run.pipeline().run(decoder(run, image));
        assertThat(stagesAlive()).isEmpty();
        assertThat(outcome.digest()).as(Seeds.describe(seed)).isEqualTo(TestImages.sha256(image));
        assertThat(outcome.bytesWritten()).isEqualTo(image.length);
        assertThat(disk.bytes(0, image.length)).as(Seeds.describe(seed)).isEqualTo(image);
        assertEndedCleanly(run, disk);
    }

    @Test
    void aDecoderThatFailsToCloseAfterTheWholeImageIsAWarning() throws Exception {
        MemoryDisk disk = MemoryDisk.noise(8 << 20, 512, seed);
        Run run = pipeline(disk, MessageDigest.getInstance("SHA-256"));
        byte[] image = TestImages.random(random, 100_000);
        Pipeline.Outcome outcome = run.pipeline().run(() -> new FilterInputStream(new ByteArrayInputStream(image)) {
            @Override
            public void close() throws IOException {
                throw new IOException("native context already freed");
            }
        });
        assertThat(outcome.warnings()).singleElement().asString().contains("closing the decoder")
                .contains("native context already freed");
        assertThat(disk.bytes(0, image.length)).isEqualTo(image);
        run.target().close();
    }
}
