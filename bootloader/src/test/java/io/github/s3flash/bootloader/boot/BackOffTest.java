package io.github.s3flash.bootloader.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3flash.testkit.Seeds;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Item 12 of issue 13: boot mode's waits between whole flash attempts double from a second up to a
 * cap of five minutes, and stay there: every attempt downloads the image again, so a fleet retrying a
 * corrupt object does so a few times an hour, not every minute.
 */
class BackOffTest {

    @Test
    void waitsDoubleToACapOfFiveMinutesAndStayThere() {
        long seed = Seeds.next();
        var random = new Random(seed);
        BackOff b = BackOff.BOOT;
        for (int n = 0; n < 200; n++) {
            assertThat(b.delay(1, random)).as(Seeds.describe(seed)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(1));
            assertThat(b.delay(4, random)).as(Seeds.describe(seed)).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
            for (int attempt : new int[] {10, 20, 64, 1000, Integer.MAX_VALUE}) {
                assertThat(b.delay(attempt, random)).as("%s, attempt %d", Seeds.describe(seed), attempt)
                        .isBetween(Duration.ofSeconds(150), Duration.ofMinutes(5));
            }
        }
    }
}
