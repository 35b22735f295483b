import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a whole S3 object through the installed s3 source the way the pipeline does (ImageStreams:
 * parallel ranged GETs, in-order reassembly) and discards the bytes. Each run is paired with a run of
 * {@code /usr/bin/aws s3 cp s3://... - > /dev/null} right before it, so that both see the same load on
 * a shared machine. Endpoint, credentials and region come from the environment (AWS_ENDPOINT_URL_S3,
 * AWS_ACCESS_KEY_ID, ...), as on a real machine (the CLI gets the endpoint as --endpoint-url). Prints "aws SECONDS" and "source SECONDS BYTES"
 * lines; the first pair warms up and is not printed.
 *
 * <p>Usage: java -p MODULE_PATH --add-modules ALL-MODULE-PATH S3Bench.java s3://b/k RUNS [key=value ...]
 */
public class S3Bench {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int runs = Integer.parseInt(args[1]);
        Map<String, String> values = new HashMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            values.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Options options = Options.of(values);
        ImageSource source = ProviderRegistry.load().source(uri, options);
        byte[] buffer = new byte[1 << 20];
        for (int run = 0; run <= runs; run++) {
            long cliStart = System.nanoTime();
            // Debian's aws CLI 2.9 predates AWS_ENDPOINT_URL_S3: it gets the endpoint as an argument.
            Process aws = new ProcessBuilder("/usr/bin/aws", "--endpoint-url", System.getenv("AWS_ENDPOINT_URL_S3"),
                    "s3", "cp", uri.toString(), "-")
                    .redirectOutput(new File("/dev/null")).redirectErrorStream(false)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (aws.waitFor() != 0) {
                throw new IllegalStateException("aws s3 cp failed with exit code " + aws.exitValue());
            }
            double cliSeconds = (System.nanoTime() - cliStart) / 1e9;
            long start = System.nanoTime();
            long total = 0;
            try (PinnedImage image = source.open(uri, options);
                    InputStream in = ImageStreams.open(image, PipelineSettings.from(options), ProgressListener.NONE)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    total += n;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (run > 0) {
                System.out.printf("aws %.4f%n", cliSeconds);
                System.out.printf("source %.4f %d%n", seconds, total);
            }
        }
    }
}
