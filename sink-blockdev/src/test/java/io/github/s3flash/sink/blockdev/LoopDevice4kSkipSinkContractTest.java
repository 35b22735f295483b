package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 4096-byte-sector loop device: skip-identical writes and skip-if-zero ranges. */
class LoopDevice4kSkipSinkContractTest extends LoopContractBase {

    LoopDevice4kSkipSinkContractTest() {
        super(4096, LoopDevice.Backing.PAGE_CACHE, Options.of(Map.of("zero", "skip-if-zero", "skip-identical", "true")));
    }
}
