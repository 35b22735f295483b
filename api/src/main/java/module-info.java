/**
 * The s3flash API: the three SPIs ({@link io.github.s3flash.api.ImageSource}, {@link
 * io.github.s3flash.api.Codec}, {@link io.github.s3flash.api.BlockSink}), the registry that finds
 * and selects providers, the checked error hierarchy, and the pipeline ({@link
 * io.github.s3flash.api.Flasher}). Built in: the {@code file:} source and the {@code raw} codec.
 */
module io.github.s3flash.api {
    exports io.github.s3flash.api;

    uses io.github.s3flash.api.ImageSource;
    uses io.github.s3flash.api.Codec;
    uses io.github.s3flash.api.BlockSink;

    provides io.github.s3flash.api.ImageSource with io.github.s3flash.api.internal.FileImageSource;
    provides io.github.s3flash.api.Codec with io.github.s3flash.api.internal.RawCodec;
}
