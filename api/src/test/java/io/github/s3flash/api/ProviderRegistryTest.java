package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.internal.FileImageSource;
import io.github.s3flash.api.internal.RawCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Selection rules, with small providers written here (real implementations of the SPIs). */
class ProviderRegistryTest {

    /** A codec recognising a 4-byte magic; it never decodes anything in these tests. */
    private record MagicCodec(String name, String magic) implements Codec {
        @Override
        public ProbeResult probe(ByteBuffer head) {
            byte[] m = magic.getBytes(StandardCharsets.US_ASCII);
            if (head.remaining() < m.length) {
                return ProbeResult.POSSIBLY;
            }
            for (int i = 0; i < m.length; i++) {
                if (head.get(head.position() + i) != m[i]) {
                    return ProbeResult.NO;
                }
            }
            return ProbeResult.CERTAINLY;
        }

        @Override
        public InputStream decode(InputStream compressed) {
            return compressed;
        }

        @Override
        public OutputStream encode(OutputStream out, Options options) {
            return out;
        }
    }

    private record SchemeSource(String name, Set<String> schemes) implements ImageSource {
        @Override
        public PinnedImage open(URI location, Options options) throws ImageNotFoundException {
            throw new ImageNotFoundException("nothing at " + location);
        }
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void loadFindsTheBuiltInFileSourceAndRawCodec() throws FlashException {
        ProviderRegistry registry = ProviderRegistry.load();
        assertThat(registry.source(URI.create("file:/x"), Options.empty())).isInstanceOf(FileImageSource.class);
        assertThat(registry.codec("raw")).isInstanceOf(RawCodec.class);
        assertThat(registry.describe()).extracting(ProviderInfo::name).contains("file", "raw");
        assertThat(registry.describe()).filteredOn(p -> p.name().equals("raw"))
                .extracting(ProviderInfo::module).containsExactly("io.github.s3flash.api");
    }

    @Test
    void unknownSchemeListsInstalledSchemes() {
        var registry = ProviderRegistry.of(List.of(new FileImageSource()), List.of(), List.of());
        assertThatThrownBy(() -> registry.source(URI.create("ftp://h/x"), Options.empty()))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("scheme 'ftp'")
                .hasMessageContaining("installed schemes: file");
    }

    @Test
    void anOptionalProvidersSchemeNamesTheStepThatInstallsIt() {
        var registry = ProviderRegistry.of(List.of(new FileImageSource()), List.of(), List.of());
        assertThatThrownBy(() -> registry.source(URI.create("gs://bucket/os.img.lz4"), Options.empty()))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("scheme 'gs'")
                .hasMessageContaining("s3flash plugins add gcs")
                .hasMessageContaining("release/build.sh --with gcs");
    }

    @Test
    void twoSourcesForOneSchemeAreAmbiguousUnlessPinned() throws FlashException {
        var a = new SchemeSource("alpha", Set.of("s3"));
        var b = new SchemeSource("beta", Set.of("s3"));
        var registry = ProviderRegistry.of(List.of(a, b), List.of(), List.of());
        URI uri = URI.create("s3://b/k");
        assertThatThrownBy(() -> registry.source(uri, Options.empty()))
                .isInstanceOf(AmbiguousProviderException.class)
                .hasMessageContaining("alpha").hasMessageContaining("beta")
                .hasMessageContaining(ProviderRegistry.SOURCE_PROVIDER_OPTION);
        assertThat(registry.source(uri, Options.empty().with(ProviderRegistry.SOURCE_PROVIDER_OPTION, "beta")))
                .isSameAs(b);
        assertThatThrownBy(() -> registry.source(uri, Options.empty().with(ProviderRegistry.SOURCE_PROVIDER_OPTION, "gamma")))
                .isInstanceOf(NoProviderException.class).hasMessageContaining("gamma");
    }

    @Test
    void codecByNameOrByExactlyOneCertainProbe() throws FlashException {
        var x = new MagicCodec("xx", "XXXX");
        var y = new MagicCodec("yy", "YYYY");
        var registry = ProviderRegistry.of(List.of(), List.of(new RawCodec(), x, y), List.of());
        URI where = URI.create("file:/img");
        assertThat(registry.codec("YY")).isSameAs(y);
        assertThat(registry.detectCodec(bytes("XXXXdata"), where)).isSameAs(x);
        assertThatThrownBy(() -> registry.codec("lzma"))
                .isInstanceOf(NoProviderException.class).hasMessageContaining("installed codecs: raw, xx, yy");
        assertThatThrownBy(() -> registry.detectCodec(bytes("ZZZZdata"), where))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("no installed codec recognises file:/img")
                .hasMessageContaining("5a 5a 5a 5a")
                .hasMessageContaining("installed codecs: raw, xx, yy")
                .hasMessageContaining("codec=raw for an uncompressed image");
    }

    @Test
    void rawIsNeverChosenByProbingEvenForEmptyImages() {
        var registry = ProviderRegistry.of(List.of(), List.of(new RawCodec()), List.of());
        assertThatThrownBy(() -> registry.detectCodec(ByteBuffer.allocate(0), URI.create("file:/empty")))
                .isInstanceOf(NoProviderException.class).hasMessageContaining("the image is empty");
    }

    @Test
    void twoCertainCodecsAreAmbiguous() {
        var registry = ProviderRegistry.of(List.of(), List.of(new MagicCodec("a", "SAME"), new MagicCodec("b", "SAME")),
                List.of());
        assertThatThrownBy(() -> registry.detectCodec(bytes("SAME...."), URI.create("file:/i")))
                .isInstanceOf(AmbiguousProviderException.class).hasMessageContaining("a, b");
    }

    /** A sink that accepts the paths under a directory; it never opens anything in these tests. */
    private record PrefixSink(String name, Path under) implements BlockSink {
        @Override
        public boolean accepts(Path target) {
            return target.startsWith(under);
        }

        @Override
        public BlockTarget open(Path target, Options options) throws TargetUnavailableException {
            throw new TargetUnavailableException("not in these tests: " + target);
        }
    }

    @Test
    void noSinkAcceptingNamesTheTargetAndTheInstalledSinks() {
        var registry = ProviderRegistry.of(List.of(), List.of(), List.of(new PrefixSink("disks", Path.of("/dev"))));
        assertThatThrownBy(() -> registry.sink(Path.of("/tmp/s3flash-no-such-file"), Options.empty()))
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("no installed sink accepts target /tmp/s3flash-no-such-file (it does not exist)")
                .hasMessageContaining("installed sinks: disks");
    }

    @Test
    void twoSinksAcceptingOneTargetAreAmbiguousUnlessPinned() throws FlashException {
        var wide = new PrefixSink("wide", Path.of("/"));
        var narrow = new PrefixSink("narrow", Path.of("/dev"));
        var registry = ProviderRegistry.of(List.of(), List.of(), List.of(wide, narrow));
        assertThat(registry.sink(Path.of("/tmp/x"), Options.empty())).isSameAs(wide);
        assertThatThrownBy(() -> registry.sink(Path.of("/dev/vda"), Options.empty()))
                .isInstanceOf(AmbiguousProviderException.class)
                .hasMessageContaining("several sinks accept target /dev/vda")
                .hasMessageContaining("narrow").hasMessageContaining("wide")
                .hasMessageContaining("option " + ProviderRegistry.SINK_PROVIDER_OPTION + "=<name>");
        Options pinned = Options.empty().with(ProviderRegistry.SINK_PROVIDER_OPTION, "narrow");
        assertThat(registry.sink(Path.of("/dev/vda"), pinned)).isSameAs(narrow);
        assertThatThrownBy(() -> registry.sink(Path.of("/tmp/x"), pinned))
                .as("a pinned sink that does not accept the target")
                .isInstanceOf(NoProviderException.class)
                .hasMessageContaining("option sink.provider=narrow names no installed sink that can accept target /tmp/x")
                .hasMessageContaining("those that can: wide");
    }

    @Test
    void libraryMessagesNameOptionsNotCommandLineFlags() {
        var registry = ProviderRegistry.of(List.of(), List.of(new RawCodec(), new MagicCodec("a", "SAME"),
                new MagicCodec("b", "SAME")), List.of());
        assertThatThrownBy(() -> registry.detectCodec(bytes("ZZZZ...."), URI.create("file:/i")))
                .hasMessageContaining("codec=raw").hasMessageNotContaining("--");
        assertThatThrownBy(() -> registry.detectCodec(bytes("SAME...."), URI.create("file:/i")))
                .hasMessageNotContaining("--");
    }
}
