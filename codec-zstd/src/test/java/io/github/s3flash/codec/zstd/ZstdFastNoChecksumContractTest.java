package io.github.s3flash.codec.zstd;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.CodecContract;
import java.util.Map;

/** Fast level -5 without checksum: truncation must still be caught by the frame structure. */
class ZstdFastNoChecksumContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }

    @Override
    protected Options encodeOptions() {
        return Options.of(Map.of("level", "-5", "checksum", "false"));
    }
}
