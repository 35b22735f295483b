package io.github.s3flash.codec.zstd;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.IndexedFlashContract;

/** The indexed flash engine on images of zstd chunk frames, against the in-memory disk. */
class ZstdIndexedFlashTest extends IndexedFlashContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }
}
