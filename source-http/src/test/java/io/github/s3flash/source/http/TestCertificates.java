package io.github.s3flash.source.http;

import io.github.s3flash.testkit.LoopDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A private CA and a server certificate it signed for 127.0.0.1 and localhost, made with the real
 * {@code openssl} CLI, as an operator with a private mirror would have them.
 *
 * @param ca the CA certificate (PEM), what {@code http.ca-bundle} is given
 * @param certificate the server's certificate (PEM)
 * @param key the server's private key (PEM)
 */
record TestCertificates(Path ca, Path certificate, Path key) {

    static TestCertificates create(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path caKey = dir.resolve("ca.key");
        Path ca = dir.resolve("ca.pem");
        Path key = dir.resolve("server.key");
        Path csr = dir.resolve("server.csr");
        Path certificate = dir.resolve("server.pem");
        Path extensions = Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n"
                        + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n");
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=s3flash test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", csr.toString(), "-subj", "/CN=localhost");
        openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
                "-CAcreateserial", "-out", certificate.toString(), "-days", "2", "-extfile", extensions.toString());
        return new TestCertificates(ca, certificate, key);
    }

    private static void openssl(String... args) throws IOException {
        var command = new java.util.ArrayList<String>(List.of("openssl"));
        command.addAll(List.of(args));
        LoopDevice.run(command);
    }
}
