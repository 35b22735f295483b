package io.github.s3flash.codec.lz4;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.CodecContract;

/** LZ4 HC level 9, 64 KiB blocks (many block boundaries), block checksums on. */
class Lz4HighCompressionContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }

    @Override
    protected Options encodeOptions() {
        return Options.of(java.util.Map.of("level", "9", "block-size", "64k", "block-checksum", "true"));
    }
}
