package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void parsesSizesDurationsAndBooleans() {
        var o = Options.of(Map.of("a", "4m", "b", "512k", "c", "1GiB", "d", "4096", "t", "30s", "u", "250ms",
                "v", "2", "yes", "on", "no", "false"));
        assertThat(o.getSize("a", 0)).isEqualTo(4L << 20);
        assertThat(o.getSize("b", 0)).isEqualTo(512L << 10);
        assertThat(o.getSize("c", 0)).isEqualTo(1L << 30);
        assertThat(o.getSize("d", 0)).isEqualTo(4096);
        assertThat(o.getSize("missing", 7)).isEqualTo(7);
        assertThat(o.getDuration("t", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.getDuration("u", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(o.getDuration("v", null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.getBoolean("yes", false)).isTrue();
        assertThat(o.getBoolean("no", true)).isFalse();
    }

    @Test
    void malformedValuesNameTheKey() {
        var o = Options.of(Map.of("read.concurrency", "lots", "chunk-size", "4q", "create", "maybe"));
        assertThatThrownBy(() -> o.getInt("read.concurrency", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read.concurrency=lots");
        assertThatThrownBy(() -> o.getSize("chunk-size", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("chunk-size=4q");
        assertThatThrownBy(() -> o.getBoolean("create", false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("create=maybe");
    }

    @Test
    void withReturnsCopies() {
        var a = Options.empty().with("k", "1");
        var b = a.with("k", "2").with(Options.of(Map.of("j", "3")));
        assertThat(a.get("k")).contains("1");
        assertThat(b.values()).containsExactlyInAnyOrderEntriesOf(Map.of("k", "2", "j", "3"));
        assertThat(b.with("k", null).get("k")).isEmpty();
    }

    @Test
    void pipelineSettingsRefuseUnalignedChunks() {
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("chunk-size", "5000"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096");
        assertThat(PipelineSettings.from(Options.empty()).chunkSize()).isEqualTo(4 << 20);
    }
}
