package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import java.util.Locale;

/**
 * The sink's options, read once when a target opens.
 *
 * @param create create (or truncate) a regular-file target that then grows ({@value #CREATE})
 * @param force write a block device even though it is mounted, swap or held ({@value #FORCE})
 * @param zero how zero ranges are written ({@value #ZERO})
 * @param skipIdentical read each chunk first and write it only when it differs ({@value #SKIP_IDENTICAL})
 * @param verify at {@code force()}, read the range written back with direct I/O and compare its SHA-256
 *     ({@value #VERIFY})
 * @param directIo {@code auto} (direct where the target supports it), {@code on} (refuse a target
 *     that does not), {@code off} ({@value #DIRECT_IO})
 * @param syncEvery on the buffered path, force after this many bytes, so dirty page cache stays
 *     bounded ({@value #SYNC_EVERY})
 */
record SinkOptions(boolean create, boolean force, ZeroMode zero, boolean skipIdentical, boolean verify,
        String directIo, long syncEvery) {

    static final String CREATE = "create";
    static final String FORCE = "force";
    static final String ZERO = "zero";
    static final String SKIP_IDENTICAL = "skip-identical";
    static final String VERIFY = "verify";
    static final String DIRECT_IO = "direct-io";
    static final String SYNC_EVERY = "sync-every";

    static SinkOptions from(Options options) throws InvalidOptionException {
        String direct = options.get(DIRECT_IO, "auto").trim().toLowerCase(Locale.ROOT);
        if (!direct.equals("auto") && !direct.equals("on") && !direct.equals("off")) {
            throw Options.invalid(DIRECT_IO, direct, "auto, on or off");
        }
        long syncEvery = options.getSize(SYNC_EVERY, 128L << 20, 1, Long.MAX_VALUE);
        return new SinkOptions(
                options.getBoolean(CREATE, false),
                options.getBoolean(FORCE, false),
                ZeroMode.parse(options.get(ZERO, ZeroMode.WRITE.option())),
                options.getBoolean(SKIP_IDENTICAL, false),
                options.getBoolean(VERIFY, false),
                direct,
                syncEvery);
    }
}
