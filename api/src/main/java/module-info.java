/**
 * The s3flash API: the three SPIs ({@link io.github.s3flash.api.ImageSource}, {@link
 * io.github.s3flash.api.Codec}, {@link io.github.s3flash.api.BlockSink}), the registry that finds
 * and selects providers, the checked error hierarchy, and the pipeline ({@link
 * io.github.s3flash.api.Flasher}). Built in: the {@code file:} source and the {@code raw} codec.
 * Indexed images (chunked, signed) are read and written with {@code io.github.s3flash.api.index};
 * OpenSSH signatures and keys with {@code io.github.s3flash.api.sshsig}.
 */
module io.github.s3flash.api {
    exports io.github.s3flash.api;
    exports io.github.s3flash.api.index;
    exports io.github.s3flash.api.sshsig;

    uses io.github.s3flash.api.ImageSource;
    uses io.github.s3flash.api.Codec;
    uses io.github.s3flash.api.BlockSink;

    provides io.github.s3flash.api.ImageSource with io.github.s3flash.api.internal.FileImageSource;
    provides io.github.s3flash.api.Codec with io.github.s3flash.api.internal.RawCodec;
}
