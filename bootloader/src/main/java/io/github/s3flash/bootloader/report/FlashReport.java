package io.github.s3flash.bootloader.report;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.ChunkCounts;
import io.github.s3flash.bootloader.ExitCode;
import java.time.Duration;
import java.util.List;

/**
 * The final report of one flash, whatever its outcome: what was flashed from where, how far it got,
 * how long it took and how it ended. Fields that were never learnt (a refusal before the image was
 * opened knows no version) are null, and are written as JSON null.
 *
 * @param outcome how it ended: flashed, refused, failed, verification-failed, usage, internal-error
 * @param exitCode the exit code of the command that ran the flash
 * @param error what went wrong, as the console said it; null when flashed
 * @param source the image location, redacted (no user info, no query); null when it did not parse
 * @param target the device or file written
 * @param version the version the image was pinned to (ETag, generation, ...)
 * @param codec the codec that decoded the image
 * @param trust what vouched for the image's bytes before it was called flashed: {@code signature} (an
 *     indexed image signed by a trusted key), {@code image-digest} (its pinned digest), {@code sha256}
 *     (the SHA-256 given by the operator matched), {@code none} (an indexed image checked against its
 *     own manifest only), or null when nothing did
 * @param imageBytes the decoded image's length when known before decoding
 * @param compressedBytes the source object's length when known
 * @param bytesWritten image bytes handed to the target (zero ranges included)
 * @param bytesZero of those, bytes written as all-zero ranges; null when not known
 * @param bytesSkipped of those, bytes the target already held and that were not written again;
 *     null when not known
 * @param bytesFetched compressed bytes read from the source
 * @param toFirstByte from the start of the command to the first byte written; null when nothing was
 * @param total from the start of the command to the end of the flash
 * @param sha256 SHA-256 (hex) of the image as written, when the whole image was written
 * @param writingStarted whether the target's old contents were touched
 * @param trustDetail what the trust rests on (the signer, the pinned digest), or null
 * @param chunks what was done with an indexed image's chunks, or null (a plain image, or a flash that
 *     did not finish)
 * @param warnings what failed after the image was durable, one sentence each
 */
public record FlashReport(String outcome, int exitCode, String error, String source, String target, String version,
        String codec, String trust, Long imageBytes, Long compressedBytes, long bytesWritten, Long bytesZero,
        Long bytesSkipped, long bytesFetched, Duration toFirstByte, Duration total, String sha256,
        boolean writingStarted, String trustDetail, ChunkCounts chunks, List<String> warnings) {

    public FlashReport {
        warnings = List.copyOf(warnings);
        requireNonNull(outcome, "outcome");
        requireNonNull(total, "total");
        if (bytesWritten < 0 || bytesFetched < 0) {
            throw new IllegalArgumentException("negative byte counts: written " + bytesWritten + ", fetched "
                    + bytesFetched);
        }
    }

    /** The outcome named by an exit code of {@code s3flash flash} (see {@link ExitCode}). */
    public static String outcomeOf(int exitCode) {
        return switch (exitCode) {
            case ExitCode.OK -> "flashed";
            case ExitCode.USAGE -> "usage";
            case ExitCode.REFUSED -> "refused";
            case ExitCode.FAILED_AFTER_WRITE -> "failed";
            case ExitCode.VERIFICATION_FAILED -> "verification-failed";
            default -> "internal-error";
        };
    }

    /** The report as one JSON object on one line. */
    public String toJson() {
        return toJsonObject().toString();
    }

    /** The report as a JSON object, to stand alone or inside another (boot mode's reports). */
    public JsonObject toJsonObject() {
        var bytes = new JsonObject()
                .put("image", imageBytes)
                .put("compressed", compressedBytes)
                .put("written", bytesWritten)
                .put("zero", bytesZero)
                .put("skipped", bytesSkipped)
                .put("fetched", bytesFetched);
        var seconds = new JsonObject();
        if (toFirstByte == null) {
            seconds.putNull("to_first_byte");
        } else {
            seconds.put("to_first_byte", seconds(toFirstByte));
        }
        seconds.put("total", seconds(total));
        // Rates over the whole command, as an operator reckons them from its start to its end.
        var rates = new JsonObject()
                .put("written", bytesWritten / Math.max(seconds(total), 1e-9) / 1e6)
                .put("fetched", bytesFetched / Math.max(seconds(total), 1e-9) / 1e6);
        var json = new JsonObject()
                .put("outcome", outcome)
                .put("exit_code", exitCode)
                .put("error", error)
                .put("source", source)
                .put("target", target)
                .put("version", version)
                .put("codec", codec)
                .put("trust", trust)
                .put("trust_detail", trustDetail)
                .put("writing_started", writingStarted)
                .put("bytes", bytes)
                .put("seconds", seconds)
                .put("rates_mb_per_s", rates)
                .put("sha256", sha256);
        if (chunks == null) {
            json.putNull("chunks");
        } else {
            json.put("chunks", new JsonObject().put("written", chunks.written()).put("identical", chunks.identical())
                    .put("zero", chunks.zero()));
        }
        return json.put("warnings", warnings);
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
