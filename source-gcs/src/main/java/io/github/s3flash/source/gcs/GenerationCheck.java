package io.github.s3flash.source.gcs;

import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpResponseInterceptor;
import com.google.cloud.ServiceOptions;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.StorageException;

/**
 * Checks the generation of every media download against the one it asked for. A read of the pinned
 * object carries {@code ifGenerationMatch}; GCS answers 412 when the object has another generation,
 * but a stand-in, a proxy or a cache may ignore the parameter, so each successful answer must also
 * carry {@code x-goog-generation} equal to it. A different generation fails the read as GCS's own 412
 * would; an answer that names none fails as unproven ({@link #UNPROVEN}).
 *
 * <p>Installed as the client's transport options: every request the client makes gets the check as
 * its response interceptor (after any the client set).
 */
final class GenerationCheck extends HttpTransportOptions {
    private static final long serialVersionUID = 1L;

    /** The reason of the {@link StorageException} for an answer that names no generation. */
    static final String UNPROVEN = "generationNotShown";

    GenerationCheck() {
        super(HttpTransportOptions.newBuilder());
    }

    @Override
    public HttpRequestInitializer getHttpRequestInitializer(ServiceOptions<?, ?> serviceOptions) {
        HttpRequestInitializer client = super.getHttpRequestInitializer(serviceOptions);
        return request -> {
            client.initialize(request);
            HttpResponseInterceptor before = request.getResponseInterceptor();
            request.setResponseInterceptor(response -> {
                if (before != null) {
                    before.interceptResponse(response);
                }
                check(response);
            });
        };
    }

    static void check(HttpResponse response) {
        GenericUrl url = response.getRequest().getUrl();
        Object asked = url.getFirst("ifGenerationMatch");
        if (!response.isSuccessStatusCode() || !"media".equals(url.getFirst("alt")) || asked == null) {
            return;
        }
        String answered = response.getHeaders().getFirstHeaderStringValue("x-goog-generation");
        if (asked.toString().equals(answered)) {
            return;
        }
        try {
            response.disconnect();
        } catch (java.io.IOException ignored) {
            // The answer is refused either way; a failed disconnect only costs the connection.
        }
        if (answered == null) {
            throw new StorageException(412, "the server answered a read of generation " + asked + " without"
                    + " x-goog-generation, so its bytes cannot be checked against the pinned generation; read from"
                    + " GCS directly, not through a proxy that drops it", UNPROVEN, null);
        }
        throw new StorageException(412, "the server answered generation " + answered + " to a read of generation "
                + asked + " (it ignored ifGenerationMatch)", "conditionNotMet", null);
    }
}
