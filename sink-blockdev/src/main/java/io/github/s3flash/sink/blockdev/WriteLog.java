package io.github.s3flash.sink.blockdev;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * SHA-256 of what a target was asked to write since the last verification, per contiguous run of
 * offsets, so that read-back verification needs no copy of the data. The pipeline writes one run from
 * offset 0 upwards; random writes make more runs. A write over part of an earlier run replaces that
 * run: what is verified is the last write to each byte that still forms a run.
 */
final class WriteLog {

    private static final byte[] ZEROS = new byte[64 << 10];

    /** One contiguous range and the hash of the bytes written to it, in order. */
    static final class Run {
        final long start;
        long end;
        final MessageDigest sha256;

        Run(long start) {
            this.start = start;
            this.end = start;
            this.sha256 = newDigest();
        }
    }

    private final TreeMap<Long, Run> runs = new TreeMap<>();

    void data(long offset, ByteBuffer data) {
        Run run = runAt(offset, data.remaining());
        run.end += data.remaining();
        run.sha256.update(data.duplicate());
    }

    void zeros(long offset, long length) {
        Run run = runAt(offset, length);
        run.end += length;
        for (long done = 0; done < length; done += ZEROS.length) {
            run.sha256.update(ZEROS, 0, (int) Math.min(ZEROS.length, length - done));
        }
    }

    /** The runs recorded so far, in offset order; the log is empty afterwards. */
    List<Run> drain() {
        List<Run> all = new ArrayList<>(runs.values());
        runs.clear();
        return all;
    }

    private Run runAt(long offset, long length) {
        long end = offset + length;
        Run before = null;
        // Runs are disjoint, so in descending start order their ends descend too.
        for (Iterator<Map.Entry<Long, Run>> it = runs.headMap(end, false).descendingMap().entrySet().iterator();
                it.hasNext(); ) {
            Run r = it.next().getValue();
            if (r.end <= offset) {
                before = r;
                break;
            }
            it.remove();
        }
        if (before != null && before.end == offset) {
            return before;
        }
        Run run = new Run(offset);
        runs.put(offset, run);
        return run;
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
