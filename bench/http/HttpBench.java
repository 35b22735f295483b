import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.ImageStreams;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.PipelineSettings;
import io.github.s3flash.api.ProgressListener;
import io.github.s3flash.api.ProviderRegistry;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a whole image through the installed source for its URL (the http source here) the way the
 * pipeline does (ImageStreams: parallel ranges, in-order reassembly) and discards the bytes. Each
 * run is paired with a run of {@code curl -s URL -o /dev/null} and one GET by the bare JDK client
 * (one stream, body discarded: the ceiling of java.net.http here) right before it, so that all three
 * see the same load on a shared machine. Prints "curl SECONDS", "jdk SECONDS" and "source SECONDS
 * BYTES" lines; the first round warms up and is not printed.
 *
 * <p>Usage: java -p API_JAR:SOURCE_JAR --add-modules ALL-MODULE-PATH HttpBench.java URL RUNS [key=value ...]
 */
public class HttpBench {
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
        HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (int run = 0; run <= runs; run++) {
            Process curl = new ProcessBuilder("curl", "-s", "-o", "/dev/null", "-w", "%{time_total}", uri.toString())
                    .redirectErrorStream(true).start();
            String curlSeconds = new String(curl.getInputStream().readAllBytes()).trim();
            if (curl.waitFor() != 0) {
                throw new IllegalStateException("curl failed: " + curlSeconds);
            }
            long jdkStart = System.nanoTime();
            jdk.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
            double jdkSeconds = (System.nanoTime() - jdkStart) / 1e9;
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
                System.out.println("curl " + curlSeconds);
                System.out.printf("jdk %.4f%n", jdkSeconds);
                System.out.printf("source %.4f %d%n", seconds, total);
            }
        }
    }
}
