package io.github.s3flash.codec.lz4;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.CodecContract;

/** Level 2, 256 KiB blocks, no checksum at all: truncation must still be caught by the frame structure. */
class Lz4NoChecksumContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }

    @Override
    protected Options encodeOptions() {
        return Options.of(java.util.Map.of("level", "2", "block-size", "256k", "content-checksum", "false"));
    }
}
