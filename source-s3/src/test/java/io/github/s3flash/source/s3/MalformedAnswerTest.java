package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.Options;
import io.github.s3flash.api.SourceUnavailableException;
import io.github.s3flash.testkit.S3TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An endpoint that answers with something that is no HTTP at all (a wrong port, a proxy that speaks
 * another protocol): the AWS SDK lets an IllegalArgumentException out for such a status line, which
 * must reach the caller as a transient source fault, never as an unchecked exception (the CLI would
 * call it bad usage, and boot mode a check that can never pass). A raw socket stands in for the
 * endpoint because no real S3 store answers that way.
 */
class MalformedAnswerTest {

    @Test
    void anAnswerThatIsNoHttpIsASourceFaultNamingTheEndpoint() throws Exception {
        try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofPlatform().daemon().start(() -> answerNonsense(server));
            String endpoint = "http://127.0.0.1:" + server.getLocalPort();
            var source = new S3ImageSource(Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY_ID,
                    "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_ACCESS_KEY, "AWS_EC2_METADATA_DISABLED", "true",
                    "AWS_CONFIG_FILE", "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent"));
            Options options = Options.empty().with("s3.endpoint", endpoint).with("s3.region", S3TestServer.REGION)
                    .with("s3.path-style", "true").with("retry.attempts", "2").with("retry.base-delay", "10ms");
            assertThatThrownBy(() -> source.open(URI.create("s3://images/x.img.lz4"), options).close())
                    .isInstanceOf(SourceUnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + server.getLocalPort())
                    .hasMessageContaining("not one of an S3 store");
        }
    }

    private static void answerNonsense(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                byte[] request = new byte[8192];
                int n = in.read(request);
                if (n > 0) {
                    OutputStream out = s.getOutputStream();
                    out.write("hello\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException e) {
                return;
            }
        }
    }
}
