package io.github.s3flash.source.s3;

import io.github.s3flash.api.ImageAccessDeniedException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.useragent.BusinessMetricFeatureId;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The credentials a client uses and a description of where they came from, for 403/404 messages:
 * the provider (environment, profile and its file, container, instance profile) and the access key
 * id's last four characters, never the secret.
 *
 * @param provider what the client signs with
 * @param description e.g. "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (access key
 *     ...WXYZ)"
 */
record S3Credentials(AwsCredentialsProvider provider, String description) {

    /**
     * Resolves credentials the way AWS users expect: the profile {@code profile} when given, else the
     * default chain (system properties, environment, web identity, profile, container, IMDSv2).
     * Without any credentials requests go unsigned (anonymous), which reads public objects.
     *
     * @throws ImageAccessDeniedException if {@code profile} was asked for but yields no credentials
     */
    static S3Credentials resolve(String profile, Map<String, String> env) throws ImageAccessDeniedException {
        AwsCredentialsProvider provider = profile != null
                ? ProfileCredentialsProvider.builder().profileName(profile).build()
                : DefaultCredentialsProvider.builder().build();
        AwsCredentialsIdentity identity;
        try {
            identity = provider.resolveIdentity().join();
        } catch (RuntimeException e) {
            if (profile != null) {
                throw new ImageAccessDeniedException("option s3.profile=" + profile + " gives no credentials: "
                        + rootMessage(e) + " (credentials file " + credentialsFile(env) + "); add the profile or"
                        + " pick another one", e);
            }
            return new S3Credentials(AnonymousCredentialsProvider.create(),
                    "no credentials (anonymous requests: none found in system properties, environment,"
                            + " profile " + profileName(null, env) + " of " + credentialsFile(env)
                            + ", container or instance profile)");
        }
        String source = describeProvider(identity.providerName().orElse(""), profile, env);
        String key = identity.accessKeyId();
        String hint = key == null || key.length() < 4 ? "" : " (access key ..." + key.substring(key.length() - 4) + ")";
        return new S3Credentials(provider, source + hint);
    }

    /**
     * Names a provider as AWS documentation does. The SDK reports a provider as business-metric codes
     * ("f", "n,o", ...; older versions: class names), so both are understood.
     */
    static String describeProvider(String providerName, String profile, Map<String, String> env) {
        var features = EnumSet.noneOf(BusinessMetricFeatureId.class);
        for (String code : providerName.split(",")) {
            for (BusinessMetricFeatureId id : BusinessMetricFeatureId.values()) {
                if (id.value().equals(code.trim()) || code.trim().startsWith(className(id))) {
                    features.add(id);
                }
            }
        }
        String profileFrom = "profile " + profileName(profile, env) + " from " + credentialsFile(env);
        if (features.contains(BusinessMetricFeatureId.CREDENTIALS_JVM_SYSTEM_PROPERTIES)) {
            return "Java system properties aws.accessKeyId/aws.secretAccessKey";
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN)
                || features.contains(BusinessMetricFeatureId.CREDENTIALS_STS_ASSUME_ROLE_WEB_ID)) {
            return "web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, role AWS_ROLE_ARN)";
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_ENV_VARS)) {
            return "environment variables AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY";
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_SSO)
                || features.contains(BusinessMetricFeatureId.CREDENTIALS_SSO_LEGACY)) {
            return "IAM Identity Center (SSO) of " + profileFrom;
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_PROCESS)) {
            return "credential_process of " + profileFrom;
        } else if (features.stream().anyMatch(f -> f.name().startsWith("CREDENTIALS_PROFILE"))) {
            return profileFrom;
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_HTTP)) {
            return "container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*)";
        } else if (features.contains(BusinessMetricFeatureId.CREDENTIALS_IMDS)) {
            return "instance profile (IMDS)";
        }
        return providerName.isEmpty() ? "the default credentials provider chain" : "provider " + providerName;
    }

    /** The provider class that older SDK versions named instead of a code. */
    private static String className(BusinessMetricFeatureId id) {
        return switch (id) {
            case CREDENTIALS_JVM_SYSTEM_PROPERTIES -> "SystemPropertyCredentialsProvider";
            case CREDENTIALS_ENV_VARS -> "EnvironmentVariableCredentialsProvider";
            case CREDENTIALS_ENV_VARS_STS_WEB_ID_TOKEN -> "WebIdentityTokenFileCredentialsProvider";
            case CREDENTIALS_PROFILE -> "ProfileCredentialsProvider";
            case CREDENTIALS_HTTP -> "ContainerCredentialsProvider";
            case CREDENTIALS_IMDS -> "InstanceProfileCredentialsProvider";
            default -> "\u0000";
        };
    }

    private static String profileName(String profile, Map<String, String> env) {
        if (profile != null) {
            return profile;
        }
        String fromProperty = System.getProperty("aws.profile");
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty;
        }
        String fromEnv = env.get("AWS_PROFILE");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv : "default";
    }

    private static String credentialsFile(Map<String, String> env) {
        String property = System.getProperty("aws.sharedCredentialsFile");
        if (property != null && !property.isBlank()) {
            return property;
        }
        String file = env.get("AWS_SHARED_CREDENTIALS_FILE");
        if (file != null && !file.isBlank()) {
            return file;
        }
        return Path.of(System.getProperty("user.home"), ".aws", "credentials").toString().replace(
                System.getProperty("user.home"), "~");
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.toString();
    }
}
