import io.github.s3flash.api.BlockSink;
import io.github.s3flash.api.BlockTarget;
import io.github.s3flash.api.Options;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.ServiceLoader;

/**
 * The sink alone, as dd runs: read a raw image in 4 MiB chunks into an aligned buffer, hand all-zero
 * chunks to zero() and the rest to write(), then force(). No decoding, no hashing (that is the
 * pipeline's cost, measured by the CLI runs of sink-bench.sh). Prints the seconds from open() to
 * after force() and close(), and the seconds open() took (linking the native calls is most of it).
 *
 * <p>Usage: java -p <sink jar>:<api jar> --add-modules ALL-MODULE-PATH \
 *   --enable-native-access=io.github.s3flash.sink.blockdev SinkBench.java IMAGE TARGET [key=value...]
 */
public final class SinkBench {

    private static final int CHUNK = 4 << 20;

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        Path targetPath = Path.of(args[1]);
        var options = new HashMap<String, String>();
        for (int i = 2; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            options.put(kv[0], kv[1]);
        }
        BlockSink sink = ServiceLoader.load(BlockSink.class).stream().map(ServiceLoader.Provider::get)
                .filter(s -> s.name().equals("blockdev")).findFirst().orElseThrow();
        ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK + 4096).alignedSlice(4096);
        // The pipeline's zero test: compare against a small zero block that stays in cache.
        ByteBuffer zeros = ByteBuffer.allocateDirect(64 << 10);
        long start = System.nanoTime();
        long opened;
        try (FileChannel in = FileChannel.open(image, StandardOpenOption.READ);
                BlockTarget target = sink.open(targetPath, Options.of(options))) {
            opened = System.nanoTime();
            long offset = 0;
            while (true) {
                buffer.clear();
                while (buffer.hasRemaining() && in.read(buffer) > 0) {
                    // fill the chunk
                }
                buffer.flip();
                int n = buffer.remaining();
                if (n == 0) {
                    break;
                }
                if (allZero(buffer, zeros)) {
                    target.zero(offset, n);
                } else {
                    target.write(offset, buffer);
                }
                offset += n;
            }
            target.force();
        }
        long end = System.nanoTime();
        System.out.printf("%.3f %.3f%n", (end - start) / 1e9, (opened - start) / 1e9);
    }

    private static boolean allZero(ByteBuffer data, ByteBuffer zeros) {
        for (int at = 0; at < data.limit(); at += zeros.capacity()) {
            int n = Math.min(zeros.capacity(), data.limit() - at);
            if (data.slice(at, n).mismatch(zeros.slice(0, n)) != -1) {
                return false;
            }
        }
        return true;
    }
}
