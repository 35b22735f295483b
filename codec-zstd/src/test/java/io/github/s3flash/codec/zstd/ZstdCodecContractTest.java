package io.github.s3flash.codec.zstd;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.CodecContract;

/** The codec with its default encoding (level 3, checksum), as the CLI's default. */
class ZstdCodecContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }
}
