package io.github.s3flash.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image and its compressed form, made by a stock CLI, for corrupt-input tests.
 *
 * @param name how it was made (the command line), named in failure messages
 * @param checksummed whether the format's checksums guard the data, so that any corruption that
 *     decodes without error must decode to the original
 */
public record CompressedSample(String name, byte[] image, byte[] compressed, boolean checksummed) {

    /**
     * {@code image} compressed by the CLI: {@code command} (which writes to stdout) is run with a
     * file holding the image named last, in {@code dir}.
     */
    public static CompressedSample cli(List<String> command, byte[] image, boolean checksummed, Path dir)
            throws IOException, InterruptedException {
        Path in = Files.write(dir.resolve("sample.bin"), image);
        Path out = dir.resolve("sample.compressed");
        var full = new ArrayList<>(command);
        full.add(in.toString());
        Cli.run(full, null, out);
        return new CompressedSample(String.join(" ", command), image, Files.readAllBytes(out), checksummed);
    }
}
