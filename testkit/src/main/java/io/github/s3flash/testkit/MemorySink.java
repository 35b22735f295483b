package io.github.s3flash.testkit;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.TargetUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A sink of {@link MemoryDisk}s, each attached under a path: it accepts exactly those paths and opens
 * them as targets that check the BlockTarget contract as they are used. Not a registered service:
 * tests hand it to {@link io.github.s3flash.api.ProviderRegistry#of}. Thread-safe.
 */
public final class MemorySink implements BlockSink {

    private final String name;
    private final Map<Path, MemoryDisk> disks = new ConcurrentHashMap<>();

    public MemorySink() {
        this("memory");
    }

    /** A sink called {@code name} (two sinks that accept one path need different names). */
    public MemorySink(String name) {
        this.name = requireNonNull(name, "name");
    }

    /** Makes {@code disk} the target at {@code path}. */
    public MemorySink attach(Path path, MemoryDisk disk) {
        disks.put(key(path), requireNonNull(disk, "disk"));
        return this;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean accepts(Path target) {
        return disks.containsKey(key(target));
    }

    @Override
    public BlockTarget open(Path target, Options options) throws IOException {
        requireNonNull(options, "options");
        MemoryDisk disk = disks.get(key(target));
        if (disk == null) {
            throw new TargetUnavailableException("no memory disk is attached at " + target);
        }
        disk.opened();
        return new MemoryTarget(target, disk);
    }

    private static Path key(Path path) {
        return requireNonNull(path, "path").toAbsolutePath().normalize();
    }
}
