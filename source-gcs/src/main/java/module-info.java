/**
 * The {@code gs://bucket/object} source, on google-cloud-storage: ranged reads pinned to the
 * object's generation, Application Default Credentials. Exports nothing: it is found as an {@link
 * io.github.s3flash.api.ImageSource} service, and is installed as a plugin ({@code s3flash plugins add gcs}).
 *
 * <p>Google's client jars split packages ({@code com.google.cloud} over google-cloud-core and
 * proto-google-common-protos, {@code javax.annotation} over javax.annotation-api and jsr305), so
 * they cannot be modules on the module path. They go on the class path, and
 * this module reads the unnamed module instead of {@code requires}-ing them: it is compiled and
 * tested with {@code --add-reads io.github.s3flash.source.gcs=ALL-UNNAMED}, and adds that edge itself
 * when it opens an image (see README.md).
 */
module io.github.s3flash.source.gcs {
    requires io.github.s3flash.api;

    provides io.github.s3flash.api.ImageSource with io.github.s3flash.source.gcs.GcsImageSource;
}
