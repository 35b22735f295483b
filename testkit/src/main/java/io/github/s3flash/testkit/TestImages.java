package io.github.s3flash.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * Seeded test images that look like disks: runs of random bytes, of compressible text-like bytes and
 * of zeros, with sizes chosen to fall just off buffer and block boundaries.
 */
public final class TestImages {

    private TestImages() {}

    /** An image of {@code size} bytes: random, repetitive and zero runs interleaved. */
    public static byte[] diskLike(Random random, int size) {
        byte[] image = new byte[size];
        int at = 0;
        while (at < size) {
            int run = Math.min(size - at, 1 + random.nextInt(random.nextBoolean() ? 4096 : 300_000));
            switch (random.nextInt(3)) {
                case 0 -> {} // zeros
                case 1 -> {
                    byte[] noise = new byte[run];
                    random.nextBytes(noise);
                    System.arraycopy(noise, 0, image, at, run);
                }
                default -> {
                    byte[] word = new byte[1 + random.nextInt(64)];
                    random.nextBytes(word);
                    for (int i = 0; i < run; i++) {
                        image[at + i] = word[i % word.length];
                    }
                }
            }
            at += run;
        }
        return image;
    }

    /**
     * Disk-like bytes in chunks of {@code chunk} whose first {@code 1 + (c + shift) % 3} MiB (chunk c),
     * or one byte fewer at random, are zeros before the data goes on, as a file system's empty block
     * group lies before the next one's metadata: the chunks an image writer reading 1 MiB at a time
     * must not mistake for zeros or lose a slice of. {@code chunk} holds at least 4 MiB.
     */
    public static byte[] chunksBeginningWithZeros(Random random, int size, int chunk, int shift) {
        int mib = 1 << 20;
        if (chunk < 4 * mib) {
            throw new IllegalArgumentException("chunks of " + chunk + " bytes hold fewer than 4 MiB");
        }
        byte[] image = diskLike(random, size);
        for (int from = 0, c = 0; from < size; from += chunk, c++) {
            int zeros = (1 + (c + shift) % 3) * mib - (random.nextBoolean() ? 1 : 0);
            Arrays.fill(image, from, Math.min(size, from + zeros), (byte) 0);
            if (from + zeros < size) {
                image[from + zeros] = (byte) (1 + random.nextInt(255));
            }
        }
        return image;
    }

    /**
     * Writes {@code image} to a new {@code file} as a sparse file: each run of its 4 KiB blocks that are
     * not all zeros is written, each all-zero block is left a hole, and the last byte is written when
     * the file would end in one (so the length is the image's), as file system images on disk often are.
     */
    public static Path writeSparse(Path file, byte[] image) throws IOException {
        int block = 4096;
        byte[] zeros = new byte[block];
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int run = -1; // where the run of data blocks being gathered began, or -1
            for (int at = 0; at < image.length; at += block) {
                int n = Math.min(block, image.length - at);
                boolean data = Arrays.mismatch(image, at, at + n, zeros, 0, n) >= 0;
                if (data && run < 0) {
                    run = at;
                } else if (!data && run >= 0) {
                    out.write(ByteBuffer.wrap(image, run, at - run), run);
                    run = -1;
                }
            }
            if (run >= 0) {
                out.write(ByteBuffer.wrap(image, run, image.length - run), run);
            }
            if (out.size() < image.length) {
                out.write(ByteBuffer.wrap(image, image.length - 1, 1), image.length - 1);
            }
        }
        return file;
    }

    /** Incompressible bytes. */
    public static byte[] random(Random random, int size) {
        byte[] image = new byte[size];
        random.nextBytes(image);
        return image;
    }

    /**
     * Sizes that stress boundaries: 0, 1, and each of {@code boundaries} minus one, exactly, plus
     * one, and a few random sizes up to {@code max}.
     */
    public static List<Integer> boundarySizes(Random random, int max, int... boundaries) {
        List<Integer> sizes = new ArrayList<>(List.of(0, 1));
        for (int b : boundaries) {
            for (int s : new int[] {b - 1, b, b + 1, 2 * b + 1}) {
                if (s > 0 && s <= max) {
                    sizes.add(s);
                }
            }
        }
        for (int i = 0; i < 3; i++) {
            sizes.add(1 + random.nextInt(max));
        }
        return sizes;
    }

    public static String sha256(byte[] data) {
        return sha256(data, 0, data.length);
    }

    public static String sha256(byte[] data, int offset, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, offset, length);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
