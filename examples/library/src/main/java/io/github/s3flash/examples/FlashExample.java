package io.github.s3flash.examples;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.FlashResult;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.ImageLocations;
import io.github.s3flash.api.ProgressEvent;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Flashes an image with the library: {@code FlashExample <source> <target-file>}. The source may be
 * any URI an installed source reads, or a local path; the codec is detected from the image.
 */
public final class FlashExample {

    private FlashExample() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: FlashExample <source uri or path> <target file>");
            System.exit(2);
        }
        FlashPlan plan = FlashPlan.of(ImageLocations.parse(args[0]), Path.of(args[1]))
                .withOption("create", "true");
        FlashResult result = Flasher.withInstalledProviders().flash(plan, event -> {
            if (event instanceof ProgressEvent.Started started) {
                System.out.println("decoding with " + started.codec());
            }
        });
        System.out.println("wrote " + result.bytesWritten() + " bytes, sha256 " + result.sha256());
    }
}
