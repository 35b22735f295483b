/**
 * Image tooling with the s3flash library: make a signed indexed image from a disk image or block
 * device and publish it through any source that can write (a file, S3), all or nothing.
 */
module io.github.s3flash.examples.publish {
    requires io.github.s3flash.api;

    uses io.github.s3flash.api.ImageSource;
    uses io.github.s3flash.api.Codec;

    exports io.github.s3flash.examples.publish;
}
