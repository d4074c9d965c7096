package io.tideline.fleet.hosts;

import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsSettings;
import io.tideline.fleet.net.Host;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * The fleet's HTTPS (issue 14.1): the Tideline CA in the fleet's secret store issues each host's server certificate
 * for its address; every server speaks HTTPS only; every client trusts the CA (a copy readable by all, as the
 * recovering servers' curl runs as the instances' own OS users) and checks the address.
 */
public final class FleetTls {

    private final TlsCredentials credentials;
    private final Path caFile;

    public FleetTls(SecretStore secrets, Path publicDir) {
        this.credentials = new TlsCredentials(secrets, Clock.systemUTC());
        this.caFile = publicDir.resolve("ca.crt");
        try {
            Files.createDirectories(publicDir);
            Files.setPosixFilePermissions(publicDir, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(caFile, Pem.of(credentials.caCertificate()), StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(caFile, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot publish the fleet's CA certificate", e);
        }
    }

    /** The CA certificate every client of the fleet trusts. */
    public Path caFile() {
        return caFile;
    }

    /** A client context trusting the fleet's CA only. */
    public SSLContext client() {
        return TlsContexts.client(credentials.caCertificate());
    }

    /** Issues {@code identity} for {@code host}'s address and returns the properties of a Micronaut server serving it. */
    public Map<String, String> server(String identity, Host host) {
        credentials.ensure(identity, CertificateRequest.server(identity, List.of(), List.of(host.address())));
        Map<String, String> p = new LinkedHashMap<>();
        p.put("micronaut.server.ssl.enabled", "true");
        p.put("micronaut.server.ssl.key-name", IdentityCertificateProvider.NAME);
        p.put("micronaut.server.ssl.key.password", IdentityCertificateProvider.IN_MEMORY_KEY_PASSWORD);
        p.put(TlsSettings.IDENTITY, identity);
        p.put(TlsSettings.CA_FILE, caFile.toString());
        return p;
    }
}
