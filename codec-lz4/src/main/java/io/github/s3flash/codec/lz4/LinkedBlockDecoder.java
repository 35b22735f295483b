package io.github.s3flash.codec.lz4;

/**
 * Decodes one LZ4 block whose matches may reach back into earlier output (the frame format's linked
 * blocks, {@code lz4 -BD}). lz4-java's decompressors take no dictionary, so linked blocks are decoded
 * here, in Java, with every read and write bounds-checked: malformed input ends in {@link
 * MalformedBlockException}, never in an out-of-bounds access.
 */
final class LinkedBlockDecoder {

    private static final int MIN_MATCH = 4;

    /** A block that cannot be decoded; the caller turns it into a corrupt-image error with its offset. */
    static final class MalformedBlockException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedBlockException(String message) {
            super(message, null, false, false);
        }
    }

    private LinkedBlockDecoder() {}

    /**
     * Decodes {@code src[srcOff, srcOff + srcLen)} into {@code dst} from {@code dstOff}, writing
     * below {@code dstLimit}; matches may refer back to {@code windowStart} (the first byte of the
     * history kept before {@code dstOff}).
     *
     * @return the number of bytes decoded
     */
    static int decode(byte[] src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstLimit, int windowStart)
            throws MalformedBlockException {
        int sp = srcOff;
        int sEnd = srcOff + srcLen;
        int dp = dstOff;
        while (true) {
            if (sp >= sEnd) {
                throw new MalformedBlockException("block ends before its last sequence");
            }
            int token = src[sp++] & 0xFF;

            int literals = token >>> 4;
            if (literals == 15) {
                int b;
                do {
                    if (sp >= sEnd) {
                        throw new MalformedBlockException("block ends inside a literal length");
                    }
                    b = src[sp++] & 0xFF;
                    literals += b;
                } while (b == 255 && literals < Integer.MAX_VALUE - 255);
            }
            if (literals > sEnd - sp) {
                throw new MalformedBlockException("literal run of " + literals + " bytes overruns the block");
            }
            if (literals > dstLimit - dp) {
                throw new MalformedBlockException("block decodes to more than the frame's block size");
            }
            System.arraycopy(src, sp, dst, dp, literals);
            sp += literals;
            dp += literals;

            if (sp == sEnd) {
                // The last sequence has literals only.
                return dp - dstOff;
            }
            if (sEnd - sp < 2) {
                throw new MalformedBlockException("block ends inside a match offset");
            }
            int offset = (src[sp] & 0xFF) | (src[sp + 1] & 0xFF) << 8;
            sp += 2;
            if (offset == 0 || offset > dp - windowStart) {
                throw new MalformedBlockException("match offset " + offset + " points before the start of the window");
            }

            int length = token & 0x0F;
            if (length == 15) {
                int b;
                do {
                    if (sp >= sEnd) {
                        throw new MalformedBlockException("block ends inside a match length");
                    }
                    b = src[sp++] & 0xFF;
                    length += b;
                } while (b == 255 && length < Integer.MAX_VALUE - 255);
            }
            length += MIN_MATCH;
            if (length > dstLimit - dp) {
                throw new MalformedBlockException("block decodes to more than the frame's block size");
            }
            int from = dp - offset;
            if (offset >= length) {
                System.arraycopy(dst, from, dst, dp, length);
                dp += length;
            } else {
                // Overlapping copy, a run repeating the last `offset` bytes: copy what is already
                // repeated, doubling each time, so that long zero runs cost a few arraycopy calls.
                int end = dp + length;
                while (dp < end) {
                    int n = Math.min(dp - from, end - dp);
                    System.arraycopy(dst, from, dst, dp, n);
                    dp += n;
                }
            }
        }
    }
}
