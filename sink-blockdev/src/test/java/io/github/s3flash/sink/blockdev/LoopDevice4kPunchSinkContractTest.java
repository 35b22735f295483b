package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 4096-byte-sector loop device: fallocate(PUNCH_HOLE) zeros, and the buffered path with a small sync-every. */
class LoopDevice4kPunchSinkContractTest extends LoopContractBase {

    LoopDevice4kPunchSinkContractTest() {
        super(4096, LoopDevice.Backing.DIRECT_IO,
                Options.of(Map.of("zero", "punch", "direct-io", "off", "sync-every", "256k")));
    }
}
