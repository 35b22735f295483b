/**
 * Block devices and regular files as flash targets. Uses the Foreign Function &amp; Memory API for
 * the calls Java lacks (O_EXCL, block-device ioctls, fallocate): run with {@code
 * --enable-native-access=io.github.s3flash.sink.blockdev}. Exports nothing: it is found as a {@link
 * io.github.s3flash.api.BlockSink} service.
 */
module io.github.s3flash.sink.blockdev {
    requires io.github.s3flash.api;
    // com.sun.nio.file.ExtendedOpenOption.DIRECT: O_DIRECT for FileChannel.
    requires jdk.unsupported;

    provides io.github.s3flash.api.BlockSink with io.github.s3flash.sink.blockdev.BlockDeviceSink;
}
