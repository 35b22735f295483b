/** Examples of s3flash used as a library. */
module io.github.s3flash.examples {
    requires io.github.s3flash.api;

    exports io.github.s3flash.examples;
}
