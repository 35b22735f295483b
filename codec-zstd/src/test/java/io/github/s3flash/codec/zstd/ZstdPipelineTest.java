package io.github.s3flash.codec.zstd;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.api.Codec;
import io.github.s3flash.api.ProbeResult;
import io.github.s3flash.testkit.CliCodecPipelineContract;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Images the zstd and pzstd CLIs wrote (default, multithreaded with a 2 GiB window, no checksum at
 * level 1, pzstd's independent frames), flashed through the whole pipeline: the shared contract.
 */
class ZstdPipelineTest extends CliCodecPipelineContract {

    @Override
    protected Codec codec() {
        return new ZstdCodec();
    }

    @Override
    protected List<List<String>> cliCommands() {
        return List.of(List.of("zstd", "-q", "-c"), List.of("zstd", "-T0", "--long=31", "-q", "-c"),
                List.of("zstd", "--no-check", "-1", "-q", "-c"), List.of("pzstd", "-p", "2", "-q", "-c"));
    }

    @Test
    void aLeadingSkippableFrameDecidesNothingUntilTheFrameAfterIt() {
        var random = new Random(1);
        var codec = new ZstdCodec();
        byte[] lz4 = {0x04, 0x22, 0x4D, 0x18, 0x64, 0x40, (byte) 0xA7};
        byte[] zstd = {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD, 0, 0, 0};
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 4), zstd))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 4), lz4))).isEqualTo(ProbeResult.NO);
        assertThat(codec.probe(head(ZstdCliOracleTest.skippable(random, 100), zstd))).isEqualTo(ProbeResult.POSSIBLY);
        assertThat(codec.probe(head(zstd))).isEqualTo(ProbeResult.CERTAINLY);
        assertThat(codec.probe(head(lz4))).isEqualTo(ProbeResult.NO);
    }
}
