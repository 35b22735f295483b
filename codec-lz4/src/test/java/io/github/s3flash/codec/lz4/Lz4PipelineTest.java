package io.github.s3flash.codec.lz4;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.testkit.CliCodecPipelineContract;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Images the lz4 CLI wrote (default, linked 64 KiB blocks, content size with block checksums, legacy,
 * no content checksum), flashed through the whole pipeline: the shared contract.
 */
class Lz4PipelineTest extends CliCodecPipelineContract {

    @Override
    protected Codec codec() {
        return new Lz4Codec();
    }

    @Override
    protected List<List<String>> cliCommands() {
        return List.of(List.of("lz4", "-q", "-c"), List.of("lz4", "-q", "-c", "-BD", "-B4"),
                List.of("lz4", "-q", "-c", "--content-size", "-BX"), List.of("lz4", "-q", "-c", "-l"),
                List.of("lz4", "-q", "-c", "--no-frame-crc", "-B5"));
    }

    @Test
    void aLeadingSkippableFrameDecidesNothingUntilTheFrameAfterIt() {
        var random = new Random(1);
        var codec = new Lz4Codec();
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 4), lz4))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 4), zstd))).isEqualTo(ProbeResult.NO);
        assertThat(codec.probe(head(Lz4CliOracleTest.skippable(random, 100), lz4))).isEqualTo(ProbeResult.POSSIBLY);
        assertThat(codec.probe(head(new byte[] {0x02, 0x21, 0x4C, 0x18}))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(zstd))).isEqualTo(ProbeResult.NO);
    }
}
