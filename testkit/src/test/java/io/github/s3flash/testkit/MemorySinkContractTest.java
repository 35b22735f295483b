package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.BlockSink;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/**
 * The in-memory sink against the BlockSink contract, with 512-byte, 4096-byte and 1-byte blocks:
 * the test double must behave as a sink does. No contract call may breach the BlockTarget contract
 * as the disk checks it, except those the contract makes on purpose (part blocks, after close).
 */
class MemorySinkContractTest {

    private abstract static class OnMemory extends BlockSinkContract {
        private final MemorySink sink = new MemorySink();
        private final Map<Path, MemoryDisk> disks = new HashMap<>();
        private final AtomicInteger next = new AtomicInteger();

        abstract int sectorSize();

        @Override
        protected BlockSink sink() {
            return sink;
        }

        @Override
        protected Path target(long capacity) {
            Path path = Path.of("/memory/disk" + next.incrementAndGet());
            MemoryDisk disk = MemoryDisk.noise(capacity, sectorSize(), capacity + next.get());
            disks.put(path, disk);
            sink.attach(path, disk);
            return path;
        }

        @Override
        protected byte[] contents(Path target, int length) {
            return disks.get(target).bytes(0, length);
        }

        @AfterEach
        void onlyTheContractsOwnMisuse() {
            for (MemoryDisk disk : disks.values()) {
                assertThat(disk.violations()).allMatch(v -> v.contains("after /memory/") || v.contains("not whole"),
                        "only use after close and part blocks, which the contract tries on purpose");
            }
        }
    }

    @Nested
    class Sectors512 extends OnMemory {
        @Override
        int sectorSize() {
            return 512;
        }
    }

    @Nested
    class Sectors4k extends OnMemory {
        @Override
        int sectorSize() {
            return 4096;
        }
    }

    @Nested
    class Bytes extends OnMemory {
        @Override
        int sectorSize() {
            return 1;
        }
    }
}
