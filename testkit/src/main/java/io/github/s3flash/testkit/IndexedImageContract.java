package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.index.Chunk;
import io.github.s3flash.api.index.ChunkDecoder;
import io.github.s3flash.api.index.IndexedImage;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.Manifest;
import io.github.s3flash.api.index.PositionalInput;
import io.github.s3flash.api.index.SparseInput;
import io.github.s3flash.api.index.ChunkProgress;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.index.WrittenImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What indexed images made with a codec must be: the codec's stock CLI decodes every one to the
 * image, byte for byte (empty, one byte, exactly one chunk, one byte over, sizes that are not whole
 * sectors, random and disk-like bytes, all zeros); the index read back from the object's tail
 * describes every chunk (offsets, lengths, SHA-256, zero flags) and each chunk decodes alone to its
 * bytes; the writer is deterministic whatever its threads and however its input is split; opening
 * reads only the tail; an input that knows its holes ({@link SparseInput}) makes the same object
 * without a read of any chunk that lies wholly in a hole; an input read at offsets by the writer's
 * threads ({@link PositionalInput}) makes the same object as its bytes through a stream. A codec module's test extends this and
 * supplies the codec and the CLI.
 */
public abstract class IndexedImageContract {

    @TempDir
    protected Path dir;

    /** The codec under test. */
    protected abstract Codec codec();

    /** The stock CLI decompressing stdin to stdout, e.g. {@code lz4 -d -c}. */
    protected abstract List<String> cliDecode();

    private static final int SMALL_CHUNK = 64 << 10;

    protected WrittenImage write(byte[] image, WriterSettings settings, Path object) throws IOException {
        try (InputStream in = new ByteArrayInputStream(image); OutputStream out = Files.newOutputStream(object)) {
            return new IndexedImageWriter(codec(), settings).write(in, out, null, ChunkProgress.NONE);
        }
    }

    private byte[] cliDecoded(Path object) throws IOException, InterruptedException {
        Path out = dir.resolve("cli.out");
        Cli.run(cliDecode(), object, out);
        return Files.readAllBytes(out);
    }

    private static PinnedImage open(Path object) throws IOException {
        ImageSource files = ProviderRegistry.load().source(object.toUri(), Options.empty());
        return files.open(object.toUri(), Options.empty());
    }

    /** Checks the object against the image: the CLI, the index, and each chunk decoded alone. */
    private void check(byte[] image, Path object, int chunkSize, String where) throws Exception {
        byte[] cli = cliDecoded(object);
        // The first byte that differs, not two arrays of megabytes, in a failure.
        assertThat(Arrays.mismatch(cli, image)).as(where + ": " + String.join(" ", cliDecode())
                + ": the first byte that differs from the image's (of " + cli.length + " decoded, "
                + image.length + " in the image), -1 when none").isEqualTo(-1);
        try (PinnedImage pinned = open(object)) {
            IndexedImage index = IndexedImage.require(pinned, RetryPolicy.DEFAULT);
            Manifest m = index.manifest();
            assertThat(m.codec()).as(where).isEqualTo(codec().name());
            assertThat(m.imageLength()).as(where).isEqualTo(image.length);
            assertThat(m.chunkSize()).as(where).isEqualTo(chunkSize);
            assertThat(m.chunkCount()).as(where).isEqualTo((image.length + chunkSize - 1) / chunkSize);
            var decoder = ChunkDecoder.of(ProviderRegistry.load(), m);
            int zeros = 0;
            long frames = 16;
            for (Chunk c : m.chunks()) {
                byte[] expected = Arrays.copyOfRange(image, (int) c.offset(), (int) c.end());
                boolean zero = expected.length > 0 && Arrays.equals(expected, new byte[expected.length]);
                zeros += zero ? 1 : 0;
                assertThat(c.zero()).as(where + ", " + c.describe()).isEqualTo(zero);
                assertThat(c.sha256Hex()).as(where + ", " + c.describe()).isEqualTo(TestImages.sha256(expected));
                assertThat(c.compressedOffset()).as(where + ", " + c.describe()).isEqualTo(frames);
                frames += c.compressedLength();
                ByteBuffer into = ByteBuffer.allocateDirect(c.length() + 4096).position(4096);
                try (InputStream frame = pinned.openRange(c.compressedOffset(), c.compressedLength())) {
                    decoder.decode(c, frame, into);
                }
                byte[] decoded = new byte[c.length()];
                into.flip().position(4096).get(decoded);
                assertThat(decoded).as(where + ", " + c.describe() + " decoded alone").isEqualTo(expected);
            }
            assertThat(m.zeroChunks()).as(where).isEqualTo(zeros);
            assertThat(m.dataEnd()).as(where).isEqualTo(frames).isEqualTo(index.manifestOffset());
            assertThat(m.chunkFramesLength()).as(where).isEqualTo(frames - 16);
        }
        try (InputStream head = Files.newInputStream(object)) {
            assertThat(head.readNBytes(16)).as(where + ": the head frame")
                    .isEqualTo(new byte[] {0x53, 0x2a, 0x4d, 0x18, 8, 0, 0, 0, 'S', '3', 'F', 'L', '-', 'I', 'D', 'X'});
        }
    }

    @Test
    void theStockCliDecodesEveryIndexedImageByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int c = SMALL_CHUNK;
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 511, c - 1, c, c + 1, 3 * c + 777, 5 * c - 512, 4 * c));
        sizes.add(1 + random.nextInt(8 * c));
        for (int size : sizes) {
            for (String kind : List.of("random", "disk-like", "zeros")) {
                byte[] image = switch (kind) {
                    case "random" -> TestImages.random(random, size);
                    case "disk-like" -> TestImages.diskLike(random, size);
                    default -> new byte[size];
                };
                Path object = dir.resolve("image." + codec().name());
                write(image, new WriterSettings(c, Options.empty(), 1 + random.nextInt(3)), object);
                check(image, object, c, kind + " image of " + size + " bytes in " + c + "-byte chunks, "
                        + Seeds.describe(seed));
            }
        }
    }

    @Test
    void defaultAndRandomChunkSizesDecodeByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 9 * (1 << 20) + 4096 * random.nextInt(64) + random.nextInt(4096));
        Path object = dir.resolve("default." + codec().name());
        WrittenImage written = write(image, WriterSettings.defaults(), object);
        assertThat(written.objectLength()).isEqualTo(Files.size(object));
        check(image, object, WriterSettings.DEFAULT_CHUNK_SIZE, "default settings, " + Seeds.describe(seed));

        int chunk = 1 << (16 + random.nextInt(6));
        Path other = dir.resolve("random-chunk." + codec().name());
        write(image, WriterSettings.defaults().withChunkSize(chunk), other);
        check(image, other, chunk, "chunk size " + chunk + ", " + Seeds.describe(seed));
    }

    @Test
    void theObjectIsTheSameWhateverTheThreadsAndTheInputSplits() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 20 * SMALL_CHUNK + random.nextInt(SMALL_CHUNK));
        var settings = new WriterSettings(SMALL_CHUNK, Options.empty(), 1);
        Path one = dir.resolve("one-thread");
        write(image, settings, one);
        for (int threads : new int[] {2, 5}) {
            Path many = dir.resolve("threads-" + threads);
            try (InputStream in = SplitReads.random(new ByteArrayInputStream(image), random, 70_000);
                    OutputStream out = Files.newOutputStream(many)) {
                new IndexedImageWriter(codec(), settings.withThreads(threads)).write(in, out, null, ChunkProgress.NONE);
            }
            assertThat(Files.readAllBytes(many)).as(threads + " threads, split reads, " + Seeds.describe(seed))
                    .isEqualTo(Files.readAllBytes(one));
        }
    }

    @Test
    void openingReadsOnlyTheTail() throws Exception {
        long seed = Seeds.next();
        byte[] image = TestImages.random(new Random(seed), 3 << 20);
        Path object = dir.resolve("tail." + codec().name());
        write(image, new WriterSettings(SMALL_CHUNK, Options.empty(), 0), object);
        try (var counting = new CountingImage(open(object))) {
            IndexedImage index = IndexedImage.require(counting, RetryPolicy.DEFAULT);
            long tail = 256 << 10;
            assertThat(index.bytesRead()).isEqualTo(tail);
            assertThat(counting.bytesRead()).as("bytes read of " + Files.size(object) + ", " + Seeds.describe(seed))
                    .isEqualTo(tail);
            assertThat(counting.ranges()).containsExactly(new CountingImage.Range(Files.size(object) - tail, tail));
        }
    }

    @Test
    void aManifestLargerThanTheFirstReadTakesExactlyOneMoreRead() throws Exception {
        // 6400 all-zero chunks of 64 KiB: a 307 264-byte manifest, more than the first read of 256 KiB.
        long size = 6400L * SMALL_CHUNK;
        Path object = dir.resolve("many-chunks." + codec().name());
        try (InputStream zeros = new ZeroStream(size); OutputStream out = Files.newOutputStream(object)) {
            new IndexedImageWriter(codec(), new WriterSettings(SMALL_CHUNK, Options.empty(), 0))
                    .write(zeros, out, null, ChunkProgress.NONE);
        }
        try (var counting = new CountingImage(open(object))) {
            IndexedImage index = IndexedImage.require(counting, RetryPolicy.DEFAULT);
            long indexBytes = Files.size(object) - index.manifestOffset();
            assertThat(index.manifest().chunkCount()).isEqualTo(6400);
            assertThat(index.manifest().zeroChunks()).isEqualTo(6400);
            assertThat(indexBytes).isGreaterThan(256 << 10);
            assertThat(counting.ranges()).hasSize(2);
            assertThat(counting.bytesRead()).isEqualTo(indexBytes);
        }
    }

    @Test
    void theFlashsPlainPathDecodesItToo() throws Exception {
        // Its head frame keeps a reader that does not know the index from taking the first chunk frame's
        // content size for the image's; the codecs skip the index's frames. (Needs a sink installed.)
        long seed = Seeds.next();
        var random = new Random(seed);
        byte[] image = TestImages.diskLike(random, 4096 * (40 + random.nextInt(100)));
        Path object = dir.resolve("plain-path." + codec().name());
        write(image, new WriterSettings(SMALL_CHUNK, Options.empty(), 2), object);
        Path target = dir.resolve("flashed.img");
        var result = Flasher.withInstalledProviders().flash(FlashPlan.of(object.toUri(), target)
                .withOption("create", "true").withExpectedSha256(TestImages.sha256(image)));
        assertThat(result.codec()).isEqualTo(codec().name());
        assertThat(Files.readAllBytes(target)).as(Seeds.describe(seed)).isEqualTo(image);
    }

    @Test
    void theContentSizeOptionIsExact() {
        // The writer gives every chunk's frame its length; the encoder must refuse to make a frame of another.
        Options ten = Options.empty().with(IndexedImageWriter.CONTENT_SIZE_OPTION, "10");
        assertThatThrownBy(() -> {
            try (OutputStream enc = codec().encode(new java.io.ByteArrayOutputStream(), ten)) {
                enc.write(new byte[9]);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("content size of 10 bytes but 9 were written");
        assertThatThrownBy(() -> {
            try (OutputStream enc = codec().encode(new java.io.ByteArrayOutputStream(), ten)) {
                enc.write(new byte[11]);
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("content size of 10 bytes but more are written");
    }

    @Test
    void aPlainImageHasNoIndex() throws Exception {
        byte[] image = TestImages.diskLike(new Random(1), 300_000);
        Path plain = dir.resolve("plain." + codec().name());
        try (OutputStream out = codec().encode(Files.newOutputStream(plain), Options.empty())) {
            out.write(image);
        }
        try (PinnedImage pinned = open(plain)) {
            assertThat(IndexedImage.open(pinned, RetryPolicy.DEFAULT)).isEmpty();
        }
    }

    /** {@code length} zero bytes without holding them. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long length) {
            this.left = length;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }

    @Test
    void anInputThatKnowsItsHolesMakesTheSameObjectWithoutReadingThem() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int round = 0; round < 6; round++) {
            int chunk = SMALL_CHUNK << random.nextInt(2);
            int size = 1 + random.nextInt(12 * chunk);
            byte[] image = TestImages.random(random, size);
            // Holes of random lengths at random places, some covering whole chunks, one maybe to the end.
            List<long[]> holes = new ArrayList<>();
            for (int at = random.nextInt(chunk); at < size; at += random.nextInt(3 * chunk)) {
                int end = random.nextInt(4) == 0 ? size : Math.min(size, at + random.nextInt(3 * chunk));
                Arrays.fill(image, at, end, (byte) 0);
                holes.add(new long[] {at, end});
                at = end;
            }
            String where = Seeds.describe(seed) + ", round " + round + ": " + size + " bytes, chunks of " + chunk;
            var settings = new WriterSettings(chunk, Options.empty(), 1 + random.nextInt(3));
            Path plain = dir.resolve("plain.img");
            write(image, settings, plain);
            var sparse = new HoleyInput(image, holes, chunk, random);
            Path skipped = dir.resolve("sparse.img");
            try (OutputStream out = Files.newOutputStream(skipped)) {
                new IndexedImageWriter(codec(), settings).write(sparse, out, null, ChunkProgress.NONE);
            }
            assertThat(Files.readAllBytes(skipped)).as(where + ": the same object as from a plain stream")
                    .isEqualTo(Files.readAllBytes(plain));
            long wholeHoleChunks = 0;
            for (long at = 0; at < size; at += chunk) {
                long end = Math.min(size, at + chunk);
                long from = at;
                wholeHoleChunks += holes.stream().anyMatch(h -> h[0] <= from && end <= h[1]) ? 1 : 0;
            }
            assertThat(sparse.readInHoleChunks).as(where + ": bytes read of chunks lying wholly in a hole").isZero();
            assertThat(sparse.skipped).as(where + ": bytes skipped").isEqualTo(sparse.holeChunkBytes());
            assertThat(wholeHoleChunks * chunk >= sparse.skipped).as(where).isTrue();
        }
    }

    @Test
    void anInputReadAtOffsetsByTheWritersThreadsMakesTheSameObject() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        for (int round = 0; round < 8; round++) {
            int chunk = SMALL_CHUNK << random.nextInt(2);
            // Empty, shorter than a chunk, whole chunks, whole chunks and a byte, and random sizes.
            int size = switch (round) {
                case 0 -> 0;
                case 1 -> 1 + random.nextInt(chunk - 1);
                case 2 -> chunk * (1 + random.nextInt(6));
                case 3 -> chunk * (1 + random.nextInt(6)) + 1;
                default -> 1 + random.nextInt(12 * chunk);
            };
            byte[] image = round % 2 == 0 ? TestImages.diskLike(random, size) : TestImages.random(random, size);
            boolean withHoles = random.nextBoolean();
            int zeroChunk = size >= chunk ? random.nextInt(size / chunk) : -1;
            if (withHoles && zeroChunk >= 0) {
                Arrays.fill(image, zeroChunk * chunk, (zeroChunk + 1) * chunk, (byte) 0);
            }
            String where = Seeds.describe(seed) + ", round " + round + ": " + size + " bytes, chunks of " + chunk
                    + (withHoles ? ", holes told" : "");
            var settings = new WriterSettings(chunk, Options.empty(), 1 + random.nextInt(3));
            Path plain = dir.resolve("plain.img");
            write(image, settings, plain);
            var input = withHoles ? new PositionalHoleyImage(image) : new PositionalImage(image);
            Path positional = dir.resolve("positional.img");
            try (OutputStream out = Files.newOutputStream(positional)) {
                new IndexedImageWriter(codec(), settings).write(input, out, null, ChunkProgress.NONE);
            }
            assertThat(Files.readAllBytes(positional)).as(where + ": the same object as from a plain stream")
                    .isEqualTo(Files.readAllBytes(plain));
            assertThat(input.readBytes.get()).as(where + ": every byte read at its offset once, holes not at all")
                    .isEqualTo(size - input.holeBytes(chunk));
            if (withHoles && zeroChunk >= 0) {
                assertThat(input.holeBytes(chunk)).as(where + ": a zeroed chunk is a hole").isGreaterThanOrEqualTo(chunk);
            }
        }
    }

    /**
     * Chunks of several of the writer's 1 MiB slices whose first slices are zeros and whose later ones
     * are not (a file system's chunk: an empty block group, then data). The writer's zero check reads
     * those slices once; the bytes it then hashes and encodes must still be the chunk's own, from every
     * kind of buffer an input hands out (heap, read-only, native), checked against the image itself.
     */
    @Test
    void chunksWhoseFirstSlicesAreZeroKeepTheirLaterBytesFromEveryKindOfInput() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int slice = 1 << 20;
        int chunk = 4 * slice;
        for (int round = 0; round < 3; round++) {
            int chunks = 3;
            int size = chunks * chunk - (round == 2 ? 1 + random.nextInt(slice) : 0);
            byte[] image = TestImages.chunksBeginningWithZeros(random, size, chunk, round);
            String where = Seeds.describe(seed) + ", round " + round + ": " + size + " bytes, chunks of " + chunk;
            var settings = new WriterSettings(chunk, Options.empty(), 1 + random.nextInt(2));
            Path plain = dir.resolve("plain.img");
            write(image, settings, plain);
            check(image, plain, chunk, where + ", from a stream");
            // Three chunks and three kinds of buffer, taken in turn: each chunk once per kind over the rounds.
            var input = new PositionalImage(image, round);
            Path positional = dir.resolve("positional.img");
            try (OutputStream out = Files.newOutputStream(positional)) {
                new IndexedImageWriter(codec(), settings).write(input, out, null, ChunkProgress.NONE);
            }
            check(image, positional, chunk, where + ", read at offsets");
            assertThat(Files.readAllBytes(positional)).as(where + ": the same object as from a plain stream")
                    .isEqualTo(Files.readAllBytes(plain));
        }
    }

    /**
     * An image in memory read only at offsets ({@link PositionalInput}): reading it as a stream fails
     * the test, so the writer must not; it counts the bytes it hands out.
     */
    private static class PositionalImage extends InputStream implements PositionalInput {
        final byte[] image;
        final java.util.concurrent.atomic.AtomicLong readBytes = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();

        PositionalImage(byte[] image) {
            this(image, 0);
        }

        /** Starting the turn of buffer kinds at {@code firstKind} (0 heap, 1 read-only, 2 native). */
        PositionalImage(byte[] image, int firstKind) {
            this.image = image;
            calls.set(firstKind);
        }

        @Override
        public long length() {
            return image.length;
        }

        /**
         * In turn: a slice of the image's array, a read-only view of it (no array to read), or a
         * copy in the arena's native memory (as a file's mapped pages are): each a path of the writer.
         */
        @Override
        public ByteBuffer bytes(long offset, int length, java.lang.foreign.Arena arena) throws IOException {
            if (offset < 0 || offset + length > image.length) {
                throw new java.io.EOFException("read of " + length + " at " + offset + " past " + image.length);
            }
            readBytes.addAndGet(length);
            ByteBuffer heap = ByteBuffer.wrap(image, (int) offset, length).slice();
            return switch ((int) (calls.getAndIncrement() % 3)) {
                case 0 -> heap;
                case 1 -> heap.asReadOnlyBuffer();
                default -> arena.allocate(Math.max(1, length)).asByteBuffer().put(heap).flip();
            };
        }

        /** The bytes of whole-hole chunks; none here. */
        long holeBytes(int chunk) {
            return 0;
        }

        @Override
        public int read() {
            throw new AssertionError("a positional input read as a stream");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            throw new AssertionError("a positional input read as a stream");
        }

        @Override
        public long skip(long n) {
            throw new AssertionError("a positional input skipped as a stream");
        }
    }

    /** The same, telling exactly where its all-zero chunks are as holes (a sparse file on disk). */
    private static final class PositionalHoleyImage extends PositionalImage implements SparseInput {
        PositionalHoleyImage(byte[] image) {
            super(image);
        }

        @Override
        public long dataFrom(long offset) {
            long at = offset;
            while (at < image.length && image[(int) at] == 0) {
                at++;
            }
            return at;
        }

        @Override
        long holeBytes(int chunk) {
            long bytes = 0;
            for (int at = 0; at < image.length; at += chunk) {
                int end = Math.min(image.length, at + chunk);
                bytes += dataFrom(at) >= end ? end - at : 0;
            }
            return bytes;
        }
    }

    /**
     * An image in memory that says where its holes are (as a sparse file does) and counts the bytes
     * read of chunks it said lie wholly in one, which the writer must skip instead. {@link #dataFrom}
     * answers exactly for one probe in two and conservatively (the offset itself) otherwise, as a
     * file system that reports holes coarsely may.
     */
    private static final class HoleyInput extends InputStream implements SparseInput {
        private final byte[] image;
        private final List<long[]> holes;
        private final int chunk;
        private final Random random;
        private int position;
        long readInHoleChunks;
        long skipped;
        /** The chunks ({@code [start, end)}) an answer showed to lie wholly in a hole. */
        private final List<long[]> holeChunks = new ArrayList<>();

        HoleyInput(byte[] image, List<long[]> holes, int chunk, Random random) {
            this.image = image;
            this.holes = holes;
            this.chunk = chunk;
            this.random = random;
        }

        @Override
        public long length() {
            return image.length;
        }

        @Override
        public long dataFrom(long offset) {
            if (random.nextBoolean()) {
                return offset;
            }
            long data = holes.stream().filter(h -> h[0] <= offset && offset < h[1]).mapToLong(h -> h[1]).findFirst()
                    .orElse(offset);
            long end = Math.min(image.length, offset + chunk);
            if (offset % chunk == 0 && data >= end) {
                holeChunks.add(new long[] {offset, end});
            }
            return data;
        }

        /** The bytes of the chunks an answer showed to lie wholly in a hole: what the writer must skip. */
        long holeChunkBytes() {
            return holeChunks.stream().mapToLong(c -> c[1] - c[0]).sum();
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= image.length) {
                return -1;
            }
            int n = Math.min(len, image.length - position);
            for (int i = position; i < position + n; i++) {
                readInHoleChunks += inHoleChunk(i) ? 1 : 0;
            }
            System.arraycopy(image, position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, image.length - position));
            position += (int) k;
            skipped += k;
            return k;
        }

        private boolean inHoleChunk(int i) {
            return holeChunks.stream().anyMatch(c -> c[0] <= i && i < c[1]);
        }
    }
}
