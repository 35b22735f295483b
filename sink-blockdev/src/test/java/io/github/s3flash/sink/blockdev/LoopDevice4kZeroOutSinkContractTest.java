package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 4096-byte-sector loop device: 4096-byte logical sectors on a direct-io loop, zeros by BLKZEROOUT, read-back verification on. */
class LoopDevice4kZeroOutSinkContractTest extends LoopContractBase {

    LoopDevice4kZeroOutSinkContractTest() {
        super(4096, LoopDevice.Backing.DIRECT_IO, Options.of(Map.of("zero", "zeroout", "verify", "true")));
    }
}
