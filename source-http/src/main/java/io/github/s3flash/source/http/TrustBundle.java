package io.github.s3flash.source.http;

import io.github.s3flash.api.InvalidOptionException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * An {@link SSLContext} that trusts the JDK's CA certificates plus those of a PEM bundle (one or
 * more {@code BEGIN CERTIFICATE} blocks, as {@code ca-certificates} and {@code openssl} write them).
 * The JDK's anchors are kept so that a bundle for a private mirror does not break public hosts it
 * redirects to.
 */
final class TrustBundle {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----");

    private static final String OPTION = "http.ca-bundle";

    private TrustBundle() {}

    static SSLContext withBundle(Path bundle) throws InvalidOptionException {
        List<X509Certificate> extra = read(bundle);
        try {
            var store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate anchor : defaultTrustManager().getAcceptedIssuers()) {
                store.setCertificateEntry("jdk-" + i++, anchor);
            }
            i = 0;
            for (X509Certificate certificate : extra) {
                store.setCertificateEntry("bundle-" + i++, certificate);
            }
            var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new InvalidOptionException(OPTION, "cannot set up TLS trust with CA bundle " + bundle + " (option http.ca-bundle): "
                    + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> read(Path bundle) throws InvalidOptionException {
        String text;
        try {
            text = Files.readString(bundle, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new InvalidOptionException(OPTION, "cannot read CA bundle " + bundle + " (option http.ca-bundle): " + e
                    + "; give the path of a PEM file with the CA certificate(s) of the server", e);
        }
        var certificates = new ArrayList<X509Certificate>();
        var matcher = PEM.matcher(text);
        try {
            var factory = CertificateFactory.getInstance("X.509");
            while (matcher.find()) {
                byte[] der = Base64.getMimeDecoder().decode(matcher.group(1));
                certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new InvalidOptionException(OPTION, "CA bundle " + bundle + " (option http.ca-bundle) holds a certificate that"
                    + " cannot be parsed: " + e.getMessage() + "; give PEM X.509 certificates", e);
        }
        if (certificates.isEmpty()) {
            throw new InvalidOptionException(OPTION, "CA bundle " + bundle + " (option http.ca-bundle) holds no PEM certificate"
                    + " (-----BEGIN CERTIFICATE----- block); give the CA certificate(s) of the server in PEM");
        }
        return certificates;
    }

    private static X509TrustManager defaultTrustManager() throws GeneralSecurityException {
        var factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("the JDK has no X.509 trust manager");
    }
}
