package io.github.s3flash.bootloader;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import io.github.s3flash.api.PublishStream;
import io.github.s3flash.api.index.IndexedImageWriter;
import io.github.s3flash.api.index.ManifestSigner;
import io.github.s3flash.api.index.WriterSettings;
import io.github.s3flash.api.index.WrittenImage;
import io.github.s3flash.api.sshsig.SshPrivateKey;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code s3flash image create}: an indexed image from a file, a block device or stdin, to a file, stdout or S3. */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Make an indexed image: chunks compressed in parallel on every core into independent lz4 or"
            + " zstd frames, all-zero chunks recognised for almost nothing, then the manifest, the signature and"
            + " the footer. Published whole or not at all: a file appears by rename, an S3 object when its"
            + " multipart upload completes."},
        footer = {"", "Examples:",
            "  s3flash image create --source /dev/xvdg --target s3://images/os.img.lz4 --sign-key ~/.ssh/id_ed25519",
            "  qemu-img dd ... | s3flash image create --source - --target os.img.zst --codec zstd --level 9",
            "", ImageCommand.EXIT_CODES})
final class ImageCreateCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--source", required = true, paramLabel = "PATH|-",
            description = "The disk image: a file, a block device, or - for stdin.")
    private String source;

    @Option(names = "--target", required = true, paramLabel = "URI|PATH|-",
            description = "Where the indexed image goes: a path, file:/path, s3://bucket/key, or - for stdout.")
    private String target;

    @Option(names = "--codec", defaultValue = "lz4", paramLabel = "lz4|zstd",
            description = "The frames' codec. Default: ${DEFAULT-VALUE}.")
    private String codec;

    @Option(names = "--chunk-size", defaultValue = "4m", paramLabel = "SIZE",
            description = "Decoded bytes per chunk: a power of two from 64k to 64m. Default: ${DEFAULT-VALUE}.")
    private String chunkSize;

    @Option(names = "--level", paramLabel = "N",
            description = "Compression level (lz4: 1 to 12, default 1; zstd: 1 to 19 and more, default 3).")
    private Integer level;

    @Option(names = "--sign-key", paramLabel = "KEY",
            description = "Sign the manifest with this unencrypted OpenSSH private key (Ed25519, ECDSA, RSA).")
    private Path signKey;

    @Mixin
    private ImageOptions.Threads threads;

    @Mixin
    private ImageOptions.Providers options;

    @Mixin
    private ImageOptions.Progress progress;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        WriterSettings settings;
        Options opts;
        URI destination;
        try {
            opts = Options.of(options.values);
            Options encode = level == null ? Options.empty() : Options.empty().with("level", level.toString());
            long size = Options.of(Map.of("--chunk-size", chunkSize)).getSize("--chunk-size", 0);
            settings = new WriterSettings((int) Math.min(size, Integer.MAX_VALUE), encode, threads.count());
            destination = target.equals("-") ? null : ImageLocations.parse(target);
        } catch (IllegalArgumentException | io.github.s3flash.api.InvalidOptionException e) {
            return ImageCommand.refuse(spec.commandLine(), "create", e);
        }
        var printer = new ChunkProgressPrinter(err, progress.mode, progress.interval(), sourceLength(), "written");
        try {
            ProviderRegistry registry = ProviderRegistry.load();
            Codec frames = registry.codec(codec.toLowerCase(Locale.ROOT));
            var writer = new IndexedImageWriter(frames, settings);
            // Everything that can fail without reading the image fails first: the key, the input, the target.
            ManifestSigner signer = signKey == null ? null : ManifestSigner.of(SshPrivateKey.read(signKey));
            try (InputStream in = openSource();
                    PublishStream published = destination == null ? null
                            : registry.source(destination, opts).publish(destination, opts);
                    OutputStream out = new BufferedOutputStream(published != null ? published : stdout(), 1 << 20)) {
                WrittenImage written = writer.write(in, out, signer, printer);
                out.flush();
                String version = published == null ? null : published.commit();
                printer.finish();
                report(destination == null ? err : spec.commandLine().getOut(), written, version, frames.name());
            }
            return ExitCode.OK;
        } catch (IOException | IllegalArgumentException e) {
            printer.finish();
            if (destination == null) {
                err.println("s3flash image create: the image written to stdout is incomplete");
            }
            return ImageCommand.refuse(spec.commandLine(), "create", e);
        }
    }

    private InputStream openSource() throws IOException {
        if (source.equals("-")) {
            return System.in;
        }
        Path path = Path.of(source);
        if (!Files.exists(path)) {
            throw new ImageNotFoundException("source " + path + " does not exist; give a disk image file, a block"
                    + " device or - for stdin");
        }
        if (Files.isDirectory(path)) {
            throw new ImageNotFoundException("source " + path + " is a directory; give a disk image file or a block"
                    + " device");
        }
        // A sparse file's holes are skipped, not read (SparseFileInput).
        return new SparseFileInput(path);
    }

    /** The source's length for progress: a file's size, a block device's capacity, or -1 (stdin). */
    private long sourceLength() {
        if (source.equals("-")) {
            return -1;
        }
        try (FileChannel channel = FileChannel.open(Path.of(source), StandardOpenOption.READ)) {
            long size = channel.size();
            return size > 0 ? size : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Standard output as bytes, through a channel (which reuses one native buffer, where a
     * FileOutputStream allocates one per large write); not closed by the writer, since the JVM owns it.
     */
    private static OutputStream stdout() {
        FileChannel channel = new FileOutputStream(FileDescriptor.out).getChannel();
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                var buffer = java.nio.ByteBuffer.wrap(b, off, len);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        };
    }

    private void report(PrintWriter out, WrittenImage w, String version, String codecName) {
        var m = w.manifest();
        out.println("created " + (target.equals("-") ? "an indexed image on stdout"
                : ImageLocations.redact(ImageLocations.parse(target))));
        if (version != null) {
            out.println("  version:       " + version);
        }
        out.println("  codec:         " + codecName + (level == null ? "" : " (level " + level + ")"));
        out.println("  chunk size:    " + ImageSupport.bytes(m.chunkSize()));
        out.println("  image bytes:   " + ImageSupport.bytes(m.imageLength()));
        out.println("  object bytes:  " + ImageSupport.bytes(w.objectLength())
                + (m.imageLength() > 0 ? String.format(Locale.ROOT, ", %.1f%% of the image",
                        100.0 * w.objectLength() / m.imageLength()) : ""));
        out.println("  chunks:        " + m.chunkCount() + " (" + m.zeroChunks() + " all-zero)");
        out.println("  image digest:  " + w.digest());
        out.println("  signer:        " + (w.signature() == null ? "none (unsigned)" : w.signature().key()
                + (signKey == null ? "" : " (" + signKey + ")")));
        out.println("  time:          " + FlashCommand.describe(w.elapsed()));
        out.println("  rate:          " + String.format(Locale.ROOT, "%.1f MB/s",
                m.imageLength() / (Math.max(w.elapsed().toNanos(), 1) / 1e9) / 1e6));
        out.flush();
    }
}
