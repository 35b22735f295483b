package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;

/**
 * The BlockSink contract on a 512-byte-sector loop device, default options: writes of whole sectors
 * that are not whole 4096-byte blocks (Java's direct-I/O unit) go through the buffered channel.
 */
class LoopDevice512SinkContractTest extends LoopContractBase {

    LoopDevice512SinkContractTest() {
        super(512, LoopDevice.Backing.PAGE_CACHE, Options.empty());
    }
}
