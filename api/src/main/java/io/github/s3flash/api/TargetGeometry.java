package io.github.s3flash.api;

/**
 * Size and block sizes of an open target.
 *
 * @param capacity bytes the target can hold
 * @param logicalBlockSize the smallest unit the device addresses (512 or 4096 on disks, 1 for a file
 *     that may grow)
 * @param physicalBlockSize the unit the device writes internally; writes aligned to it are fastest
 */
public record TargetGeometry(long capacity, int logicalBlockSize, int physicalBlockSize) {

    public TargetGeometry {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0: " + capacity);
        }
        if (logicalBlockSize < 1 || Integer.bitCount(logicalBlockSize) != 1) {
            throw new IllegalArgumentException("logicalBlockSize must be a power of two: " + logicalBlockSize);
        }
        if (physicalBlockSize < logicalBlockSize || Integer.bitCount(physicalBlockSize) != 1) {
            throw new IllegalArgumentException(
                    "physicalBlockSize must be a power of two >= logicalBlockSize: " + physicalBlockSize);
        }
    }
}
