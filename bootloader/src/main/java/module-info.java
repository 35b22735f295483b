/**
 * The {@code s3flash} command line: flash, image, providers, plugins, boot mode (with its watchdog and
 * restore) and the release tools. An application of the api, not a library: it exports nothing, and
 * maps the api's exceptions onto exit codes and its options onto flags.
 */
module io.github.s3flash.bootloader {
    requires io.github.s3flash.api;
    requires info.picocli;
    // Only the release tools (s3flash initrd ...) use it; static keeps it, and the java.desktop module
    // it requires, out of the boot runtime. Build hosts run with --add-modules org.apache.commons.compress.
    requires static org.apache.commons.compress;

    uses io.github.s3flash.api.ImageSource;
    uses io.github.s3flash.api.Codec;
    uses io.github.s3flash.api.BlockSink;

    opens io.github.s3flash.bootloader to info.picocli;
    opens io.github.s3flash.bootloader.release to info.picocli;
}
