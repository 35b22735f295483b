/**
 * The {@code zstd} codec: Zstandard as the {@code zstd} and {@code pzstd} CLIs write it (one or
 * many frames, skippable frames, checksums, long windows up to {@code --long=31}), on zstd-jni.
 * Exports nothing: it is found as a {@link io.github.s3flash.api.Codec} service.
 */
module io.github.s3flash.codec.zstd {
    requires io.github.s3flash.api;
    requires com.github.luben.zstd_jni;

    provides io.github.s3flash.api.Codec with io.github.s3flash.codec.zstd.ZstdCodec;
}
