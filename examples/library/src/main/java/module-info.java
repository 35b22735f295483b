/** Examples of s3flash used as a library: {@code FlashExample} is a whole flash in a few lines. */
module io.github.s3flash.examples {
    requires io.github.s3flash.api;

    exports io.github.s3flash.examples;
}
