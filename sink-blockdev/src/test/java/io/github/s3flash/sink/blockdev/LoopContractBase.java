package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.testkit.BlockSinkContract;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * testkit's contract over real loop devices, filled with noise so that zeros must really be written.
 * Only 4096-byte-sector devices: the contract's buffer helper ({@code alignedSlice} of {@code length +
 * 4096} bytes) is too short for lengths that are not multiples of 4096, so 512-byte sectors and files
 * run the same checks in {@link OffsetWritesTest} until testkit is fixed.
 */
abstract class LoopContractBase extends BlockSinkContract {

    @TempDir
    Path dir;

    private final List<LoopDevice> loops = new ArrayList<>();

    abstract boolean directIoLoop();

    @Override
    protected BlockSink sink() {
        return new BlockDeviceSink();
    }

    @Override
    protected Path target(long capacity) throws IOException {
        LoopDevice loop = Disks.loop(dir, capacity, 4096, directIoLoop(), Disks.garbage(new Random(capacity), 1 << 20));
        loops.add(loop);
        return loop.device();
    }

    @Override
    protected byte[] contents(Path target, int length) throws IOException {
        return Disks.readDirect(target, length);
    }

    @AfterEach
    void detach() throws IOException {
        for (LoopDevice loop : loops) {
            loop.close();
        }
        loops.clear();
    }
}
