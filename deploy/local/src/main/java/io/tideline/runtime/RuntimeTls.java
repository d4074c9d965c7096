package io.tideline.runtime;

import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsSettings;
import java.nio.file.Path;
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

    /** The CA certificate every client of the runtime trusts: {@code <home>/secrets/tls/ca/ca.crt}. */
    public static Path caFile(RuntimeHome home) {
        return home.secretsDir().resolve(TlsCredentials.caRef("ca").value());
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
