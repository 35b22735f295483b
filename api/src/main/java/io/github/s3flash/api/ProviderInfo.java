package io.github.s3flash.api;

/**
 * One installed provider, as {@code s3flash providers} lists it.
 *
 * @param kind {@code source}, {@code codec} or {@code sink}
 * @param name the provider's name
 * @param detail what it handles (URI schemes for a source), may be empty
 * @param module the JPMS module it comes from ({@code unnamed} on the class path)
 * @param version the module's or jar's version, or {@code unknown}
 * @param implementation the implementing class
 */
public record ProviderInfo(String kind, String name, String detail, String module, String version,
        String implementation) {}
