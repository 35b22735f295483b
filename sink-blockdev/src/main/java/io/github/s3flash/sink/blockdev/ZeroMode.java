package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import java.util.Locale;

/** How {@link io.github.s3flash.api.BlockTarget#zero} makes a range read as zeros (option {@code zero}). */
enum ZeroMode {
    /** Write zeros, like any other data. Works everywhere; the default. */
    WRITE("write"),
    /**
     * Let the kernel zero the range: {@code BLKZEROOUT} on a block device (the device's write-zeroes
     * command where it has one, zero pages otherwise), {@code fallocate(ZERO_RANGE)} on a file.
     */
    ZEROOUT("zeroout"),
    /** Read the range first and write zeros only where it does not already read as zeros. */
    SKIP_IF_ZERO("skip-if-zero"),
    /**
     * Deallocate: punch a hole in a file (sparse output); on a block device {@code
     * fallocate(PUNCH_HOLE)}, which the kernel only does with a command that guarantees zeros.
     */
    PUNCH("punch");

    private final String option;

    ZeroMode(String option) {
        this.option = option;
    }

    String option() {
        return option;
    }

    static ZeroMode parse(String value) throws InvalidOptionException {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (ZeroMode mode : values()) {
            if (mode.option.equals(v)) {
                return mode;
            }
        }
        throw Options.invalid(SinkOptions.ZERO, value, "write, zeroout, skip-if-zero or punch");
    }
}
