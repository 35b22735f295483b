package io.github.s3flash.api.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.s3flash.api.CorruptImageException;
import io.github.s3flash.api.RetryPolicy;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the footer and manifest parsers through {@link IndexedImage#open}: valid objects
 * mutated at random (bytes flipped, fields set to extreme values with the footer's CRC and digest
 * fixed up so the deeper checks are reached, truncated, appended to, footers pointing anywhere). Every
 * outcome is "no index", a consistent index, or a {@link CorruptImageException} naming an offset;
 * never an unchecked exception. The seed is printed on failure; {@code -Ds3flash.seed=N} replays it.
 */
class IndexParsingFuzzTest {

    private static final int ROUNDS = 20_000;

    private static long seed() {
        String fixed = System.getProperty("s3flash.seed");
        return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
    }

    private static String replay(long seed, int round) {
        return "seed " + seed + ", round " + round + " (replay with -Ds3flash.seed=" + seed + ")";
    }

    @Test
    void mutatedObjectsNeverEscapeAsUncheckedExceptions() throws IOException {
        long seed = seed();
        var random = new Random(seed);
        int accepted = 0;
        int refused = 0;
        int plain = 0;
        for (int round = 0; round < ROUNDS; round++) {
            IndexedObjects.Built built = IndexedObjects.random(random, 12, null);
            byte[] object = mutate(random, built);
            String where = replay(seed, round);
            try {
                Optional<IndexedImage> index = IndexedImage.open(new BytesImage(object), RetryPolicy.DEFAULT);
                if (index.isPresent()) {
                    checkConsistent(index.get(), object, where);
                    accepted++;
                } else {
                    plain++;
                }
            } catch (CorruptImageException e) {
                assertThat(e.getMessage()).as(where).startsWith("corrupt image mem:/object: ")
                        .contains("; re-create or re-upload the image");
                assertThat(e.offset()).as(where + ": " + e.getMessage()).isBetween(0L, (long) object.length);
                refused++;
            } catch (RuntimeException | Error e) {
                fail(where + ": unchecked " + e, e);
            }
        }
        // The mutations reach every outcome: a fuzzer that only ever hits the CRC proves little.
        assertThat(accepted).as("accepted, " + replay(seed, -1)).isGreaterThan(ROUNDS / 50);
        assertThat(refused).as("refused, " + replay(seed, -1)).isGreaterThan(ROUNDS / 2);
        assertThat(plain).as("no index, " + replay(seed, -1)).isGreaterThan(ROUNDS / 50);
    }

    @Test
    void randomManifestBytesNeverEscapeAsUncheckedExceptions() {
        long seed = seed();
        var random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            IndexedObjects.Built built = IndexedObjects.random(random, 6, null);
            byte[] manifest = built.manifest().clone();
            int edits = 1 + random.nextInt(4);
            for (int i = 0; i < edits && manifest.length > 0; i++) {
                setField(random, manifest, random.nextInt(manifest.length));
            }
            if (random.nextInt(8) == 0) {
                manifest = Arrays.copyOf(manifest, random.nextInt(manifest.length + 100));
            }
            try {
                Manifest m = Manifest.parse(manifest, 1000);
                long running = IndexFormat.HEAD_FRAME;
                for (Chunk c : m.chunks()) {
                    assertThat(c.compressedOffset()).as(replay(seed, round)).isEqualTo(running);
                    running += c.compressedLength();
                }
                assertThat(running).as(replay(seed, round)).isEqualTo(m.dataEnd());
            } catch (CorruptImageException e) {
                assertThat(e.offset()).as(replay(seed, round)).isBetween(1000L, 1000L + manifest.length);
            } catch (RuntimeException | Error e) {
                fail(replay(seed, round) + ": unchecked " + e, e);
            }
        }
    }

    /** One of the mutations, chosen at random. */
    private static byte[] mutate(Random random, IndexedObjects.Built built) {
        byte[] object = built.bytes().clone();
        int index = (int) built.manifestOffset();
        switch (random.nextInt(8)) {
            case 0 -> { // bytes flipped anywhere in the index
                for (int i = 1 + random.nextInt(8); i > 0; i--) {
                    object[index + random.nextInt(object.length - index)] ^= (byte) (1 + random.nextInt(255));
                }
            }
            case 1, 2 -> { // manifest fields set to extreme values, digest and CRC fixed up
                byte[] manifest = built.manifest().clone();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    setField(random, manifest, manifestField(random, manifest.length));
                }
                System.arraycopy(manifest, 0, object, index + IndexFormat.FRAME_HEADER, manifest.length);
                refooter(object, built.manifestOffset(), manifest.length, built.signatureLength(),
                        IndexFormat.sha256().digest(manifest));
            }
            case 3 -> { // footer fields set to extreme values, CRC fixed up
                int footer = object.length - IndexFormat.FOOTER_PAYLOAD;
                int[] fields = {8, 12, 16, 24, 28};
                setField(random, object, footer + fields[random.nextInt(fields.length)]);
                fixCrc(object);
            }
            case 4 -> object = Arrays.copyOf(object, random.nextInt(object.length + 1));
            case 5 -> {
                byte[] tail = new byte[1 + random.nextInt(1000)];
                random.nextBytes(tail);
                object = concat(object, tail);
            }
            case 6 -> { // a valid footer pointing anywhere in random bytes
                byte[] noise = new byte[random.nextInt(3000)];
                random.nextBytes(noise);
                long offset = random.nextInt(noise.length + 200) - 100;
                int manifestLength = random.nextInt(4) == 0 ? random.nextInt() : random.nextInt(noise.length + 100);
                int signatureLength = random.nextInt(3) == 0 ? random.nextInt(500) : 0;
                byte[] digest = new byte[32];
                random.nextBytes(digest);
                object = concat(noise, new Footer(offset, manifestLength, signatureLength, digest).encode());
            }
            default -> { // the manifest frame's and signature frame's headers
                int at = index + random.nextInt(IndexFormat.FRAME_HEADER);
                object[at] ^= (byte) (1 + random.nextInt(255));
            }
        }
        return object;
    }

    /** An offset in the manifest: a header field, or a field of a random record. */
    private static int manifestField(Random random, int length) {
        int[] header = {8, 12, 14, 16, 17, 18, 24, 32, 40, 48, 56};
        int records = (length - IndexFormat.MANIFEST_HEADER) / IndexFormat.RECORD;
        if (records == 0 || random.nextBoolean()) {
            return header[random.nextInt(header.length)];
        }
        int[] record = {0, 8, 12, 16};
        return IndexFormat.MANIFEST_HEADER + random.nextInt(records) * IndexFormat.RECORD
                + record[random.nextInt(record.length)];
    }

    /** Overwrites the bytes at {@code at} with an extreme or random value of 1, 2, 4 or 8 bytes. */
    private static void setField(Random random, byte[] b, int at) {
        long[] extremes = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE, 0xFFFFFFFFL, 1L << 32,
            random.nextLong(), random.nextInt(1 << 20)};
        long v = extremes[random.nextInt(extremes.length)];
        int width = new int[] {1, 2, 4, 8}[random.nextInt(4)];
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (v >>> (8 * i));
        }
    }

    private static void refooter(byte[] object, long manifestOffset, int manifestLength, int signatureLength,
            byte[] digest) {
        byte[] footer = new Footer(manifestOffset, manifestLength, signatureLength, digest).encode();
        System.arraycopy(footer, 0, object, object.length - footer.length, footer.length);
    }

    private static void fixCrc(byte[] object) {
        int p = object.length - IndexFormat.FOOTER_PAYLOAD;
        var crc = new java.util.zip.CRC32C();
        crc.update(object, p, 60);
        IndexFormat.putIntLE(object, p + 60, (int) crc.getValue());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** What an accepted index must satisfy, whatever was mutated. */
    private static void checkConsistent(IndexedImage index, byte[] object, String where) {
        Manifest m = index.manifest();
        assertThat(index.objectLength()).as(where).isEqualTo(object.length);
        assertThat(m.dataEnd()).as(where).isEqualTo(index.manifestOffset());
        byte[] stored = Arrays.copyOfRange(object, (int) index.manifestOffset() + IndexFormat.FRAME_HEADER,
                (int) index.manifestOffset() + IndexFormat.FRAME_HEADER + m.length());
        assertThat(m.bytes()).as(where).isEqualTo(stored);
        assertThat(m.digest()).as(where).isEqualTo(IndexFormat.hex(IndexFormat.sha256().digest(stored)));
        long running = IndexFormat.HEAD_FRAME;
        int zeros = 0;
        for (Chunk c : m.chunks()) {
            assertThat(c.compressedOffset()).as(where).isEqualTo(running);
            assertThat(c.length()).as(where).isBetween(1, m.chunkSize());
            running += c.compressedLength();
            zeros += c.zero() ? 1 : 0;
        }
        assertThat(running).as(where).isEqualTo(m.dataEnd());
        assertThat(zeros).as(where).isEqualTo(m.zeroChunks());
        long decoded = m.chunkCount() == 0 ? 0 : m.chunk(m.chunkCount() - 1).end();
        assertThat(decoded).as(where).isEqualTo(m.imageLength());
    }

    @Test
    void limitsAreCheckedBeforeAnythingIsAllocated() throws IOException {
        // A footer claiming one byte more than the largest manifest is refused after reading the tail only.
        long huge = 1L << 40;
        for (long manifestLength : new long[] {IndexFormat.MAX_MANIFEST + 1L, 0x7FFFFFFFL, 0xFFFFFFFFL}) {
            var footer = new Footer(huge - IndexFormat.FOOTER_FRAME - 8 - (int) manifestLength, (int) manifestLength, 0,
                    new byte[32]);
            var image = new BytesImage(huge, footer.encode());
            assertThatThrownBy(() -> IndexedImage.open(image, RetryPolicy.DEFAULT))
                    .isInstanceOf(CorruptImageException.class)
                    .hasMessageContaining("the index footer gives a manifest of " + Long.toUnsignedString(manifestLength & 0xFFFFFFFFL)
                            + " bytes; a manifest has 64 to " + IndexFormat.MAX_MANIFEST);
            assertThat(image.bytesRead()).isEqualTo(IndexFormat.TAIL_READ);
        }
        // The largest manifest the format allows is read (once) and then fails its digest: never more.
        var footer = new Footer(huge - IndexFormat.FOOTER_FRAME - 8 - IndexFormat.MAX_MANIFEST, IndexFormat.MAX_MANIFEST,
                0, new byte[32]);
        var image = new BytesImage(huge, footer.encode());
        assertThatThrownBy(() -> IndexedImage.open(image, RetryPolicy.DEFAULT))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("the manifest frame's header is damaged");
        assertThat(image.bytesRead()).isEqualTo(IndexFormat.MAX_MANIFEST + 8 + IndexFormat.FOOTER_FRAME);
        // A signature larger than any SSH signature is refused from the footer alone.
        var signed = new Footer(huge - IndexFormat.FOOTER_FRAME - 8 - 100_000 - 8 - 64, 64, 100_000, new byte[32]);
        assertThatThrownBy(() -> IndexedImage.open(new BytesImage(huge, signed.encode()), RetryPolicy.DEFAULT))
                .isInstanceOf(CorruptImageException.class)
                .hasMessageContaining("gives a signature of 100000 bytes; at most 16384");
    }
}
