package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.BlockSinkContract;
import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** testkit's contract over real loop devices, filled with noise so that zeros must really be written. */
abstract class LoopContractBase extends BlockSinkContract {

    @TempDir
    Path dir;

    private final List<LoopDevice> loops = new ArrayList<>();
    private final int sectorSize;
    private final LoopDevice.Backing backing;
    private final Options options;

    LoopContractBase(int sectorSize, LoopDevice.Backing backing, Options options) {
        this.sectorSize = sectorSize;
        this.backing = backing;
        this.options = options;
    }

    @Override
    protected Options options() {
        return options;
    }

    @Override
    protected BlockSink sink() {
        return new BlockDeviceSink();
    }

    @Override
    protected Path target(long capacity) throws IOException {
        LoopDevice loop = Disks.loop(dir, capacity, sectorSize, backing, Disks.garbage(new Random(capacity), 1 << 20));
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
