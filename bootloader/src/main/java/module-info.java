/** The {@code s3flash} command line: flash, boot mode (with its watchdog and restore), providers. */
module io.github.s3flash.bootloader {
    requires io.github.s3flash.api;
    requires info.picocli;

    uses io.github.s3flash.api.ImageSource;
    uses io.github.s3flash.api.Codec;
    uses io.github.s3flash.api.BlockSink;

    opens io.github.s3flash.bootloader to info.picocli;
}
