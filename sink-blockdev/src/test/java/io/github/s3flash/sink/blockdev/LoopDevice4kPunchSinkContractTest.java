package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 4096-byte-sector loop device: fallocate(PUNCH_HOLE) zeros, and the buffered path with a small sync-every. */
class LoopDevice4kPunchSinkContractTest extends LoopContractBase {

    @Override
    int sectorSize() {
        return 4096;
    }

    @Override
    LoopDevice.Backing backing() {
        return LoopDevice.Backing.DIRECT_IO;
    }

    @Override
    protected Options options() {
        return Options.of(Map.of("zero", "punch", "direct-io", "off", "sync-every", "256k"));
    }
}
