package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.WriteRefusedException;
import io.github.s3flash.api.index.Chunk;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.Manifest;
import io.github.s3flash.api.index.TrustDecision;
import io.github.s3flash.api.index.UntrustedImageException;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.index.WrittenImage;
import io.github.s3flash.api.sshsig.AllowedSigners;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link Flasher} must do with an indexed image made with a codec, against an in-memory disk
 * that checks the BlockTarget contract (no root needed; the loop-device, S3 and HTTP versions of
 * these live in the bootloader's tests): byte-exact for seeded sizes, chunk sizes, sector sizes,
 * read concurrency, decoding threads and delta; zero chunks never fetched (bytes read are exactly
 * the head, the index and the non-zero frames); a chunk whose bytes were changed in the object is
 * fetched again, then named, and its region of the target is never written; trust refusals leave the
 * target unchanged; a failing, torn, refused or slow disk ends as the plain pipeline's would; delta
 * fetches only what differs. A codec module's test extends this and supplies the codec.
 */
public abstract class IndexedFlashContract {

    private static final Path DISK = Path.of("/memory/indexed-disk");
    private static final int SMALL_CHUNK = 64 << 10;

    @TempDir
    protected Path dir;

    private final long seed = Seeds.next();
    private final Random random = new Random(seed);

    /** The codec under test. */
    protected abstract Codec codec();

    private Flasher flasher(MemoryDisk disk) {
        ProviderRegistry installed = ProviderRegistry.load();
        List<Codec> codecs = new ArrayList<>(installed.codecs());
        if (codecs.stream().noneMatch(c -> c.name().equals(codec().name()))) {
            codecs.add(codec());
        }
        return new Flasher(ProviderRegistry.of(installed.sources(), codecs,
                List.of(new MemorySink().attach(DISK, disk))));
    }

    /** Writes {@code image} as an indexed image at {@code name} in the test's directory. */
    protected Path indexed(byte[] image, int chunkSize, String name) throws IOException {
        Path object = dir.resolve(name);
        try (InputStream in = new ByteArrayInputStream(image); OutputStream out = Files.newOutputStream(object)) {
            new IndexedImageWriter(codec(), new WriterSettings(chunkSize, Options.empty(), 2)).write(in, out, null,
                    ChunkProgress.NONE);
        }
        return object;
    }

    private static IndexedImage index(Path object) throws IOException {
        var source = ProviderRegistry.load().source(object.toUri(), Options.empty());
        try (PinnedImage pinned = source.open(object.toUri(), Options.empty())) {
            return IndexedImage.require(pinned, RetryPolicy.DEFAULT);
        }
    }

    /** Bytes a flash without delta reads: the head frame, the index, and every chunk frame that is not all zeros. */
    private static long expectedFetch(IndexedImage index) {
        long frames = index.manifest().chunks().stream().filter(c -> !c.zero()).mapToLong(Chunk::compressedLength)
                .sum();
        return IndexedImage.HEAD_LENGTH + index.bytesRead() + frames;
    }

    @Test
    void flashesByteExactWithAnyChunkSizeSectorConcurrencyAndDelta() throws Exception {
        for (int round = 0; round < 8; round++) {
            int sector = random.nextBoolean() ? 512 : 4096;
            int chunkSize = SMALL_CHUNK << random.nextInt(3);
            int size = switch (round) {
                case 0 -> 1;
                case 1 -> chunkSize;
                case 2 -> 3 * chunkSize + 1;
                default -> 1 + random.nextInt(10 * chunkSize);
            };
            byte[] image = random.nextBoolean() ? TestImages.diskLike(random, size) : TestImages.random(random, size);
            int concurrency = 1 + random.nextInt(6);
            int threads = 1 + random.nextInt(4);
            boolean delta = random.nextBoolean();
            long capacity = (size + random.nextInt(3 * sector) + sector - 1) / sector * sector;
            long noise = random.nextLong();
            MemoryDisk disk = MemoryDisk.noise(capacity, sector, noise);
            String where = "round " + round + ": " + size + " bytes, chunks of " + chunkSize + ", " + sector
                    + "-byte sectors, concurrency " + concurrency + ", threads " + threads + ", delta " + delta + ", "
                    + Seeds.describe(seed);
            Path object = indexed(image, chunkSize, "image-" + round);
            IndexedImage index = index(object);

            FlashResult result = flasher(disk).flash(FlashPlan.of(object.toUri(), DISK)
                    .withOption("read.concurrency", Integer.toString(concurrency))
                    .withOption("decode.threads", Integer.toString(threads))
                    .withOption("delta", Boolean.toString(delta)));

            assertThat(disk.bytes(0, size)).as(where).isEqualTo(image);
            assertThat(disk.sha256(size, capacity - size)).as(where + ": the bytes after the image kept what they held")
                    .isEqualTo(MemoryDisk.noise(capacity, sector, noise).sha256(size, capacity - size));
            assertThat(disk.violations()).as(where).isEmpty();
            assertThat(disk.mostConcurrentWrites()).as(where).isEqualTo(1);
            assertThat(disk.unforcedWrites()).as(where).isZero();
            Manifest m = index.manifest();
            assertThat(result.bytesWritten()).as(where).isEqualTo(size);
            assertThat(result.chunks().total()).as(where).isEqualTo(m.chunkCount());
            assertThat(result.trust().kind()).as(where).isEqualTo(TrustDecision.Kind.NONE);
            assertThat(result.sha256()).as(where + ": no whole-image hash unless asked for").isNull();
            if (!delta) {
                assertThat(result.chunks().zero()).as(where).isEqualTo(m.zeroChunks());
                assertThat(result.chunks().written()).as(where).isEqualTo(m.chunkCount() - m.zeroChunks());
                assertThat(result.bytesRead()).as(where + ": zero chunks are never fetched")
                        .isEqualTo(expectedFetch(index));
            }
        }
    }

    @Test
    void theWholeImageSha256IsCheckedWhenAskedFor() throws Exception {
        byte[] image = TestImages.diskLike(random, 5 * SMALL_CHUNK + random.nextInt(SMALL_CHUNK));
        Path object = indexed(image, SMALL_CHUNK, "sha.img");
        MemoryDisk disk = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong());
        FlashResult result = flasher(disk).flash(FlashPlan.of(object.toUri(), DISK)
                .withExpectedSha256(TestImages.sha256(image)));
        assertThat(result.sha256()).as(Seeds.describe(seed)).isEqualTo(TestImages.sha256(image));
        assertThat(result.trust().kind()).isEqualTo(TrustDecision.Kind.IMAGE_SHA256);
    }

    @Test
    void aChunkChangedInTheObjectIsFetchedAgainThenNamedAndItsRegionNeverWritten() throws Exception {
        byte[] image = TestImages.random(random, 6 * SMALL_CHUNK + random.nextInt(SMALL_CHUNK));
        Path object = indexed(image, SMALL_CHUNK, "tampered.img");
        IndexedImage index = index(object);
        Chunk k = index.manifest().chunk(random.nextInt(index.manifest().chunkCount()));
        byte[] bytes = Files.readAllBytes(object);
        int at = (int) k.compressedOffset() + random.nextInt(k.compressedLength());
        bytes[at] ^= (byte) (1 << random.nextInt(8));
        Files.write(object, bytes);
        MemoryDisk disk = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong());
        String before = disk.sha256(k.offset(), k.length());
        List<Long> retried = new java.util.concurrent.CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> flasher(disk).flash(FlashPlan.of(object.toUri(), DISK)
                .withOption("read.concurrency", Integer.toString(1 + random.nextInt(4))), event -> {
                    if (event instanceof io.github.s3flash.api.ProgressEvent.Retrying r) {
                        retried.add(r.offset());
                    }
                }))
                .as("byte " + at + " flipped, in " + k.describe() + ", " + Seeds.describe(seed))
                .isInstanceOf(FlashException.class)
                .hasMessageContaining(k.describe());
        assertThat(disk.sha256(k.offset(), k.length())).as("the region of " + k.describe() + " was never written")
                .isEqualTo(before);
        assertThat(retried).as("fetched again before failing").contains(k.compressedOffset());
        assertThat(disk.violations()).isEmpty();
    }

    @Test
    void trustThatIsNotMetIsRefusedBeforeTheFirstWrite() throws Exception {
        byte[] image = TestImages.diskLike(random, 3 * SMALL_CHUNK + random.nextInt(SMALL_CHUNK));
        Path object = indexed(image, SMALL_CHUNK, "unsigned.img");
        IndexedImage index = index(object);
        MemoryDisk disk = MemoryDisk.noise(4 * SMALL_CHUNK, 512, random.nextLong());
        String before = disk.sha256();
        FlashPlan plan = FlashPlan.of(object.toUri(), DISK);

        assertThatThrownBy(() -> flasher(disk).flash(plan.withTrustedKeys(someSigners())))
                .isInstanceOf(UntrustedImageException.class).hasMessageContaining("not signed");
        String other = index.digest().replace('0', '1').equals(index.digest())
                ? index.digest().replace('a', 'b') : index.digest().replace('0', '1');
        assertThatThrownBy(() -> flasher(disk).flash(plan.withImageDigest(other)))
                .isInstanceOf(UntrustedImageException.class).hasMessageContaining(other);
        assertThat(disk.sha256()).as("refused: the disk is unchanged").isEqualTo(before);
        assertThat(disk.writes()).isEmpty();

        FlashResult pinned = flasher(disk).flash(plan.withImageDigest(index.digest()));
        assertThat(pinned.trust().kind()).isEqualTo(TrustDecision.Kind.IMAGE_DIGEST);
        assertThat(disk.bytes(0, image.length)).isEqualTo(image);
    }

    @Test
    void aPlainImageIsRefusedWhenTrustIsRequired() throws Exception {
        Path plain = Files.write(dir.resolve("plain.img"), TestImages.random(random, 3000));
        MemoryDisk disk = MemoryDisk.noise(1 << 20, 512, random.nextLong());
        String before = disk.sha256();
        assertThatThrownBy(() -> flasher(disk).flash(FlashPlan.of(plain.toUri(), DISK).withCodec("raw")
                .withTrustedKeys(someSigners())))
                .isInstanceOf(UntrustedImageException.class).hasMessageContaining("not an indexed image");
        assertThat(disk.sha256()).isEqualTo(before);
    }

    /** An allowed_signers file with one ed25519 key that signed nothing here. */
    private AllowedSigners someSigners() throws Exception {
        byte[] name = "ssh-ed25519".getBytes(StandardCharsets.US_ASCII);
        byte[] key = new byte[32];
        random.nextBytes(key);
        ByteBuffer blob = ByteBuffer.allocate(4 + name.length + 4 + key.length);
        blob.putInt(name.length).put(name).putInt(key.length).put(key);
        String line = "ops@example.com namespaces=\"s3flash-image\" ssh-ed25519 "
                + Base64.getEncoder().encodeToString(blob.array());
        return AllowedSigners.parse(line, "test allowed_signers", ZoneOffset.UTC);
    }

    @Test
    void diskFaultsEndAsThePlainPipelineEndsThem() throws Exception {
        byte[] image = TestImages.random(random, 6 * SMALL_CHUNK);
        Path object = indexed(image, SMALL_CHUNK, "faults.img");
        FlashPlan plan = FlashPlan.of(object.toUri(), DISK).withOption("read.concurrency", "4");

        MemoryDisk refusing = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong()).refuseWrite(1, "gate closed");
        String before = refusing.sha256();
        assertThatThrownBy(() -> flasher(refusing).flash(plan)).isInstanceOf(WriteRefusedException.class);
        assertThat(refusing.sha256()).isEqualTo(before);

        MemoryDisk failing = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong())
                .failWrite(2 + random.nextInt(3), new IOException("medium error"));
        assertThatThrownBy(() -> flasher(failing).flash(plan)).isInstanceOf(FlashAbortedException.class)
                .hasMessageContaining("medium error");

        MemoryDisk torn = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong()).tearWrite(2, 512);
        assertThatThrownBy(() -> flasher(torn).flash(plan)).isInstanceOf(FlashAbortedException.class);

        MemoryDisk slow = MemoryDisk.noise(8 * SMALL_CHUNK, 512, random.nextLong()).slowWrites(Duration.ofMillis(5));
        flasher(slow).flash(plan);
        assertThat(slow.bytes(0, image.length)).isEqualTo(image);
        assertThat(slow.mostConcurrentWrites()).as("one writer at a time").isEqualTo(1);
        for (MemoryDisk disk : List.of(refusing, failing, torn, slow)) {
            assertThat(disk.violations()).isEmpty();
            assertThat(disk.closes()).as("the target is closed, once").isEqualTo(disk.opens());
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("s3flash-chunk-")))
                .as("no thread of a flash is left").isEmpty();
    }

    @Test
    void deltaFetchesOnlyTheChunksTheTargetDoesNotHold() throws Exception {
        int chunks = 40;
        byte[] image = TestImages.random(random, chunks * SMALL_CHUNK);
        Path object = indexed(image, SMALL_CHUNK, "v1.img");
        IndexedImage v1 = index(object);
        MemoryDisk disk = MemoryDisk.noise(chunks * SMALL_CHUNK, 4096, random.nextLong());
        FlashPlan plan = FlashPlan.of(object.toUri(), DISK).withOption("delta", "true");

        FlashResult full = flasher(disk).flash(plan);
        assertThat(full.chunks().written()).as("a target of noise: every chunk written").isEqualTo(chunks);
        FlashResult again = flasher(disk).flash(plan);
        assertThat(again.chunks().identical()).isEqualTo(chunks);
        // The index is read with one ranged read of the tail (256 KiB at most), whatever the image's size.
        assertThat(again.bytesRead()).as("again: the head and the index only, no chunk frame")
                .isEqualTo(IndexedImage.HEAD_LENGTH + v1.bytesRead());

        byte[] v2 = image.clone();
        List<Integer> changed = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            if (k % 20 == 7) {
                changed.add(k);
                v2[k * SMALL_CHUNK + random.nextInt(SMALL_CHUNK)] ^= 1;
            }
        }
        Path second = indexed(v2, SMALL_CHUNK, "v2.img");
        IndexedImage index2 = index(second);
        FlashResult delta = flasher(disk).flash(FlashPlan.of(second.toUri(), DISK).withOption("delta", "true"));
        long frames = changed.stream().mapToLong(k -> index2.manifest().chunk(k).compressedLength()).sum();
        assertThat(delta.chunks().written()).as(Seeds.describe(seed)).isEqualTo(changed.size());
        assertThat(delta.bytesRead()).isEqualTo(IndexedImage.HEAD_LENGTH + index2.bytesRead() + frames);
        assertThat(disk.bytes(0, v2.length)).isEqualTo(v2);
    }

    @Test
    void deltaReadsZeroChunksBackUnlessTheTargetZeroesWithoutWriting() throws Exception {
        int chunks = 24;
        byte[] image = TestImages.random(random, chunks * SMALL_CHUNK);
        List<Integer> zeros = new ArrayList<>();
        for (int k = 0; k < chunks; k++) {
            if (k == 0 || random.nextInt(3) == 0) {
                zeros.add(k);
                Arrays.fill(image, k * SMALL_CHUNK, (k + 1) * SMALL_CHUNK, (byte) 0);
            }
        }
        Path object = indexed(image, SMALL_CHUNK, "zeros.img");
        for (boolean offload : new boolean[] {false, true}) {
            String where = Seeds.describe(seed) + ", target zeroes without writing: " + offload;
            MemoryDisk disk = MemoryDisk.noise(chunks * SMALL_CHUNK, 4096, random.nextLong()).zeroesWithoutWriting(offload);
            FlashResult result = flasher(disk).flash(FlashPlan.of(object.toUri(), DISK).withOption("delta", "true"));
            assertThat(disk.bytes(0, image.length)).as(where).isEqualTo(image);
            assertThat(result.chunks().zero()).as(where).isEqualTo(zeros.size());
            long zeroChunksRead = zeros.stream().filter(k -> disk.reads().stream()
                    .anyMatch(r -> r[0] < (k + 1L) * SMALL_CHUNK && k * (long) SMALL_CHUNK < r[0] + r[1])).count();
            assertThat(zeroChunksRead).as(where + ": zero chunks read back to check them")
                    .isEqualTo(offload ? 0 : zeros.size());
        }
    }
}
