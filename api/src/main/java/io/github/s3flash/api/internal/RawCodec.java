package io.github.s3flash.api.internal;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProbeResult;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.OptionalLong;

/** An uncompressed image. Any bytes are valid raw data, so it is never chosen by probing. */
public final class RawCodec implements Codec {

    @Override
    public String name() {
        return "raw";
    }

    @Override
    public ProbeResult probe(ByteBuffer head) {
        return ProbeResult.NO;
    }

    @Override
    public InputStream decode(InputStream compressed) {
        return compressed;
    }

    @Override
    public OutputStream encode(OutputStream out, Options options) {
        return out;
    }

    @Override
    public OptionalLong decodedLength(ByteBuffer head, long compressedLength) {
        return compressedLength < 0 ? OptionalLong.empty() : OptionalLong.of(compressedLength);
    }
}
