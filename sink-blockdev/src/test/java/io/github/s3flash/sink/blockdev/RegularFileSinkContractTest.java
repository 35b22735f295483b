package io.github.s3flash.sink.blockdev;

import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.Options;
import io.github.s3flash.testkit.BlockSinkContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** The BlockSink contract on existing regular files (block size 1), in each zero mode and I/O path. */
class RegularFileSinkContractTest {

    private abstract static class OnFiles extends BlockSinkContract {
        @TempDir
        Path files;

        @Override
        protected BlockSink sink() {
            return new BlockDeviceSink();
        }

        @Override
        protected Path target(long capacity) throws IOException {
            byte[] garbage = Disks.garbage(new Random(capacity), (int) capacity);
            return Files.write(Files.createTempFile(files, "disk", ".img"), garbage);
        }

        @Override
        protected byte[] contents(Path target, int length) throws IOException {
            return Disks.readDirect(target, length);
        }
    }

    @Nested
    class Defaults extends OnFiles {}

    @Nested
    class ZeroRangeAndVerify extends OnFiles {
        @Override
        protected Options options() {
            return Options.of(Map.of("zero", "zeroout", "verify", "true"));
        }
    }

    @Nested
    class PunchedHolesBuffered extends OnFiles {
        @Override
        protected Options options() {
            return Options.of(Map.of("zero", "punch", "direct-io", "off", "sync-every", "256k"));
        }
    }

    @Nested
    class SkipIdentical extends OnFiles {
        @Override
        protected Options options() {
            return Options.of(Map.of("skip-identical", "true", "zero", "skip-if-zero"));
        }
    }
}
