package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 4096-byte-sector loop device: skip-identical writes and skip-if-zero ranges. */
class LoopDevice4kSkipSinkContractTest extends LoopContractBase {

    @Override
    int sectorSize() {
        return 4096;
    }

    @Override
    LoopDevice.Backing backing() {
        return LoopDevice.Backing.PAGE_CACHE;
    }

    @Override
    protected Options options() {
        return Options.of(Map.of("zero", "skip-if-zero", "skip-identical", "true"));
    }
}
