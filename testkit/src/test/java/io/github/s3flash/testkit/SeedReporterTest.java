package io.github.s3flash.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Whatever escapes a seeded test names its seeds: an unexpected exception or an Error as well as a
 * failed assertion, and seeds drawn on this thread by the test, not those of the test before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeedReporterTest {

    @Test
    @Order(1)
    void anExceptionOrAnErrorCarriesTheSeedsTheTestDrew() {
        Seeds.drained();
        long first = Seeds.next();
        long second = Seeds.next();
        for (Throwable failure : List.of(new IOException("disk on fire"), new StackOverflowError(),
                new AssertionError("expected 1 but was 2"))) {
            Throwable reported = SeedReporter.report("a test", List.of(first, second), failure);
            assertThat(reported).isSameAs(failure);
            assertThat(Arrays.stream(reported.getSuppressed()).map(Throwable::getMessage))
                    .singleElement().asString()
                    .contains("a test failed with " + Seeds.describe(first) + ", " + Seeds.describe(second));
        }
        assertThat(Seeds.drained()).containsExactly(first, second);
        assertThat(Seeds.drained()).isEmpty();
        // Passing, this test leaves a seed on the thread, as any seeded test does.
        Seeds.next();
    }

    @Test
    void aTestThatDrewNoSeedIsLeftAsItIs() {
        var failure = new IllegalStateException("no seed here");
        assertThat(SeedReporter.report("a test", List.of(), failure).getSuppressed()).isEmpty();
    }

    /**
     * The reporter is registered by itself: JUnit ran its beforeEach for this test, which dropped the
     * seed the first test left on the thread, so a failure here would not be blamed on it.
     */
    @Test
    @Order(2)
    void theReporterIsRegisteredWithoutAnAnnotation() {
        assertThat(Seeds.drained()).isEmpty();
    }
}
