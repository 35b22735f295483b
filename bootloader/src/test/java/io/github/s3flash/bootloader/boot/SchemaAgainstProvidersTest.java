package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.FlashPlan;
import io.github.s3flash.api.Flasher;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.testkit.LoopDevice;
import io.github.s3flash.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema's rules for the pipeline's and the block sink's options are within their owners' own
 * checks: every good value builds the pipeline's settings, and a flash onto a real loop device with
 * each good value of each sink option (as boot mode passes it) succeeds, byte for byte. Whatever
 * configure lets into grub.cfg, they take.
 */
class SchemaAgainstProvidersTest {

    private static final List<String> SINK_OPTIONS = List.of("verify", "zero", "force", "skip-identical", "direct-io",
            "sync-every");

    @TempDir
    Path dir;

    @Test
    void everyGoodValueOfAPipelineOptionIsOneThePipelineTakes() throws IOException {
        int checked = 0;
        for (BootOptionSchema.Rule rule : BootOptionSchema.rules()) {
            String key = rule.key().replace(BootOptionSchema.OPTION_PREFIX, "");
            if (List.of("chunk-size", "buffers", "read.part-size", "read.concurrency", "retry.attempts",
                    "retry.base-delay", "retry.max-delay").contains(key)) {
                for (String good : rule.good()) {
                    PipelineSettings.from(Options.of(Map.of(key, good)));
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(15);
    }

    @Test
    void everyGoodValueOfASinkOptionIsOneTheSinkTakes() throws IOException {
        byte[] image = TestImages.diskLike(new Random(21), 1 << 20);
        Path source = Files.write(dir.resolve("os.img"), image);
        Flasher flasher = Flasher.withInstalledProviders();
        int flashes = 0;
        try (var loop = LoopDevice.create(dir, 2 << 20)) {
            for (BootOptionSchema.Rule rule : BootOptionSchema.rules()) {
                String key = rule.key().replace(BootOptionSchema.OPTION_PREFIX, "");
                if (!SINK_OPTIONS.contains(key)) {
                    continue;
                }
                for (String good : rule.good()) {
                    var plan = new FlashPlan(source.toUri(), loop.device(), "raw", TestImages.sha256(image),
                            Options.of(Map.of(key, good)));
                    assertThat(flasher.flash(plan).sha256()).as("%s=%s", key, good).isEqualTo(TestImages.sha256(image));
                    assertThat(loop.read(image.length)).as("%s=%s", key, good).isEqualTo(image);
                    flashes++;
                }
            }
        }
        assertThat(flashes).isGreaterThan(20);
    }
}
