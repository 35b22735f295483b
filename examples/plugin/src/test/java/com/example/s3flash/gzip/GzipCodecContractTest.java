package com.example.s3flash.gzip;

import io.github.s3flash.api.Codec;
import io.github.s3flash.testkit.CodecContract;

/** The third-party plugin runs the same contract as the project's own codecs. */
class GzipCodecContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        return new GzipCodec();
    }
}
