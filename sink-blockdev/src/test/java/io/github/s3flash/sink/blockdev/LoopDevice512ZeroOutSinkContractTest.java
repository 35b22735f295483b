package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.LoopDevice;
import java.util.Map;

/** The BlockSink contract on a 512-byte-sector direct-io loop device: BLKZEROOUT zeros and read-back verification. */
class LoopDevice512ZeroOutSinkContractTest extends LoopContractBase {

    LoopDevice512ZeroOutSinkContractTest() {
        super(512, LoopDevice.Backing.DIRECT_IO, Options.of(Map.of("zero", "zeroout", "verify", "true")));
    }
}
