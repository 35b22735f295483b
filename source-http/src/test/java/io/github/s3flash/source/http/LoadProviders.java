package io.github.s3flash.source.http;

import io.github.s3flash.api.ImageSource;
import io.github.s3flash.api.Options;
import java.net.URI;
import java.util.ServiceLoader;

/**
 * Run in a JVM of its own by {@link ProviderLoadingTest}: loads every source provider as {@link
 * ServiceLoader} does, prints the JVM-wide property the http source tunes, then opens the image at
 * {@code args[0]} with the http source and prints it again.
 */
public final class LoadProviders {

    private LoadProviders() {}

    public static void main(String[] args) throws Exception {
        var names = new StringBuilder();
        for (ImageSource source : ServiceLoader.load(ImageSource.class)) {
            names.append(source.name()).append(' ');
        }
        System.out.println("loaded: " + names.toString().strip());
        System.out.println("after loading: " + System.getProperty(HttpImageSource.BUFFER_SIZE_PROPERTY));
        new HttpImageSource().open(URI.create(args[0]), Options.empty()).close();
        System.out.println("after opening: " + System.getProperty(HttpImageSource.BUFFER_SIZE_PROPERTY));
    }
}
