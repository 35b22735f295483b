package io.github.s3flash.api;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The installed providers, found with {@link ServiceLoader} (module path and class path alike), and
 * the rules that pick one: a source by URI scheme, a codec by name or by probing, a sink by the one
 * that accepts the target. Where several sources claim a scheme or several sinks accept a target, an
 * option names the one to use; without it the choice is an error naming them all. Immutable and
 * thread-safe.
 */
public final class ProviderRegistry {

    private static final System.Logger LOG = System.getLogger(ProviderRegistry.class.getName());

    /** Option that pins the source provider by name when several claim one scheme. */
    public static final String SOURCE_PROVIDER_OPTION = "source.provider";

    /** Option that pins the sink by name when several accept one target. */
    public static final String SINK_PROVIDER_OPTION = "sink.provider";

    /** Schemes read by the project's optional sources, which are not installed by default: how to add each. */
    private static final java.util.Map<String, String> OPTIONAL_SOURCES = java.util.Map.of("gs",
            "; gs:// is read by the optional gcs source: install it with `s3flash plugins add gcs`"
                    + " (the bootloader release: `release/build.sh --with gcs`)");

    private final List<ImageSource> sources;
    private final List<Codec> codecs;
    private final List<BlockSink> sinks;
    private final List<String> loadFailures;

    private ProviderRegistry(List<ImageSource> sources, List<Codec> codecs, List<BlockSink> sinks,
            List<String> loadFailures) {
        this.sources = List.copyOf(sources);
        this.codecs = List.copyOf(codecs);
        this.sinks = List.copyOf(sinks);
        this.loadFailures = List.copyOf(loadFailures);
    }

    /** Providers visible to this module: the boot layer's modules and the class path. */
    public static ProviderRegistry load() {
        List<String> failures = new ArrayList<>();
        return new ProviderRegistry(
                loadAll(ImageSource.class, ServiceLoader.load(ImageSource.class), failures),
                loadAll(Codec.class, ServiceLoader.load(Codec.class), failures),
                loadAll(BlockSink.class, ServiceLoader.load(BlockSink.class), failures),
                failures);
    }

    /** Providers in {@code layer} and its parents (for plugins loaded into a layer of their own). */
    public static ProviderRegistry load(ModuleLayer layer) {
        requireNonNull(layer, "layer");
        List<String> failures = new ArrayList<>();
        return new ProviderRegistry(
                loadAll(ImageSource.class, ServiceLoader.load(layer, ImageSource.class), failures),
                loadAll(Codec.class, ServiceLoader.load(layer, Codec.class), failures),
                loadAll(BlockSink.class, ServiceLoader.load(layer, BlockSink.class), failures),
                failures);
    }

    /** Exactly these providers, for library users who assemble their own. */
    public static ProviderRegistry of(List<ImageSource> sources, List<Codec> codecs, List<BlockSink> sinks) {
        return new ProviderRegistry(sources, codecs, sinks, List.of());
    }

    private static <T> List<T> loadAll(Class<T> spi, ServiceLoader<T> loader, List<String> failures) {
        // A provider visible both as a module and through META-INF/services is loaded once per route;
        // keep one instance per class. A provider that fails to load (a plugin missing a jar it needs)
        // is left out and recorded, so one broken plugin cannot hide all the others, and whoever
        // must not run without it (s3flash providers --strict, in CI) can refuse.
        var seen = new java.util.LinkedHashMap<String, T>();
        var providers = loader.iterator();
        while (true) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                T provider = providers.next();
                seen.putIfAbsent(provider.getClass().getName(), provider);
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                String failure = "a " + spi.getSimpleName() + " provider failed to load: " + e.getMessage();
                failures.add(failure);
                LOG.log(System.Logger.Level.WARNING, failure, e);
            }
        }
        return new ArrayList<>(seen.values());
    }

    public List<ImageSource> sources() {
        return sources;
    }

    public List<Codec> codecs() {
        return codecs;
    }

    public List<BlockSink> sinks() {
        return sinks;
    }

    /**
     * Providers that were found but failed to load (a missing class, a plugin missing a jar it
     * needs), one sentence each naming the SPI and the error; they are not in this registry.
     */
    public List<String> loadFailures() {
        return loadFailures;
    }

    /**
     * The source for {@code location}'s scheme. When several claim it, the one named by option
     * {@value #SOURCE_PROVIDER_OPTION} wins; without that option it is an error naming them all.
     */
    public ImageSource source(URI location, Options options) throws FlashException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        String scheme = location.getScheme() == null ? "file" : location.getScheme().toLowerCase(Locale.ROOT);
        List<ImageSource> matches = sources.stream().filter(s -> s.schemes().contains(scheme)).toList();
        return choose("source", "read scheme '" + scheme + "'", matches, ImageSource::name, SOURCE_PROVIDER_OPTION,
                options, () -> new NoProviderException("no source is installed for scheme '" + scheme + "' in "
                        + ImageLocations.redact(location) + "; installed schemes: "
                        + names(sources.stream().flatMap(s -> s.schemes().stream()))
                        + OPTIONAL_SOURCES.getOrDefault(scheme, " (add the plugin that reads '" + scheme
                                + "' to the module path)") + failuresNote()));
    }

    /**
     * The sink for {@code target}: the one that accepts it. When several do, the one named by option
     * {@value #SINK_PROVIDER_OPTION} wins; without that option it is an error naming them all.
     */
    public BlockSink sink(Path target, Options options) throws FlashException {
        requireNonNull(target, "target");
        requireNonNull(options, "options");
        List<BlockSink> matches = sinks.stream().filter(s -> s.accepts(target)).toList();
        return choose("sink", "accept target " + target, matches, BlockSink::name, SINK_PROVIDER_OPTION, options,
                () -> new NoProviderException("no installed sink accepts target " + target
                        + (java.nio.file.Files.exists(target) ? "" : " (it does not exist)")
                        + "; installed sinks: " + names(sinks.stream().map(BlockSink::name))
                        + " (give a block device or a regular file, or add the plugin that writes this kind of"
                        + " target)" + failuresNote()));
    }

    /**
     * The one provider in {@code matches} (those that {@code claim} the request), or the one named by
     * {@code option}. None is {@code none}'s error; several without the option are ambiguous.
     */
    private static <T> T choose(String kind, String claim, List<T> matches, java.util.function.Function<T, String> name,
            String option, Options options, java.util.function.Supplier<NoProviderException> none)
            throws FlashException {
        var pinned = options.get(option);
        if (pinned.isPresent()) {
            return matches.stream()
                    .filter(p -> name.apply(p).equals(pinned.get()))
                    .findFirst()
                    .orElseThrow(() -> new NoProviderException("option " + option + "=" + pinned.get()
                            + " names no installed " + kind + " that can " + claim + "; those that can: "
                            + names(matches.stream().map(name))));
        }
        if (matches.isEmpty()) {
            throw none.get();
        }
        if (matches.size() > 1) {
            throw new AmbiguousProviderException("several " + kind + "s " + claim + ": "
                    + names(matches.stream().map(p -> name.apply(p) + " (" + moduleOf(p) + ")"))
                    + "; choose one with option " + option + "=<name>");
        }
        return matches.getFirst();
    }

    private String failuresNote() {
        return loadFailures.isEmpty() ? "" : "; " + loadFailures.size() + " provider(s) failed to load: "
                + String.join("; ", loadFailures);
    }

    /** The codec called {@code name}. */
    public Codec codec(String name) throws NoProviderException {
        requireNonNull(name, "name");
        return codecs.stream()
                .filter(c -> c.name().equalsIgnoreCase(name))
                .findFirst()
                .orElseThrow(() -> new NoProviderException("unknown codec '" + name + "'; installed codecs: "
                        + names(codecs.stream().map(Codec::name)) + failuresNote()));
    }

    /**
     * The one codec certain of {@code head}, the first bytes of the image at {@code location}.
     * {@code raw} is never chosen this way: it must be asked for by name.
     */
    public Codec detectCodec(ByteBuffer head, URI location) throws FlashException {
        List<Codec> certain = new ArrayList<>();
        List<Codec> possible = new ArrayList<>();
        for (Codec codec : codecs) {
            switch (codec.probe(head.asReadOnlyBuffer())) {
                case CERTAINLY -> certain.add(codec);
                case POSSIBLY -> possible.add(codec);
                case NO -> {}
            }
        }
        if (certain.size() == 1) {
            return certain.getFirst();
        }
        if (certain.size() > 1) {
            throw new AmbiguousProviderException("several codecs recognise " + ImageLocations.redact(location) + ": "
                    + names(certain.stream().map(Codec::name)) + "; give the codec by name");
        }
        String hex = java.util.HexFormat.ofDelimiter(" ").formatHex(
                bytesOf(head), 0, Math.min(head.remaining(), 8));
        throw new NoProviderException("no installed codec recognises " + ImageLocations.redact(location) + " (first bytes: "
                + (hex.isEmpty() ? "none, the image is empty" : hex) + "); installed codecs: "
                + names(codecs.stream().map(Codec::name))
                + (possible.isEmpty() ? "" : "; possibly: " + names(possible.stream().map(Codec::name)))
                + "; give the codec by name (codec=raw for an uncompressed image)" + failuresNote());
    }

    /** Every provider with its module and version, without any I/O. */
    public List<ProviderInfo> describe() {
        return Stream.of(
                        sources.stream().map(s -> info("source", s.name(),
                                "schemes: " + String.join(", ", new java.util.TreeSet<>(s.schemes())), s)),
                        codecs.stream().map(c -> info("codec", c.name(), "", c)),
                        sinks.stream().map(s -> info("sink", s.name(), "", s)))
                .flatMap(s -> s)
                .sorted(Comparator.comparing(ProviderInfo::kind).thenComparing(ProviderInfo::name))
                .toList();
    }

    private static ProviderInfo info(String kind, String name, String detail, Object provider) {
        Class<?> type = provider.getClass();
        Module module = type.getModule();
        String version = module.getDescriptor() != null
                ? module.getDescriptor().rawVersion().orElse(null)
                : null;
        if (version == null) {
            version = type.getPackage().getImplementationVersion();
        }
        return new ProviderInfo(kind, name, detail, moduleOf(provider), version == null ? "unknown" : version,
                type.getName());
    }

    private static String moduleOf(Object provider) {
        Module module = provider.getClass().getModule();
        return module.isNamed() ? module.getName() : "unnamed (class path)";
    }

    private static String names(Stream<String> names) {
        String joined = names.distinct().sorted().collect(Collectors.joining(", "));
        return joined.isEmpty() ? "none" : joined;
    }

    private static byte[] bytesOf(ByteBuffer head) {
        byte[] bytes = new byte[head.remaining()];
        head.duplicate().get(bytes);
        return bytes;
    }
}
