import io.github.s3flash.api.Codec;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.ProviderRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Decodes FILE with the installed codec NAME, reading 256 KiB at a time as the pipeline does, and
 * prints "decoded-bytes seconds cpu-seconds" (decode time inside the JVM, after start-up, and the CPU
 * time of the decoding thread, which leaves out JIT and GC threads), or with --sha256 the
 * SHA-256 of the decoded bytes (for the check, not timed). Usage: CodecBench NAME FILE [--sha256].
 * The JNI library is loaded (by encoding nothing) before the clock starts: zstd-jni extracts its
 * library from the jar on first use, which is JVM start-up, not decoding.
 */
public final class CodecBench {
    public static void main(String[] args) throws Exception {
        Codec codec = ProviderRegistry.load().codec(args[0]);
        codec.encode(OutputStream.nullOutputStream(), Options.empty()).close();
        boolean sha = args.length > 2 && args[2].equals("--sha256");
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[256 << 10];
        long total = 0;
        var threads = ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try (InputStream in = codec.decode(Files.newInputStream(Path.of(args[1])))) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (sha) {
                    md.update(buffer, 0, n);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.println(sha ? HexFormat.of().formatHex(md.digest()) : total + " " + seconds + " " + cpu);
    }
}
