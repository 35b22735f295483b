package io.github.s3flash.testkit.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.FlashAbortedException;
import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProgressEvent;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.TargetTooSmallException;
import io.github.s3flash.api.WriteRefusedException;
import io.github.s3flash.testkit.MemoryDisk;
import io.github.s3flash.testkit.MemorySink;
import io.github.s3flash.testkit.Seeds;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Flasher} end to end without root or devices: the built-in file source, the raw codec (or a
 * pass-through codec that can fail and that knows no size in advance), and an in-memory disk that
 * checks every call against the BlockTarget contract. Byte exactness for images of any size
 * (partial last blocks included), what counts as refused and what as aborted, warnings after
 * success, and teardown: every failure and an interrupt end with the right exception, the decoder
 * closed by the decode thread, the target never closed under a write, and no thread of the flash
 * left alive.
 */
class FlasherTest {

    private static final Path DISK = Path.of("/memory/disk");
    private static final long CAPACITY = 6 << 20;
    private static final Set<String> STAGES = Set.of("s3flash-decode", "s3flash-hash", "s3flash-write");

    @TempDir
    Path dir;

    private final long seed = Seeds.next();
    private final Random random = new Random(seed);

    /** The built-in raw codec, as installed. */
    private static Codec raw() {
        try {
            return ProviderRegistry.load().codec("raw");
        } catch (NoProviderException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Flasher flasher(Codec codec, MemoryDisk disk) {
        ProviderRegistry installed = ProviderRegistry.load();
        return new Flasher(ProviderRegistry.of(installed.sources(), List.of(codec),
                List.of(new MemorySink().attach(DISK, disk))));
    }

    private FlashPlan plan(byte[] image, Codec codec) throws IOException {
        Path file = Files.write(dir.resolve("image-" + image.length), image);
        return FlashPlan.of(file.toUri(), DISK).withCodec(codec.name());
    }

    private static Options chunks(int chunkSize) {
        return Options.of(Map.of("chunk-size", Integer.toString(chunkSize), "buffers", "3"));
    }

    @Test
    void imagesOfAnySizeAreWrittenByteExactInWholeBlocksAndForced() throws IOException {
        for (int round = 0; round < 24; round++) {
            int sector = List.of(1, 512, 4096).get(random.nextInt(3));
            int size = switch (round % 4) {
                case 0 -> random.nextInt((int) CAPACITY + 1);
                case 1 -> sector * (1 + random.nextInt(64)) - 1 - random.nextInt(Math.max(1, sector - 1));
                case 2 -> random.nextInt(sector + 1);
                default -> (int) CAPACITY - random.nextInt(sector);
            };
            size = Math.max(0, size);
            Codec codec = random.nextBoolean() ? raw() : PassThroughCodec.unsized();
            Options settings = Options.of(Map.of(
                    "chunk-size", Integer.toString(4096 * (1 + random.nextInt(300))),
                    "buffers", Integer.toString(2 + random.nextInt(6)),
                    "read.part-size", Integer.toString(1 + random.nextInt(700_000)),
                    "read.concurrency", Integer.toString(1 + random.nextInt(4))));
            MemoryDisk disk = MemoryDisk.noise(CAPACITY, sector, random.nextLong());
            byte[] before = disk.bytes(0, (int) CAPACITY);
            byte[] image = TestImages.diskLike(random, size);
            List<ProgressEvent> events = new CopyOnWriteArrayList<>();

            FlashResult result = flasher(codec, disk).flash(plan(image, codec).withOptions(settings), events::add);

            String where = "size " + size + ", " + sector + "-byte blocks, " + codec.name() + ", " + settings.values()
                    + ", " + Seeds.describe(seed);
            byte[] expected = before.clone();
            System.arraycopy(image, 0, expected, 0, size);
            assertThat(disk.bytes(0, (int) CAPACITY)).as(where).isEqualTo(expected);
            assertThat(disk.violations()).as(where).isEmpty();
            assertThat(disk.unforcedWrites()).as("forced, " + where).isZero();
            assertThat(result.sha256()).as(where).isEqualTo(TestImages.sha256(image));
            assertThat(result.bytesWritten()).as(where).isEqualTo(size);
            assertThat(result.partialBlockBytes()).as(where).isEqualTo(size % sector);
            assertThat(result.warnings()).as(where).isEmpty();
            assertThat(events.stream().filter(e -> e instanceof ProgressEvent.WritingStarted).count())
                    .as(where).isEqualTo(size == 0 ? 0 : 1);
            assertThat(events.getLast()).as(where).isInstanceOf(ProgressEvent.Finished.class);
        }
    }

    /** A last chunk of zeros goes to zero() for its whole blocks; its partial block is still rewritten, not zeroed whole. */
    @Test
    void anImageEndingInZerosInsideABlockKeepsTheRestOfThatBlock() throws IOException {
        for (int sector : new int[] {512, 4096}) {
            int size = (1 << 20) + (64 << 10) + sector + 5;
            byte[] image = TestImages.random(random, size);
            Arrays.fill(image, 1 << 20, size, (byte) 0);
            MemoryDisk disk = MemoryDisk.noise(CAPACITY, sector, seed);
            byte[] expected = disk.bytes(0, (int) CAPACITY);
            System.arraycopy(image, 0, expected, 0, size);
            Codec raw = raw();
            FlashResult result = flasher(raw, disk).flash(plan(image, raw).withOptions(chunks(64 << 10)));
            assertThat(disk.bytes(0, (int) CAPACITY)).as(sector + "-byte sectors, " + Seeds.describe(seed))
                    .isEqualTo(expected);
            assertThat(disk.writes()).filteredOn(MemoryDisk.Write::zero).isNotEmpty();
            assertThat(result.partialBlockBytes()).isEqualTo(5);
            assertThat(disk.violations()).isEmpty();
        }
    }

    @Test
    void anImageOfKnownSizeLargerThanTheTargetIsRefusedUnwritten() throws IOException {
        MemoryDisk disk = MemoryDisk.noise(1 << 20, 512, seed);
        String before = disk.sha256();
        Codec raw = raw();
        assertThatThrownBy(() -> flasher(raw, disk).flash(plan(new byte[(1 << 20) + 1], raw)))
                .isInstanceOf(TargetTooSmallException.class).hasMessageContaining("holds only 1048576 bytes");
        assertThat(disk.writes()).isEmpty();
        assertThat(disk.sha256()).isEqualTo(before);
    }

    @Test
    void anImageOfUnknownSizeLargerThanTheTargetIsRefusedUnwrittenWithinItsFirstChunk() throws IOException {
        MemoryDisk disk = MemoryDisk.noise(1 << 20, 512, seed);
        String before = disk.sha256();
        Codec codec = PassThroughCodec.unsized();
        assertThatThrownBy(() -> flasher(codec, disk).flash(plan(new byte[(1 << 20) + 1], codec)))
                .isInstanceOf(TargetTooSmallException.class);
        assertThat(disk.sha256()).isEqualTo(before);

        assertThatThrownBy(() -> flasher(codec, disk).flash(plan(new byte[(1 << 20) + 1], codec)
                        .withOptions(chunks(64 << 10))))
                .as("found only after writing began")
                .isInstanceOf(FlashAbortedException.class).hasCauseInstanceOf(TargetTooSmallException.class);
    }

    /** Issue 13 item 4: a first write the target refuses is a refusal, nothing written; never a partial image. */
    @Test
    void aRefusedFirstWriteIsARefusalWithNothingWritten() throws IOException {
        // A large image, and one smaller than a block (its only write is the read-modify-write).
        for (int size : new int[] {3 << 20, 100}) {
            MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed).refuseWrite(1, "the gate is closed");
            String before = disk.sha256();
            List<ProgressEvent> events = new CopyOnWriteArrayList<>();
            Codec raw = raw();
            assertThatThrownBy(() -> flasher(raw, disk).flash(plan(TestImages.random(random, size), raw), events::add))
                    .as("size " + size)
                    .isInstanceOf(WriteRefusedException.class)
                    .hasMessage("the gate is closed");
            assertThat(events).as("size " + size).noneMatch(e -> e instanceof ProgressEvent.WritingStarted);
            assertThat(disk.sha256()).as("size " + size).isEqualTo(before);
            assertThat(disk.violations()).isEmpty();
        }
    }

    @Test
    void aRefusedLaterWriteOrATornFirstWriteIsAnAbort() throws IOException {
        Codec raw = raw();
        byte[] image = TestImages.random(random, 1 << 20);
        MemoryDisk refusing = MemoryDisk.noise(CAPACITY, 512, seed).refuseWrite(2, "no more");
        assertThatThrownBy(() -> flasher(raw, refusing).flash(plan(image, raw).withOptions(chunks(64 << 10))))
                .isInstanceOf(FlashAbortedException.class).hasCauseInstanceOf(WriteRefusedException.class)
                .hasMessageContaining("the target now holds a partial image");
        MemoryDisk tearing = MemoryDisk.noise(CAPACITY, 512, seed).tearWrite(1, 512);
        assertThatThrownBy(() -> flasher(raw, tearing).flash(plan(image, raw).withOptions(chunks(64 << 10))))
                .as("a first write that failed after storing part of its data")
                .isInstanceOf(FlashAbortedException.class).hasMessageContaining("torn write");
    }

    /** Issue 13 item 5: once forced and verified the flash has succeeded; a close error is a warning. */
    @Test
    void aCloseFailureAfterAForcedVerifiedFlashIsAWarning() throws IOException {
        byte[] image = TestImages.diskLike(random, 2 << 20);
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 4096, seed).failClose(new IOException("EIO on close"));
        Codec raw = raw();
        FlashResult result = flasher(raw, disk).flash(plan(image, raw).withExpectedSha256(TestImages.sha256(image)));
        assertThat(result.warnings()).singleElement().asString()
                .contains("closing target " + DISK + " failed after the image was written, forced and verified")
                .contains("EIO on close");
        assertThat(disk.bytes(0, image.length)).isEqualTo(image);
        assertThat(disk.unforcedWrites()).isZero();
        assertThat(disk.closes()).isOne();
    }

    @Test
    void aForceFailureIsAnAbort() throws IOException {
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 4096, seed).failForce(new IOException("flush failed"));
        Codec raw = raw();
        assertThatThrownBy(() -> flasher(raw, disk).flash(plan(TestImages.random(random, 8192), raw)))
                .isInstanceOf(FlashAbortedException.class).hasMessageContaining("flush failed");
    }

    /** Issue 13 item 6: a target that fails on its Nth write. */
    @Test
    void aTargetFailingOnItsNthWriteAbortsAndLeavesNoThreadOfTheFlash() throws Exception {
        for (int n : new int[] {1, 2, 7}) {
            Set<Thread> before = liveThreads();
            PassThroughCodec codec = PassThroughCodec.unsized();
            MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed).failWrite(n, new IOException("medium error " + n));
            assertThatThrownBy(() -> flasher(codec, disk).flash(plan(TestImages.random(random, 4 << 20), codec)
                            .withOptions(chunks(256 << 10))))
                    .isInstanceOf(FlashAbortedException.class).hasMessageContaining("medium error " + n);
            assertTornDown(before, codec);
            assertThat(disk.violations()).isEmpty();
        }
    }

    @Test
    void anErrorInTheWriteStageAbortsAndLeavesNoThread() throws Exception {
        Set<Thread> before = liveThreads();
        PassThroughCodec codec = PassThroughCodec.unsized();
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed).failWrite(3, new OutOfMemoryError("test: no memory"));
        assertThatThrownBy(() -> flasher(codec, disk).flash(plan(TestImages.random(random, 4 << 20), codec)
                        .withOptions(chunks(256 << 10))))
                .isInstanceOf(FlashAbortedException.class).hasCauseInstanceOf(OutOfMemoryError.class);
        assertTornDown(before, codec);
    }

    @Test
    void anErrorInTheDecodeStageIsThrownAsItIsBeforeWritingAndAsAnAbortAfter() throws Exception {
        Set<Thread> before = liveThreads();
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed);
        String untouched = disk.sha256();
        PassThroughCodec first = PassThroughCodec.failingOnRead(1, new StackOverflowError("test: decoder"));
        assertThatThrownBy(() -> flasher(first, disk).flash(plan(TestImages.random(random, 4 << 20), first)))
                .isExactlyInstanceOf(StackOverflowError.class);
        assertTornDown(before, first);
        assertThat(disk.sha256()).isEqualTo(untouched);

        // Reads of at most one 64 KiB chunk: by read 40 over a MiB was decoded, and with 3 buffers in
        // flight the first chunks were written.
        PassThroughCodec later = PassThroughCodec.failingOnRead(40, new AssertionError("test: decoder"));
        assertThatThrownBy(() -> flasher(later, disk).flash(plan(TestImages.random(random, 4 << 20), later)
                        .withOptions(chunks(64 << 10))))
                .isInstanceOf(FlashAbortedException.class).hasCauseInstanceOf(AssertionError.class);
        assertTornDown(before, later);
    }

    @Test
    void theDecoderIsClosedByTheDecodeThreadOnSuccessToo() throws Exception {
        Set<Thread> before = liveThreads();
        PassThroughCodec codec = PassThroughCodec.unsized();
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed);
        flasher(codec, disk).flash(plan(TestImages.random(random, 1 << 20), codec));
        assertThat(codec.decodersOpened()).isOne();
        assertTornDown(before, codec);
    }

    /**
     * An interrupt of the flashing thread mid-flash: the flash stops, but not before the write in
     * flight has returned (the target is closed after it, never under it), and ends as an abort
     * caused by the interrupt, with the thread's interrupt status kept.
     */
    @Test
    void anInterruptMidFlashStopsItAfterTheWriteInFlight() throws Exception {
        Set<Thread> before = liveThreads();
        PassThroughCodec codec = PassThroughCodec.unsized();
        MemoryDisk disk = MemoryDisk.noise(CAPACITY, 512, seed).holdWritesFrom(2);
        var failure = new CompletableFuture<Throwable>();
        var interruptKept = new AtomicBoolean();
        FlashPlan plan = plan(TestImages.random(random, 4 << 20), codec).withOptions(chunks(256 << 10));
        Thread flashing = Thread.ofPlatform().name("test-flash").start(() -> {
            try {
                flasher(codec, disk).flash(plan);
                failure.complete(null);
            } catch (Throwable t) {
                interruptKept.set(Thread.currentThread().isInterrupted());
                failure.complete(t);
            }
        });
        assertThat(disk.awaitHeldWrite(Duration.ofSeconds(60))).isTrue();
        flashing.interrupt();
        awaitUntil(() -> liveThreads().stream().noneMatch(t -> !before.contains(t)
                && (t.getName().equals("s3flash-decode") || t.getName().equals("s3flash-hash"))),
                "the decode and hash stages stop");
        assertThat(flashing.isAlive()).as("the flash waits for the write in flight").isTrue();
        assertThat(disk.closes()).as("the target is not closed under a write").isZero();
        disk.releaseWrites();
        Throwable thrown = failure.get(60, TimeUnit.SECONDS);
        assertThat(thrown).isInstanceOf(FlashAbortedException.class).hasCauseInstanceOf(InterruptedIOException.class);
        assertThat(interruptKept).isTrue();
        assertThat(disk.closes()).isOne();
        assertThat(disk.violations()).isEmpty();
        flashing.join();
        assertTornDown(before, codec);
    }

    /** The flash ended cleanly: its decoder closed once, by the decode thread, and none of its threads left. */
    private static void assertTornDown(Set<Thread> before, PassThroughCodec codec) throws InterruptedException {
        assertThat(codec.closedBy()).containsExactly("s3flash-decode");
        assertNoThreadOfTheFlashLeft(before);
    }

    private static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
    }

    /**
     * The pipeline's stages must be gone when the flash returns. The fetch threads of the compressed
     * stream end when it is closed, a moment later (closing interrupts them without waiting).
     */
    private static void assertNoThreadOfTheFlashLeft(Set<Thread> before) throws InterruptedException {
        assertThat(liveThreads()).filteredOn(t -> !before.contains(t) && STAGES.contains(t.getName()))
                .as("pipeline stages alive after the flash returned").isEmpty();
        awaitUntil(() -> liveThreads().stream().noneMatch(t -> !before.contains(t) && t.getName().startsWith("s3flash-")),
                "no thread of the flash left: " + Arrays.toString(liveThreads().stream()
                        .filter(t -> !before.contains(t) && t.getName().startsWith("s3flash-")).toArray()));
    }

    private static void awaitUntil(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
