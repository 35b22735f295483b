package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;

/** The BlockSink contract on a 4096-byte-sector loop device: 4096-byte sectors, default options: write zeros, direct I/O. */
class LoopDevice4kSinkContractTest extends LoopContractBase {

    LoopDevice4kSinkContractTest() {
        super(4096, LoopDevice.Backing.PAGE_CACHE, Options.empty());
    }
}
