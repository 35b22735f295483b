package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Item 12 of issue 13, on the api's one retry policy (issue 16, item 4): boot mode's waits between
 * whole flash attempts double from a second up to a cap of five minutes and stay there, so a fleet
 * retrying a corrupt object downloads it a few times an hour, not every minute.
 */
class BootBackOffTest {

    @Test
    void waitsDoubleToACapOfFiveMinutesAndNeverEnd() {
        var policy = BootService.BACK_OFF;
        assertThat(policy.maxAttempts()).isEqualTo(Integer.MAX_VALUE);
        for (int n = 0; n < 200; n++) {
            assertThat(policy.delay(1)).isLessThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(policy.delay(4)).isLessThanOrEqualTo(Duration.ofSeconds(8));
            for (int attempt : new int[] {10, 20, 64, 1000, Integer.MAX_VALUE}) {
                assertThat(policy.delay(attempt)).as("attempt %d", attempt).isLessThanOrEqualTo(Duration.ofMinutes(5));
            }
        }
        // Full jitter over [0, 5 min]: the mean of 400 waits is 150 s give or take 4 s, far above one a minute.
        long total = 0;
        for (int n = 0; n < 400; n++) {
            total += policy.delay(30).toMillis();
        }
        assertThat(total / 400).as("mean wait in ms once capped").isBetween(100_000L, 200_000L);
    }
}
