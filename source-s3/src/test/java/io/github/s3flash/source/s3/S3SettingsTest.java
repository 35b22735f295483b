package io.github.s3flash.source.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3flash.api.ImageNotFoundException;
import io.github.s3flash.api.InvalidOptionException;
import io.github.s3flash.api.Options;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Locations, options and credential descriptions, without a server. */
class S3SettingsTest {

    @Test
    void parsesBucketAndKeyKeepingSlashesAndDotsOfTheKey() throws ImageNotFoundException {
        assertThat(S3Location.of(URI.create("s3://my.bucket-1/images/2026/disk.img.lz4")))
                .isEqualTo(new S3Location("my.bucket-1", "images/2026/disk.img.lz4"));
        assertThat(S3Location.of(URI.create("s3://b/k")).toString()).isEqualTo("s3://b/k");
    }

    @Test
    void refusesLocationsThatNameNoObject() {
        for (String bad : new String[] {"s3:///key", "s3://bucket", "s3://bucket/", "s3://bucket/dir/", "s3:bucket/key",
                "https://bucket/key"}) {
            assertThatThrownBy(() -> S3Location.of(URI.create(bad))).as(bad)
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void refusesCredentialsAndQueriesInTheLocationWithoutShowingThem() {
        for (String bad : new String[] {"s3://AKIAX:hunter2@bucket/key", "s3://bucket/key?X-Amz-Signature=hunter2",
                "s3://u:p@ss@bucket/key"}) {
            assertThatThrownBy(() -> S3Location.of(URI.create(bad))).as(bad)
                    .isInstanceOf(ImageNotFoundException.class)
                    .hasMessageNotContaining("hunter2")
                    .hasMessageNotContaining("p@ss");
        }
    }

    @Test
    void endpointComesFromTheOptionThenTheServiceVariableThenTheGlobalOne() throws InvalidOptionException {
        var env = Map.of("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9001", "AWS_ENDPOINT_URL", "http://127.0.0.1:9002");
        assertThat(S3Settings.from(Options.empty().with("s3.endpoint", "http://127.0.0.1:9000"), env).endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:9000"));
        S3Settings fromEnv = S3Settings.from(Options.empty(), env);
        assertThat(fromEnv.endpoint()).isEqualTo(URI.create("http://127.0.0.1:9001"));
        assertThat(fromEnv.describeEndpoint()).contains("AWS_ENDPOINT_URL_S3");
        assertThat(S3Settings.from(Options.empty(), Map.of("AWS_ENDPOINT_URL", "http://127.0.0.1:9002")).endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:9002"));
        assertThat(S3Settings.from(Options.empty(), Map.of()).endpoint()).isNull();
        assertThat(S3Settings.from(Options.empty(), Map.of()).describeEndpoint()).isEqualTo("AWS S3");
    }

    @Test
    void pathStyleDefaultsToOnWithAnEndpointOverrideAndCanBeSet() throws InvalidOptionException {
        assertThat(S3Settings.from(Options.empty(), Map.of()).pathStyle()).isFalse();
        assertThat(S3Settings.from(Options.empty().with("s3.endpoint", "https://minio.example:9000"), Map.of())
                .pathStyle()).isTrue();
        assertThat(S3Settings.from(Options.empty().with("s3.endpoint", "https://s3.example").with("s3.path-style",
                "false"), Map.of()).pathStyle()).isFalse();
        assertThat(S3Settings.from(Options.empty().with("s3.path-style", "true"), Map.of()).pathStyle()).isTrue();
    }

    @Test
    void timeoutsRegionProfileAndConcurrencyAreRead() throws InvalidOptionException {
        S3Settings s = S3Settings.from(Options.empty().with("s3.read-timeout", "5s").with("s3.connect-timeout", "250ms")
                .with("s3.region", "eu-west-1").with("s3.profile", "flash").with("s3.concurrency", "6"), Map.of());
        assertThat(s.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(s.profile()).isEqualTo("flash");
        assertThat(s.concurrency()).isEqualTo(6);
    }

    @Test
    void malformedOptionsAreInvalidOptionsNamingTheKey() {
        assertThatThrownBy(() -> S3Settings.from(Options.empty().with("s3.endpoint", "minio:9000"), Map.of()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("s3.endpoint=minio:9000");
        assertThatThrownBy(() -> S3Settings.from(Options.empty().with("s3.endpoint", "ftp://key:hunter2@x"), Map.of()))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("s3.endpoint=ftp://…@x")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> S3Settings.from(Options.empty().with("s3.read-timeout", "0"), Map.of()))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("s3.read-timeout=0");
        assertThatThrownBy(() -> S3Settings.from(Options.empty(), Map.of("AWS_ENDPOINT_URL_S3", "ftp://x")))
                .hasMessageContaining("AWS_ENDPOINT_URL_S3=ftp://x");
        assertThatThrownBy(() -> S3Settings.from(Options.empty().with("s3.concurrency", "0"), Map.of()))
                .hasMessageContaining("s3.concurrency=0");
        assertThatThrownBy(() -> S3Settings.from(Options.empty().with("s3.path-style", "maybe"), Map.of()))
                .hasMessageContaining("s3.path-style=maybe");
    }

    @Test
    void credentialSourcesAreNamedAsAwsDocumentsThem() {
        Map<String, String> env = Map.of("AWS_PROFILE", "ops", "AWS_SHARED_CREDENTIALS_FILE", "/etc/aws/credentials");
        // The SDK's business-metric codes, and the class names older SDKs used.
        assertThat(S3Credentials.describeProvider("f", null, env)).contains("system properties aws.accessKeyId");
        assertThat(S3Credentials.describeProvider("g", null, env)).contains("environment variables AWS_ACCESS_KEY_ID");
        assertThat(S3Credentials.describeProvider("EnvironmentVariableCredentialsProvider", null, env))
                .contains("environment variables AWS_ACCESS_KEY_ID");
        // The system property (set by surefire) takes precedence over AWS_SHARED_CREDENTIALS_FILE, as in the SDK.
        String file = System.getProperty("aws.sharedCredentialsFile");
        assertThat(S3Credentials.describeProvider("n", null, env)).isEqualTo("profile ops from " + file);
        assertThat(S3Credentials.describeProvider("n", "flash", env)).isEqualTo("profile flash from " + file);
        assertThat(S3Credentials.describeProvider("0", null, env)).isEqualTo("instance profile (IMDS)");
        assertThat(S3Credentials.describeProvider("z", null, env)).contains("container credentials");
        assertThat(S3Credentials.describeProvider("", null, env)).contains("default credentials provider chain");
    }
}
