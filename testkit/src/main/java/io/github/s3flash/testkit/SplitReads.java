package io.github.s3flash.testkit;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

/**
 * An input stream that returns fewer bytes than asked, as networks do: every read is cut to a
 * random length (or to one byte), so decoders meet every split of their input.
 */
public final class SplitReads extends FilterInputStream {

    private final Random random;
    private final int maxRead;

    private SplitReads(InputStream in, Random random, int maxRead) {
        super(in);
        this.random = random;
        this.maxRead = maxRead;
    }

    /** Reads of random lengths from 1 to {@code maxRead}. */
    public static InputStream random(InputStream in, Random random, int maxRead) {
        return new SplitReads(in, random, maxRead);
    }

    /** Reads of exactly one byte. */
    public static InputStream oneByte(InputStream in) {
        return new SplitReads(in, null, 1);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int cut = random == null ? 1 : 1 + random.nextInt(maxRead);
        return super.read(b, off, Math.min(len, cut));
    }

    @Override
    public long skip(long n) throws IOException {
        return super.skip(Math.min(n, 1));
    }

    @Override
    public int available() {
        return 0;
    }
}
