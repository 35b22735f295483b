package io.github.s3flash.codec.lz4;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.IndexedFlashContract;

/** The indexed flash engine on images of lz4 chunk frames, against the in-memory disk. */
class Lz4IndexedFlashTest extends IndexedFlashContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }
}
