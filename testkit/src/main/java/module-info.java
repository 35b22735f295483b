/**
 * Shared test support for s3flash providers: contract tests every provider of an SPI runs, seeded
 * test images with zero runs, reads split at random boundaries, and loop devices.
 */
module io.github.s3flash.testkit {
    requires transitive io.github.s3flash.api;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports io.github.s3flash.testkit;

    opens io.github.s3flash.testkit to org.junit.platform.commons;

    // Reports the seeds of a failed test, whatever failed (see SeedReporter).
    provides org.junit.jupiter.api.extension.Extension with io.github.s3flash.testkit.SeedReporter;
}
