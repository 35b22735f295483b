package io.github.s3flash.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptionsTest {

    @Test
    void parsesSizesDurationsAndBooleans() throws InvalidOptionException {
        var o = Options.of(Map.ofEntries(Map.entry("a", "4m"), Map.entry("b", "512k"), Map.entry("c", "1GiB"),
                Map.entry("d", "4096"), Map.entry("e", "2 MB"), Map.entry("t", "30s"), Map.entry("u", "250ms"),
                Map.entry("v", "2"), Map.entry("w", "5m"), Map.entry("x", "1h"), Map.entry("yes", "on"),
                Map.entry("no", "false")));
        assertThat(o.getSize("a", 0)).isEqualTo(4L << 20);
        assertThat(o.getSize("b", 0)).isEqualTo(512L << 10);
        assertThat(o.getSize("c", 0)).isEqualTo(1L << 30);
        assertThat(o.getSize("d", 0)).isEqualTo(4096);
        assertThat(o.getSize("e", 0)).isEqualTo(2L << 20);
        assertThat(o.getSize("missing", 7)).isEqualTo(7);
        assertThat(o.getDuration("t", null)).isEqualTo(Duration.ofSeconds(30));
        assertThat(o.getDuration("u", null)).isEqualTo(Duration.ofMillis(250));
        assertThat(o.getDuration("v", null)).isEqualTo(Duration.ofSeconds(2));
        assertThat(o.getDuration("w", null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(o.getDuration("x", null)).isEqualTo(Duration.ofHours(1));
        assertThat(o.getBoolean("yes", false)).isTrue();
        assertThat(o.getBoolean("no", true)).isFalse();
    }

    @Test
    void malformedValuesAreInvalidOptionsNamingKeyAndValue() {
        var o = Options.of(Map.of("read.concurrency", "lots", "chunk-size", "4q", "create", "maybe",
                "timeout", "-5s", "delay", "5 fortnights", "huge", "99999999999999999999", "big", "9999999999999t",
                "long", "9999999999999999h"));
        assertThatThrownBy(() -> o.getInt("read.concurrency", 1, 0, 256))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("read.concurrency=lots")
                .hasMessageContaining("a whole number from 0 to 256")
                .satisfies(e -> assertThat(((InvalidOptionException) e).key()).isEqualTo("read.concurrency"));
        assertThatThrownBy(() -> o.getSize("chunk-size", 1))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("chunk-size=4q");
        assertThatThrownBy(() -> o.getBoolean("create", false))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("create=maybe");
        assertThatThrownBy(() -> o.getDuration("timeout", Duration.ZERO))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("timeout=-5s");
        assertThatThrownBy(() -> o.getDuration("delay", Duration.ZERO))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("a duration such as");
        assertThatThrownBy(() -> o.getLong("huge", 0)).isInstanceOf(InvalidOptionException.class);
        assertThatThrownBy(() -> o.getSize("big", 0)).isInstanceOf(InvalidOptionException.class);
        assertThatThrownBy(() -> o.getDuration("long", Duration.ZERO)).isInstanceOf(InvalidOptionException.class);
        assertThat(new InvalidOptionException("k", "m")).isInstanceOf(FlashException.class);
        assertThat(new InvalidOptionException("k", "m").retryable()).isFalse();
    }

    @Test
    void rangedGettersRefuseValuesOutsideTheirRange() throws InvalidOptionException {
        var o = Options.of(Map.of("n", "300", "zero", "0", "size", "2g", "t", "0", "slow", "2h", "ok", "12"));
        assertThatThrownBy(() -> o.getInt("n", 1, 0, 256))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("n=300 is out of range: expected 0 to 256");
        assertThatThrownBy(() -> o.getInt("zero", 1, 1, Integer.MAX_VALUE))
                .hasMessageContaining("zero=0 is out of range: expected at least 1");
        assertThatThrownBy(() -> o.getSize("size", 1, 1, 1L << 30))
                .hasMessageContaining("size=2g is out of range: expected 1 to 1073741824");
        assertThatThrownBy(() -> o.getPositiveDuration("t", Duration.ofSeconds(1), Duration.ofHours(1)))
                .hasMessageContaining("t=0 is out of range: expected 1ms to 60m");
        assertThatThrownBy(() -> o.getDuration("slow", Duration.ZERO, Duration.ZERO, Duration.ofHours(1)))
                .hasMessageContaining("slow=2h is out of range");
        assertThat(o.getInt("ok", 1, 1, 12)).isEqualTo(12);
        assertThat(o.getInt("absent", 99, 1, 12)).as("a default is not checked against the range").isEqualTo(99);
        assertThatThrownBy(() -> o.getInt("ok", 1, 5, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringShowsKeysButNoValueThatMayBeASecret() {
        var o = Options.of(Map.of("http.header.Authorization", "Bearer s3cr3t", "read.concurrency", "4"));
        assertThat(o.toString()).contains("http.header.Authorization", "read.concurrency").doesNotContain("s3cr3t");
        var plan = FlashPlan.of(java.net.URI.create("https://u:pw@h/x?X-Amz-Signature=sig"), java.nio.file.Path.of("/t"))
                .withOptions(o);
        assertThat(plan.toString()).doesNotContain("s3cr3t", "pw", "sig");
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
    void pipelineSettingsRefuseUnalignedChunksAndValuesOutOfRange() throws InvalidOptionException {
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("chunk-size", "5000"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("4096");
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("chunk-size", "2g"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("chunk-size=2g is out of range");
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("read.concurrency", "999"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("read.concurrency=999");
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("retry.attempts", "0"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("retry.attempts=0");
        assertThatThrownBy(() -> PipelineSettings.from(Options.of(Map.of("retry.give-up-after", "0"))))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("retry.give-up-after=0");
        assertThat(PipelineSettings.from(Options.empty()).chunkSize()).isEqualTo(4 << 20);
        assertThat(PipelineSettings.from(Options.empty()).retry()).isEqualTo(RetryPolicy.DEFAULT);
    }
}
