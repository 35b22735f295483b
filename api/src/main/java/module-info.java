/**
 * The s3flash API: the three SPIs ({@link io.github.s3flash.api.ImageSource}, {@link
 * io.github.s3flash.api.Codec}, {@link io.github.s3flash.api.BlockSink}), the registry that finds
 * and selects providers, the checked error hierarchy, and the pipeline ({@link
 * io.github.s3flash.api.Flasher}). Built in: the {@code file:} source and the {@code raw} codec.
 * Indexed images (chunked, signed) are read and written with {@code io.github.s3flash.api.index};
 * OpenSSH signatures and keys with {@code io.github.s3flash.api.sshsig}.
 *
 * <p>Where to start: a library user builds a {@link io.github.s3flash.api.FlashPlan} and calls
 * {@link io.github.s3flash.api.Flasher#flash}; a plugin author implements one of the three SPIs in a
 * module that {@code requires io.github.s3flash.api} and {@code provides} it. The package
 * {@code io.github.s3flash.api} says which types belong to which. {@code io.github.s3flash.api.internal}
 * is not exported: the pipeline's machinery, reached only through {@code Flasher} and
 * {@code ImageStreams}.
 *
 * <p>Every SPI is {@code uses}-declared here, so {@link io.github.s3flash.api.ProviderRegistry#load()}
 * finds providers on the module path (and, through {@code META-INF/services}, on the class path)
 * whichever module calls it.
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
