package io.github.s3flash.source.s3;

import static java.util.Objects.requireNonNull;

import io.github.s3flash.api.ImageInfo;
import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import io.github.s3flash.api.PinnedImage;
import io.github.s3flash.api.RequestStage;
import io.github.s3flash.api.RetryPolicy;
import io.github.s3flash.api.SourceUnusableException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * {@code s3://bucket/key} through the AWS SDK for Java v2. {@link #open} HEADs the object and pins
 * its ETag (and version id); the api then reads it in parallel ranged GETs, each resumed from its
 * last byte after a fault (see {@link io.github.s3flash.api.ImageStreams}).
 *
 * <p>Options: {@code s3.endpoint} (else {@code AWS_ENDPOINT_URL_S3}, {@code AWS_ENDPOINT_URL}),
 * {@code s3.path-style}, {@code s3.region}, {@code s3.profile}, {@code s3.connect-timeout}, {@code
 * s3.read-timeout}, {@code s3.concurrency}; the retry budget is the api's {@code retry.*}.
 * Credentials come from the SDK's default chain (or the profile {@code s3.profile}), never from
 * options.
 *
 * <p>The SDK's own retries are off: a retry of the SDK restarts a GET from its first byte and would
 * multiply the api's budget, while the api resumes from the last byte received with its own
 * back-off; the HEAD in {@link #open} is retried by the same {@link RetryPolicy}.
 *
 * <p>Stateless and thread-safe; each opened image owns an S3 client.
 */
public final class S3ImageSource implements ImageSource {

    private static final System.Logger LOG = System.getLogger(S3ImageSource.class.getName());
    /** Used when no region is configured anywhere: the SDK then follows the bucket's own region. */
    private static final Region FALLBACK_REGION = Region.US_EAST_1;

    private final Map<String, String> env;

    public S3ImageSource() {
        this(System.getenv());
    }

    /** With an environment of the caller's instead of the process's (AWS_ENDPOINT_URL_S3, AWS_PROFILE...). */
    S3ImageSource(Map<String, String> env) {
        this.env = requireNonNull(env, "env");
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public PinnedImage open(URI location, Options options) throws IOException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        S3Location where = S3Location.of(location);
        S3Settings settings = S3Settings.from(options, env);
        RetryPolicy retry = RetryPolicy.from(options);
        S3Credentials credentials = S3Credentials.resolve(settings.profile(), env);
        S3Client client = client(settings, credentials);
        var failures = new S3Failures(where, settings, credentials);
        try {
            var request = HeadObjectRequest.builder().bucket(where.bucket()).key(where.key()).build();
            HeadObjectResponse head = retry.call("opening " + where, () -> {
                try {
                    return client.headObject(request);
                } catch (RuntimeException e) {
                    throw failures.map(e, "HEAD", RequestStage.OPENING);
                }
            }, (attempt, delay, failure) -> LOG.log(Level.INFO, () -> "HEAD " + where + " failed (attempt " + attempt
                    + "), retrying in " + delay.toMillis() + " ms: " + failure.getMessage()));
            String etag = blankToNull(head.eTag());
            String versionId = blankToNull(head.versionId());
            if ("null".equals(versionId)) {
                // S3's version id of objects written while versioning was off: not a pin of its own.
                versionId = null;
            }
            if (etag == null && head.lastModified() == null) {
                throw new SourceUnusableException("HEAD " + where + " at " + settings.describeEndpoint() + " returned"
                        + " neither an ETag nor Last-Modified: the object cannot be pinned to one version, so a"
                        + " flash could mix two; use a store that reports ETags");
            }
            String version = etag != null ? etag : "last-modified " + head.lastModified();
            if (versionId != null) {
                version = version + " version " + versionId;
            }
            long length = head.contentLength();
            var info = new ImageInfo(location, length, version, true, settings.concurrency());
            LOG.log(Level.DEBUG, () -> "opened " + where + " (" + length + " bytes, " + info.version() + ") at "
                    + settings.describeEndpoint() + " with credentials from " + credentials.description());
            return new S3Image(client, where, info, etag, versionId, head.lastModified(), failures);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * A multipart upload to {@code s3://bucket/key}, invisible until committed (see {@link
     * S3UploadStream}); the same endpoint, region, credentials and retry options as reading.
     */
    @Override
    public io.github.s3flash.api.PublishStream publish(URI location, Options options) throws IOException {
        requireNonNull(location, "location");
        requireNonNull(options, "options");
        S3Settings settings = S3Settings.from(options, env);
        S3Credentials credentials = S3Credentials.resolve(settings.profile(), env);
        return S3UploadStream.open(client(settings, credentials), location, S3Location.of(location), settings,
                credentials, options);
    }

    private static S3Client client(S3Settings settings, S3Credentials credentials) {
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(settings.connectTimeout())
                .socketTimeout(settings.readTimeout());
        var builder = S3Client.builder()
                .httpClientBuilder(http)
                .credentialsProvider(credentials.provider())
                .region(region(settings))
                // The bucket's own region when it is not the client's: the SDK follows the 301 /
                // x-amz-bucket-region answer and remembers it for the bucket.
                .crossRegionAccessEnabled(true)
                .forcePathStyle(settings.pathStyle())
                // Checksums only when an operation requires them: ranged GETs cannot be checked
                // against a whole-object checksum anyway (the pipeline hashes the image), and
                // S3-compatible stores such as S3Proxy reject the newer checksum headers.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    private static Region region(S3Settings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException e) {
            return FALLBACK_REGION;
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
