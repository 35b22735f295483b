package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.WriteRefusedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The in-memory disk as a test double: it catches each way of breaking the BlockTarget contract
 * (so a test that finds no violation means something), it takes writes from several threads out of
 * order where allowed (the parallel writer's case), and its faults do what they say.
 */
class MemoryDiskTest {

    private static final Path PATH = Path.of("/memory/test");

    private static BlockTarget open(MemoryDisk disk) throws IOException {
        return new MemorySink().attach(PATH, disk).open(PATH, Options.empty());
    }

    private static ByteBuffer bytes(int length, int value) {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            b.put((byte) value);
        }
        return b.flip();
    }

    @Test
    void writesThatAreNotWholeBlocksAreRefusedAndRecorded() throws IOException {
        MemoryDisk disk = MemoryDisk.zeroed(1 << 20, 512);
        String before = disk.sha256();
        try (BlockTarget target = open(disk)) {
            assertThatThrownBy(() -> target.write(100, bytes(512, 1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> target.write(512, bytes(1000, 1))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> target.zero(0, 10)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(disk.violations()).hasSize(3).allMatch(v -> v.contains("not whole 512-byte blocks"));
        assertThat(disk.sha256()).isEqualTo(before);
    }

    @Test
    void useAfterCloseAndCloseDuringAWriteAreRecorded() throws Exception {
        MemoryDisk disk = MemoryDisk.zeroed(1 << 20, 512).holdWritesFrom(1);
        BlockTarget target = open(disk);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                target.write(0, bytes(4096, 7));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(disk.awaitHeldWrite(Duration.ofSeconds(30))).isTrue();
        target.close();
        disk.releaseWrites();
        writer.join();
        assertThatThrownBy(() -> target.force()).isInstanceOf(IOException.class);
        assertThat(disk.violations()).anyMatch(v -> v.contains("closed while 1 write call(s) were in flight"))
                .anyMatch(v -> v.contains("force() after " + PATH + " was closed"));
    }

    @Test
    void oneWriterAtATimeUnlessMoreAreAllowed() throws Exception {
        MemoryDisk one = MemoryDisk.zeroed(1 << 20, 512);
        writeConcurrently(one, 2, 4096);
        assertThat(one.violations()).anyMatch(v -> v.contains("this target allows 1 at once"));

        MemoryDisk overlapping = MemoryDisk.zeroed(1 << 20, 512).concurrentWriters(4);
        writeConcurrently(overlapping, 2, 512);
        assertThat(overlapping.violations()).singleElement().asString().contains("overlaps a write in flight");

        MemoryDisk allowed = MemoryDisk.zeroed(1 << 20, 512).concurrentWriters(2);
        writeConcurrently(allowed, 2, 4096);
        assertThat(allowed.violations()).isEmpty();
        assertThat(allowed.mostConcurrentWrites()).isEqualTo(2);
    }

    /** Eight writers at once, out of order, at disjoint offsets: allowed, byte-exact, and seen to overlap in time. */
    @Test
    void parallelOutOfOrderWritersAreByteExact() throws Exception {
        long seed = Seeds.next();
        var random = new Random(seed);
        int chunk = 64 << 10;
        int chunks = 64;
        MemoryDisk disk = MemoryDisk.noise(chunks * chunk, 4096, seed).concurrentWriters(8).holdWritesFrom(1);
        byte[] image = TestImages.diskLike(random, chunks * chunk);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            order.add(i);
        }
        java.util.Collections.shuffle(order, random);
        try (BlockTarget target = open(disk); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i : order) {
                done.add(pool.submit(() -> {
                    target.write((long) i * chunk, ByteBuffer.wrap(image, i * chunk, chunk).slice());
                    return null;
                }));
            }
            // Every write waits until all eight threads are inside one: the writes overlap for sure.
            awaitUntil(() -> disk.mostConcurrentWrites() == 8, "eight writes in flight");
            disk.releaseWrites();
            for (Future<?> f : done) {
                f.get();
            }
            target.force();
        }
        assertThat(disk.bytes(0, image.length)).as(Seeds.describe(seed)).isEqualTo(image);
        assertThat(disk.violations()).isEmpty();
        assertThat(disk.unforcedWrites()).isZero();
    }

    @Test
    void faultsDoWhatTheySay() throws IOException {
        MemoryDisk disk = MemoryDisk.noise(1 << 20, 512, 5)
                .refuseWrite(1, "gate closed")
                .failWrite(2, new IOException("medium error"))
                .tearWrite(3, 1024)
                .failForce(new IOException("flush failed"))
                .failClose(new IOException("close failed"));
        byte[] before = disk.bytes(0, 8192);
        BlockTarget target = open(disk);
        assertThatThrownBy(() -> target.write(0, bytes(4096, 1))).isInstanceOf(WriteRefusedException.class)
                .hasMessage("gate closed");
        assertThatThrownBy(() -> target.write(0, bytes(4096, 2))).hasMessage("medium error");
        assertThat(disk.bytes(0, 8192)).as("refused and failed writes store nothing").isEqualTo(before);
        assertThatThrownBy(() -> target.write(0, bytes(4096, 3))).hasMessageContaining("torn write");
        byte[] torn = disk.bytes(0, 8192);
        assertThat(torn).startsWith(bytes(1024, 3).array());
        assertThat(java.util.Arrays.copyOfRange(torn, 1024, 8192)).isEqualTo(java.util.Arrays.copyOfRange(before, 1024, 8192));
        assertThatThrownBy(target::force).hasMessage("flush failed");
        assertThat(disk.unforcedWrites()).isOne();
        assertThatThrownBy(target::close).hasMessage("close failed");
        target.close();
        assertThat(disk.violations()).isEmpty();
    }

    /** {@code writers} writes of 4096 bytes, {@code stride} bytes apart, held until all have begun. */
    private static void writeConcurrently(MemoryDisk disk, int writers, int stride) throws Exception {
        disk.holdWritesFrom(1);
        try (BlockTarget target = open(disk); ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                long offset = (long) i * stride;
                done.add(pool.submit(() -> {
                    target.write(offset, bytes(4096, 9));
                    return null;
                }));
            }
            awaitUntil(() -> disk.mostConcurrentWrites() == writers, writers + " writes in flight");
            disk.releaseWrites();
            for (Future<?> f : done) {
                f.get();
            }
        }
    }

    private static void awaitUntil(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
