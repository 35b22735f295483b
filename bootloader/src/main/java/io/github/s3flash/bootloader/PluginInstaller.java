package io.github.s3flash.bootloader;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.Codec;
import io.github.s3flash.api.ImageSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Installs a plugin directory into the plugins directory that the launcher puts on the CLI's module
 * path. A plugin directory holds the plugin's jar and the jars it needs ({@code *.jar}, for the module
 * path) and, for jars that cannot be modules (split packages, as Google's client has),
 * {@code classpath/<module>/*.jar}: the class path, for that module of the plugin (which must read it).
 *
 * <p>Everything is checked before the first file is copied, against the modules the CLI runs with: the
 * JVM refuses to start with two modules of one name in one directory, or one package in two modules,
 * so an install that would cause either is refused. A dependency the CLI already has is not copied
 * again (the first module of a name on the module path is the one the JVM uses).
 */
final class PluginInstaller {

    /** The folder of a plugin directory (and of the plugins directory) that holds class-path jars, per module. */
    static final String CLASS_PATH = "classpath";

    /** The project's optional providers, by name: where the build leaves each as a plugin directory. */
    private static final Map<String, String> BUILT_PLUGINS = Map.of("gcs", "source-gcs/target/plugin");

    private static final Map<String, String> KINDS = Map.of(
            ImageSource.class.getName(), "source", Codec.class.getName(), "codec", BlockSink.class.getName(), "sink");

    /** A module found in a jar. */
    private record Found(ModuleDescriptor descriptor, Path jar) {
        String name() {
            return descriptor.name();
        }

        String label() {
            return descriptor.toNameAndVersion() + " (" + jar + ")";
        }
    }

    /**
     * What an install did: the plugin modules with the kind of provider each is, the module jars copied,
     * the class-path folders made (with their number of jars), and the modules left out because the CLI
     * has them.
     */
    record Outcome(Map<String, String> plugins, List<Path> modules, Map<Path, Integer> classPath, List<String> present) {}

    private final Path pluginsDir;
    private final List<Path> modulePath;

    /**
     * An installer into {@code pluginsDir} for a CLI whose module path is {@code modulePath} (jars and
     * directories of jars; the plugins directory may or may not be among them).
     */
    PluginInstaller(Path pluginsDir, List<Path> modulePath) {
        this.pluginsDir = requireNonNull(pluginsDir, "pluginsDir");
        this.modulePath = List.copyOf(modulePath);
    }

    /**
     * The plugin directory {@code dirOrName} names: a directory, or the name of one of the project's
     * optional providers, built under {@code home} (the repository; null when unknown).
     */
    static Path resolve(String dirOrName, Path home) throws IOException {
        requireNonNull(dirOrName, "dirOrName");
        Path dir = Path.of(dirOrName);
        if (Files.isDirectory(dir)) {
            return dir;
        }
        if (Files.isRegularFile(dir)) {
            throw new IOException(dir + " is a file: give the directory that holds the plugin's jar and the jars it"
                    + " needs (a plugin directory; the example plugin's build makes examples/plugin/target/plugin)");
        }
        String built = BUILT_PLUGINS.get(dirOrName);
        if (built == null) {
            throw new IOException("no plugin directory " + dir.toAbsolutePath() + ", and '" + dirOrName
                    + "' is not one of the optional providers built here (" + String.join(", ", BUILT_PLUGINS.keySet())
                    + "); give a directory that holds the plugin's jar and the jars it needs");
        }
        if (home == null) {
            throw new IOException("'" + dirOrName + "' is built in the s3flash repository, which is not known here:"
                    + " run the repository's ./s3flash launcher, or give the directory (" + built + ")");
        }
        Path dirOfName = home.resolve(built);
        if (!Files.isDirectory(dirOfName)) {
            throw new IOException("the " + dirOrName + " plugin is not built (no " + dirOfName + "): build it with"
                    + " ./mvnw -B -DskipTests -pl " + built.substring(0, built.indexOf('/')) + " -am package");
        }
        return dirOfName;
    }

    /** Checks {@code from} against the installed modules, then copies what is missing. */
    Outcome install(Path from) throws IOException {
        List<Found> offered = modulesIn(from);
        Map<String, String> plugins = new TreeMap<>();
        for (Found f : offered) {
            f.descriptor().provides().stream().map(p -> KINDS.get(p.service())).filter(k -> k != null).sorted()
                    .forEach(kind -> plugins.merge(f.name(), kind, (a, b) -> a.equals(b) ? a : a + ", " + b));
        }
        if (plugins.isEmpty()) {
            throw new IOException("no jar in " + from + " provides an s3flash source, codec or sink (a module that"
                    + " provides " + String.join(", ", new TreeMap<>(KINDS).keySet()) + "): it is not a plugin directory");
        }
        Map<String, Found> installed = installedModules();
        List<Found> toCopy = new ArrayList<>();
        List<String> present = new ArrayList<>();
        for (Found f : offered) {
            Found there = installed.get(f.name());
            if (there == null) {
                toCopy.add(f);
            } else if (plugins.containsKey(f.name())) {
                throw new IOException("module " + f.descriptor().toNameAndVersion() + " is installed already ("
                        + there.jar() + "); a module is installed once (the JVM refuses two of one name): to replace"
                        + " it, delete " + there.jar() + (Files.isDirectory(classPathOf(there.jar().getParent(), f.name()))
                        ? " and " + classPathOf(there.jar().getParent(), f.name()) : "") + ", then add it again");
            } else {
                present.add(there.label());
            }
        }
        checkPackages(toCopy, installed);
        Map<String, List<Path>> classPath = classPathJars(from, toCopy);
        for (Found f : toCopy) {
            Path dest = pluginsDir.resolve(f.jar().getFileName());
            if (Files.exists(dest)) {
                throw new IOException(dest + " exists and is not module " + f.name() + ": rename one of the jars");
            }
        }

        List<Path> copied = new ArrayList<>();
        Map<Path, Integer> classPathDirs = new LinkedHashMap<>();
        try {
            Files.createDirectories(pluginsDir);
            for (Found f : toCopy) {
                copied.add(copy(f.jar(), pluginsDir));
            }
            int modules = copied.size();
            for (var e : classPath.entrySet()) {
                Path dir = classPathOf(pluginsDir, e.getKey());
                // Left by a plugin deleted by hand: its module is not installed, so nothing uses them.
                deleteTree(dir);
                Files.createDirectories(dir);
                for (Path jar : e.getValue()) {
                    copied.add(copy(jar, dir));
                }
                classPathDirs.put(dir, e.getValue().size());
            }
            return new Outcome(plugins, List.copyOf(copied.subList(0, modules)), classPathDirs, present);
        } catch (IOException | RuntimeException e) {
            for (Path p : copied.reversed()) {
                Files.deleteIfExists(p);
            }
            throw e;
        }
    }

    private static Path classPathOf(Path dir, String module) {
        return dir.resolve(CLASS_PATH).resolve(module);
    }

    /** The modules of the jars directly in {@code dir}; two of one name are refused, as the JVM would. */
    private static List<Found> modulesIn(Path dir) throws IOException {
        List<Path> jars = jarsIn(dir);
        if (jars.isEmpty()) {
            throw new IOException("no jars in " + dir + ": a plugin directory holds the plugin's jar and the jars it needs");
        }
        Map<String, Found> byName = new LinkedHashMap<>();
        for (Path jar : jars) {
            Found f = module(jar);
            Found twin = byName.putIfAbsent(f.name(), f);
            if (twin != null) {
                throw new IOException("two jars of module " + f.name() + " in " + dir + ": " + twin.jar().getFileName()
                        + " and " + jar.getFileName() + " (the JVM refuses to start with both): keep one");
            }
        }
        return List.copyOf(byName.values());
    }

    private static List<Path> jarsIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    private static Found module(Path jar) throws IOException {
        try {
            ModuleReference ref = ModuleFinder.of(jar).findAll().stream().findFirst()
                    .orElseThrow(() -> new IOException(jar + " is not a module or a jar"));
            return new Found(ref.descriptor(), jar);
        } catch (FindException e) {
            throw new IOException("cannot read " + jar + " as a module: " + e.getMessage(), e);
        }
    }

    /** The modules the CLI runs with, first of each name first (as the JVM picks them), and those in the plugins directory. */
    private Map<String, Found> installedModules() throws IOException {
        Map<String, Found> installed = new LinkedHashMap<>();
        List<Path> places = new ArrayList<>(modulePath);
        places.add(pluginsDir);
        for (Path place : places) {
            List<Path> jars = Files.isDirectory(place) ? jarsIn(place)
                    : Files.isRegularFile(place) ? List.of(place) : List.of();
            for (Path jar : jars) {
                Found f = module(jar);
                installed.putIfAbsent(f.name(), f);
            }
        }
        return installed;
    }

    /**
     * One package in two modules stops the JVM at start: refused here, against the modules on the
     * module path and those of the runtime.
     */
    private static void checkPackages(List<Found> toCopy, Map<String, Found> installed) throws IOException {
        Map<String, String> owners = new TreeMap<>();
        for (Module m : ModuleLayer.boot().modules()) {
            m.getPackages().forEach(p -> owners.putIfAbsent(p, m.getName() + " (the Java runtime or the CLI)"));
        }
        for (Found f : installed.values()) {
            f.descriptor().packages().forEach(p -> owners.putIfAbsent(p, f.label()));
        }
        for (Found f : toCopy) {
            for (String p : new TreeSet<>(f.descriptor().packages())) {
                String owner = owners.putIfAbsent(p, f.label());
                if (owner != null) {
                    throw new IOException("package " + p + " is in both " + f.label() + " and " + owner
                            + " (the JVM refuses to start with one package in two modules); a jar that splits"
                            + " packages belongs on the class path: " + CLASS_PATH + "/<plugin module>/ in the plugin directory");
                }
            }
        }
    }

    /**
     * The class-path jars of {@code from}, by the module that reads them, which must be a module of
     * {@code from} that is being installed.
     */
    private static Map<String, List<Path>> classPathJars(Path from, List<Found> toCopy) throws IOException {
        Map<String, List<Path>> jars = new TreeMap<>();
        Path root = from.resolve(CLASS_PATH);
        if (!Files.isDirectory(root)) {
            return jars;
        }
        List<Path> dirs;
        try (Stream<Path> entries = Files.list(root)) {
            dirs = entries.sorted(Comparator.naturalOrder()).toList();
        }
        for (Path dir : dirs) {
            String module = dir.getFileName().toString();
            if (!Files.isDirectory(dir) || toCopy.stream().noneMatch(f -> f.name().equals(module))) {
                throw new IOException(dir + ": " + CLASS_PATH + "/ holds one folder per module of the plugin directory,"
                        + " named after the module that reads its jars; " + module + " is not such a module");
            }
            jars.put(module, jarsIn(dir));
        }
        return jars;
    }

    /** Copies {@code jar} into {@code dir} under a name the JVM ignores, then renames it in place. */
    private static Path copy(Path jar, Path dir) throws IOException {
        Path dest = dir.resolve(jar.getFileName());
        Path part = dir.resolve("." + jar.getFileName() + ".part");
        Files.copy(jar, part, StandardCopyOption.REPLACE_EXISTING);
        return Files.move(part, dest, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
