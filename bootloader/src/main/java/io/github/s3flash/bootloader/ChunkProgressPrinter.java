package io.github.s3flash.bootloader;

import io.github.s3flash.api.index.ChunkProgress;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows how far {@code s3flash image create} or {@code verify} has got, the way the flash shows its
 * progress: a bar with rate and ETA on a terminal, else a line every few seconds. Thread-safe.
 */
final class ChunkProgressPrinter implements ChunkProgress {

    private final PrintWriter err;
    private final boolean bar;
    private final boolean silent;
    private final long intervalNanos;
    private final long imageLength;
    private final String objectVerb;
    private final long start = System.nanoTime();
    /** The first line comes one interval after the start, when the rate means something. */
    private long lastPrint = start;
    private boolean barDrawn;

    /**
     * @param imageLength the image's length when known, else -1 (then no percentage or ETA)
     * @param objectVerb what happens to the indexed image's bytes: "written", "read"
     */
    ChunkProgressPrinter(PrintWriter err, ProgressPrinter.Mode mode, Duration interval, long imageLength,
            String objectVerb) {
        this.err = err;
        boolean terminal = System.console() != null && System.console().isTerminal();
        this.bar = mode == ProgressPrinter.Mode.bar || (mode == ProgressPrinter.Mode.auto && terminal);
        this.silent = mode == ProgressPrinter.Mode.none;
        this.intervalNanos = bar ? 200_000_000L : interval.toNanos();
        this.imageLength = imageLength;
        this.objectVerb = objectVerb;
    }

    @Override
    public synchronized void onProgress(long imageBytes, long objectBytes) {
        long now = System.nanoTime();
        if (silent || now - lastPrint < intervalNanos) {
            return;
        }
        lastPrint = now;
        double seconds = Math.max(now - start, 1) / 1e9;
        double fraction = imageLength > 0 ? (double) imageBytes / imageLength : -1;
        String eta = fraction > 0 && fraction < 1 ? " ETA " + ProgressPrinter.clock(seconds * (1 - fraction) / fraction) : "";
        String text = String.format(Locale.ROOT, "%s of the image, %s %s, %.1f MB/s, %s elapsed%s",
                ProgressPrinter.human(imageBytes), ProgressPrinter.human(objectBytes), objectVerb,
                imageBytes / seconds / 1e6, ProgressPrinter.clock(seconds), eta);
        if (bar) {
            int width = 30;
            int filled = fraction < 0 ? 0 : (int) Math.min(width, Math.round(fraction * width));
            String gauge = fraction < 0 ? "" : "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] "
                    + String.format(Locale.ROOT, "%3d%% ", Math.round(fraction * 100));
            err.print("\r" + gauge + text + "   ");
            barDrawn = true;
        } else {
            err.println("s3flash: progress: " + (fraction >= 0 ? String.format(Locale.ROOT, "%.1f%%, ", fraction * 100)
                    : "") + text);
        }
        err.flush();
    }

    /** Ends an in-place bar so the next output starts on a fresh line. */
    synchronized void finish() {
        if (barDrawn) {
            err.println();
            err.flush();
            barDrawn = false;
        }
    }
}
