package io.github.s3flash.testkit;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.NoProviderException;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.api.ProviderRegistry;

/** The built-in {@code raw} codec, found through ServiceLoader, against the codec contract. */
class RawCodecContractTest extends CodecContract {

    @Override
    protected Codec codec() {
        try {
            return ProviderRegistry.load().codec("raw");
        } catch (NoProviderException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected boolean detectsTruncation() {
        return false;
    }

    /** Any bytes are raw data: raw has no magic, and is never chosen by probing. */
    @Override
    protected ProbeResult probeOfOwnOutput() {
        return ProbeResult.NO;
    }
}
