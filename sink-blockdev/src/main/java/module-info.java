/** Block devices and regular files as flash targets. */
module io.github.s3flash.sink.blockdev {
    requires io.github.s3flash.api;

    provides io.github.s3flash.api.BlockSink with io.github.s3flash.sink.blockdev.BlockDeviceSink;
}
