package io.github.s3flash.bootloader;

import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a flash's progress: a bar with rate and ETA redrawn in place on a terminal; otherwise
 * (serial console, journal, pipe) one plain line every few seconds. Thread-safe.
 */
final class ProgressPrinter implements ProgressListener {

    enum Mode { auto, bar, log, none }

    private final PrintWriter err;
    private final boolean bar;
    private final boolean silent;
    private final long intervalNanos;
    private long lastPrint;
    private boolean printedProgress;
    private boolean barDrawn;

    ProgressPrinter(PrintWriter err, Mode mode, Duration interval) {
        this.err = err;
        boolean terminal = System.console() != null && System.console().isTerminal();
        this.bar = mode == Mode.bar || (mode == Mode.auto && terminal);
        this.silent = mode == Mode.none;
        this.intervalNanos = bar ? 200_000_000L : interval.toNanos();
    }

    @Override
    public synchronized void onEvent(ProgressEvent event) {
        if (silent) {
            return;
        }
        switch (event) {
            case ProgressEvent.Started s -> line(String.format(Locale.ROOT,
                    "flashing %s (%s, %s, %s, version %s) onto %s (%s, %d-byte sectors)",
                    io.github.s3flash.api.ImageLocations.redact(s.image().location()), s.codec(),
                    s.image().lengthKnown() ? human(s.image().length()) + " compressed" : "length unknown",
                    s.decodedLength() >= 0 ? human(s.decodedLength()) + " decoded"
                            : "decoded size not recorded, so progress is reckoned from the compressed bytes",
                    s.image().version(), s.target(),
                    s.geometry().capacity() == Long.MAX_VALUE ? "a file that grows" : human(s.geometry().capacity()),
                    s.geometry().logicalBlockSize()));
            case ProgressEvent.WritingStarted w -> line("writing started: the target no longer holds its old contents");
            case ProgressEvent.Retrying r -> line(String.format(Locale.ROOT,
                    "retrying read at byte %d (attempt %d, in %d ms): %s",
                    r.offset(), r.attempt(), r.delay().toMillis(), r.cause()));
            case ProgressEvent.Progress p -> progress(p);
            case ProgressEvent.Finished f -> {}
        }
    }

    private void progress(ProgressEvent.Progress p) {
        long now = System.nanoTime();
        if (printedProgress && now - lastPrint < intervalNanos) {
            return;
        }
        printedProgress = true;
        lastPrint = now;
        Reckoning r = Reckoning.of(p);
        double seconds = Math.max(p.elapsed().toNanos(), 1) / 1e9;
        double rate = p.bytesWritten() / seconds;
        String eta = r.fraction() > 0 && r.fraction() < 1
                ? ", ETA " + clock(seconds * (1 - r.fraction()) / r.fraction()) : "";
        String amounts = switch (r.basis()) {
            case IMAGE -> String.format(Locale.ROOT, "%s of %s written, %s read", human(p.bytesWritten()),
                    human(p.decodedLength()), human(p.bytesRead()));
            case COMPRESSED -> String.format(Locale.ROOT, "%s written, %s of %s compressed read",
                    human(p.bytesWritten()), human(p.bytesRead()), human(p.compressedLength()));
            case NONE -> String.format(Locale.ROOT, "%s written, %s read", human(p.bytesWritten()), human(p.bytesRead()));
        };
        String text = String.format(Locale.ROOT, "%s, %.1f MB/s, %s elapsed%s", amounts, rate / 1e6, clock(seconds), eta);
        if (bar) {
            int width = 30;
            String gauge = "";
            if (r.basis() != Reckoning.Basis.NONE) {
                int filled = (int) Math.min(width, Math.round(r.fraction() * width));
                gauge = "[" + "#".repeat(filled) + " ".repeat(width - filled) + "] " + r.percent() + " ";
            }
            err.print("\r" + gauge + text + "   ");
            barDrawn = true;
            err.flush();
        } else {
            line("progress: " + (r.basis() == Reckoning.Basis.NONE ? "" : r.percent() + ", ") + text);
        }
    }

    /**
     * How far a flash is, and measured by what: the image bytes written when the decoded length is
     * known (raw images, lz4 frames that record their content size), else the compressed bytes read,
     * which run ahead of the image wherever it compresses well (a disk's zero tail costs almost no
     * compressed bytes): the percentage then says that it is of the compressed image.
     */
    record Reckoning(Basis basis, double fraction) {

        enum Basis { IMAGE, COMPRESSED, NONE }

        static Reckoning of(ProgressEvent.Progress p) {
            if (p.decodedLength() > 0) {
                return new Reckoning(Basis.IMAGE, Math.min(1, (double) p.bytesWritten() / p.decodedLength()));
            }
            if (p.compressedLength() > 0) {
                return new Reckoning(Basis.COMPRESSED, Math.min(1, (double) p.bytesRead() / p.compressedLength()));
            }
            return new Reckoning(Basis.NONE, -1);
        }

        String percent() {
            String shown = String.format(Locale.ROOT, "%.1f%%", fraction * 100);
            return basis == Basis.COMPRESSED ? shown + " of the compressed image" : shown;
        }
    }

    private void line(String text) {
        if (barDrawn) {
            err.println();
            barDrawn = false;
        }
        err.println("s3flash: " + text);
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

    static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
