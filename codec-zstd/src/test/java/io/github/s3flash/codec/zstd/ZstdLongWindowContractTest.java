package io.github.s3flash.codec.zstd;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.CodecContract;
import java.util.Map;

/** Level 12 with a 128 MiB window (long, as --long) and two worker threads (as -T2). */
class ZstdLongWindowContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }

    @Override
    protected Options encodeOptions() {
        return Options.of(Map.of("level", "12", "long", "true", "workers", "2"));
    }
}
