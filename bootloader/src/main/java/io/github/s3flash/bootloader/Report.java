package io.github.s3flash.bootloader;

import io.github.s3flash.api.FlashResult;
import io.github.s3flash.bootloader.report.FlashReportRecorder;
import java.io.PrintWriter;

/** The final report of a flash, one fact per line so logs and scripts can read it. */
final class Report {

    private Report() {}

    static void print(PrintWriter out, FlashResult r) {
        out.println("flashed " + io.github.s3flash.api.ImageLocations.redact(r.source()) + " onto " + r.target());
        out.println("  codec:         " + r.codec());
        out.println("  version:       " + r.sourceVersion());
        out.println("  image bytes:   " + r.bytesWritten() + " (" + ProgressPrinter.human(r.bytesWritten()) + ")");
        out.println("  read bytes:    " + r.bytesRead() + " (" + ProgressPrinter.human(r.bytesRead()) + ")");
        out.println("  zero chunks:   " + r.bytesZeroRanges() + " bytes");
        if (r.chunks() != null) {
            out.println("  chunks:        " + r.chunks().total() + ": " + r.chunks().written() + " written, "
                    + r.chunks().identical() + " identical (not fetched), " + r.chunks().zero() + " zero (not fetched)");
            out.println("  identical:     " + r.bytesIdentical() + " bytes the target already held");
        }
        if (r.trust() != null) {
            out.println("  trust:         " + FlashReportRecorder.trust(r, null) + ": " + r.trust().detail());
        }
        out.println("  time:          " + FlashCommand.describe(r.elapsed()));
        out.println("  rate:          " + String.format("%.1f MB/s", r.megabytesPerSecond()));
        out.println("  sha256:        " + (r.sha256() != null ? r.sha256()
                : "not computed (every chunk was checked against the manifest before it was written)"));
        if (r.partialBlockBytes() > 0) {
            int sector = r.geometry().logicalBlockSize();
            out.println("  last sector:   " + r.partialBlockBytes() + " of its " + sector + " bytes from the image"
                    + " (read, changed, written whole); the other " + (sector - r.partialBlockBytes())
                    + " kept what they held");
        }
        for (String warning : r.warnings()) {
            out.println("  warning:       " + warning);
        }
        out.flush();
    }
}
