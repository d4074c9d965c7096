package io.tideline.runtime;

import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsSettings;
import io.tideline.core.tls.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded runtime's HTTPS and S3-over-TLS: its identities (issued by the Tideline CA in the home's secret
 * store) and the properties that make the services' server serve HTTPS only and every client trust that CA.
 * Everything listens on 127.0.0.1, so the certificates name {@code 127.0.0.1} and {@code localhost}.
 */
public final class RuntimeTls {

    /** The services' HTTP server (API, Backups view, /health, /prometheus). */
    public static final String HTTPS = "https-runtime";
    /** The S3 server. */
    public static final String S3 = "s3";

    private RuntimeTls() {
    }

    static CertificateRequest loopbackServer(String name) {
        return CertificateRequest.server(name, List.of("localhost"), List.of("127.0.0.1"));
    }

    /**
     * The CA certificate every client of the runtime trusts: {@code <home>/tls/ca.crt}, readable by all. Not the
     * secret store's copy: {@code secrets/} is 0700, and a recovering server's {@code restore_command} (curl) runs
     * as the instance's own OS user. A CA certificate is public.
     */
    public static Path caFile(RuntimeHome home) {
        return home.root().resolve("tls").resolve("ca.crt");
    }

    /** Writes the CA certificate to {@link #caFile} (mode 0644 in a 0755 directory), replaced atomically. */
    static void publishCa(RuntimeHome home, X509Certificate ca) {
        Path file = caFile(home);
        try {
            Files.createDirectories(file.getParent());
            Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tmp = Files.createTempFile(file.getParent(), ".ca-", ".tmp");
            Files.writeString(tmp, Pem.of(ca), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CA certificate to " + file, e);
        }
    }

    /** The file the S3 server reads its key and certificate from (replaced atomically on renewal). */
    static Path identityFile(RuntimeHome home, String name) {
        return home.secretsDir().resolve(TlsCredentials.identityRef(name).value());
    }

    /** The services' server on HTTPS only (no plain HTTP port), its clients trusting the CA. */
    static Map<String, Object> properties(RuntimeHome home, RuntimePorts ports) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("micronaut.server.ssl.enabled", true);
        p.put("micronaut.server.ssl.port", ports.http());
        p.put("micronaut.server.ssl.key-name", IdentityCertificateProvider.NAME);
        p.put("micronaut.server.ssl.key.password", IdentityCertificateProvider.IN_MEMORY_KEY_PASSWORD);
        p.put(TlsSettings.IDENTITY, HTTPS);
        p.put(TlsSettings.CA_FILE, caFile(home).toString());
        p.put(ObjectStoreSettings.PREFIX + ".trusted-ca", caFile(home).toString());
        return p;
    }
}
