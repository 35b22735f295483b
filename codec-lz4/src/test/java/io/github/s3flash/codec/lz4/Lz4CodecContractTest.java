package io.github.s3flash.codec.lz4;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.CodecContract;

/** The codec with its default encoding (level 1, 4 MiB blocks, content checksum), as the CLI's default. */
class Lz4CodecContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }
}
