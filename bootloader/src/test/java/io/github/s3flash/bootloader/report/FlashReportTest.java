package io.github.s3flash.bootloader.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.TargetGeometry;
import io.github.s3flash.api.VerificationFailedException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What the recorder makes of a flash's events, for each way a flash ends; read back by Python. */
class FlashReportTest {

    private static final URI SOURCE = URI.create("https://user:secret@images.example/os.img.lz4?X-Amz-Signature=abc");
    private static final Path TARGET = Path.of("/dev/vdb");
    private static final String HASH = "ab".repeat(32);

    private final AtomicLong clock = new AtomicLong(5_000_000_000L);
    private final FlashReportRecorder recorder = new FlashReportRecorder(clock::get);

    private void after(double seconds) {
        clock.addAndGet((long) (seconds * 1e9));
    }

    private void started(long decodedLength) {
        recorder.onEvent(new ProgressEvent.Started(new ImageInfo(SOURCE, 3_000_000, "\"etag-1\"", true, 4), "lz4",
                TARGET, new TargetGeometry(1L << 30, 512, 4096), decodedLength));
    }

    @Test
    void aFlashedImageReportsEverything() throws Exception {
        started(-1);
        after(1.5);
        recorder.onEvent(new ProgressEvent.WritingStarted(0));
        recorder.onEvent(new ProgressEvent.Progress(1_000_000, 4_194_304, 3_000_000, -1, Duration.ofSeconds(2)));
        after(2.5);
        var result = new FlashResult(SOURCE, "\"etag-1\"", "lz4", TARGET, new TargetGeometry(1L << 30, 512, 4096),
                3_000_000, 8_388_608, 4_194_304, Duration.ofSeconds(4), HASH, java.util.List.of());
        recorder.onEvent(new ProgressEvent.Finished(result));
        var leaves = JsonOracle.leaves(recorder.report(FlashReport.outcomeOf(0), 0, null, SOURCE, TARGET, HASH).toJson());
        assertThat(leaves)
                .containsEntry("outcome", "\"flashed\"")
                .containsEntry("exit_code", "0")
                .containsEntry("error", "null")
                .containsEntry("source", "\"https://\\u2026@images.example/os.img.lz4?\\u2026\"")
                .containsEntry("target", "\"/dev/vdb\"")
                .containsEntry("version", "\"\\\"etag-1\\\"\"")
                .containsEntry("codec", "\"lz4\"")
                .containsEntry("trust", "\"sha256\"")
                .containsEntry("writing_started", "true")
                .containsEntry("bytes.image", "null")
                .containsEntry("bytes.compressed", "3000000")
                .containsEntry("bytes.written", "8388608")
                .containsEntry("bytes.zero", "4194304")
                .containsEntry("bytes.skipped", "null")
                .containsEntry("bytes.fetched", "3000000")
                .containsEntry("seconds.to_first_byte", "1.5")
                .containsEntry("seconds.total", "4.0")
                .containsEntry("rates_mb_per_s.written", "2.097")
                .containsEntry("rates_mb_per_s.fetched", "0.75")
                .containsEntry("sha256", "\"" + HASH + "\"");
        assertThat(leaves.toString()).doesNotContain("secret").doesNotContain("X-Amz-Signature");
    }

    @Test
    void aRefusalBeforeTheImageOpenedKnowsOnlyWhatWasAsked() throws Exception {
        after(0.25);
        var error = new ImageNotFoundException("image s3://b/k does not exist");
        var leaves = JsonOracle.leaves(recorder.report(FlashReport.outcomeOf(3), 3, error, SOURCE, TARGET, null).toJson());
        assertThat(leaves)
                .containsEntry("outcome", "\"refused\"")
                .containsEntry("exit_code", "3")
                .containsEntry("error", "\"image s3://b/k does not exist\"")
                .containsEntry("source", "\"https://\\u2026@images.example/os.img.lz4?\\u2026\"")
                .containsEntry("version", "null")
                .containsEntry("codec", "null")
                .containsEntry("trust", "null")
                .containsEntry("writing_started", "false")
                .containsEntry("bytes.written", "0")
                .containsEntry("bytes.zero", "null")
                .containsEntry("seconds.to_first_byte", "null")
                .containsEntry("seconds.total", "0.25")
                .containsEntry("sha256", "null");
    }

    @Test
    void aFailureAfterWritingBeganReportsHowFarItGot() throws Exception {
        started(64L << 20);
        after(3);
        recorder.onEvent(new ProgressEvent.WritingStarted(0));
        recorder.onEvent(new ProgressEvent.Progress(2_000_000, 4_194_304, 3_000_000, 64L << 20, Duration.ofSeconds(1)));
        recorder.onEvent(new ProgressEvent.Progress(2_500_000, 8_388_608, 3_000_000, 64L << 20, Duration.ofSeconds(2)));
        after(1);
        var error = new FlashAbortedException("flash failed after 12582912 bytes were written: connection reset",
                12_582_912, new IOException("connection reset"));
        var leaves = JsonOracle.leaves(recorder.report(FlashReport.outcomeOf(4), 4, error, SOURCE, TARGET, null).toJson());
        assertThat(leaves)
                .containsEntry("outcome", "\"failed\"")
                .containsEntry("writing_started", "true")
                .containsEntry("version", "\"\\\"etag-1\\\"\"")
                .containsEntry("bytes.image", String.valueOf(64L << 20))
                .containsEntry("bytes.written", "12582912")
                .containsEntry("bytes.fetched", "2500000")
                .containsEntry("seconds.to_first_byte", "3.0")
                .containsEntry("seconds.total", "4.0")
                .containsEntry("sha256", "null");
    }

    @Test
    void aVerificationFailureReportsTheHashOfWhatWasWritten() throws Exception {
        started(-1);
        recorder.onEvent(new ProgressEvent.WritingStarted(0));
        String expected = "0".repeat(64);
        var error = new VerificationFailedException("image written has SHA-256 " + HASH + " but " + expected
                + " was expected", expected, HASH);
        var leaves = JsonOracle.leaves(recorder.report(FlashReport.outcomeOf(5), 5, error, SOURCE, TARGET, expected)
                .toJson());
        assertThat(leaves)
                .containsEntry("outcome", "\"verification-failed\"")
                .containsEntry("trust", "\"sha256\"")
                .containsEntry("sha256", "\"" + HASH + "\"");
    }

    @Test
    void aCrashIsReportedWithItsExceptionType() throws Exception {
        var leaves = JsonOracle.leaves(recorder.report(FlashReport.outcomeOf(1), 1, new IllegalStateException("bug"),
                null, null, null).toJson());
        assertThat(leaves)
                .containsEntry("outcome", "\"internal-error\"")
                .containsEntry("error", "\"java.lang.IllegalStateException: bug\"")
                .containsEntry("source", "null")
                .containsEntry("target", "null");
    }
}
