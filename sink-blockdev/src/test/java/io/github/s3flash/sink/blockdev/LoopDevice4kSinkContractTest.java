package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;

/** The BlockSink contract on a 4096-byte-sector loop device: 4096-byte sectors, default options: write zeros, direct I/O. */
class LoopDevice4kSinkContractTest extends LoopContractBase {

    @Override
    boolean directIoLoop() {
        return false;
    }

    @Override
    protected Options options() {
        return Options.empty();
    }
}
