package io.tideline.platform.local.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An instance's server certificate (issue 14.1): identity {@code pg-<id>} from the Tideline CA, naming the
 * addresses the server listens on, written into {@code <instance>/tls/} (outside {@code pgdata/}, so no
 * backup carries the key) as the instance's OS user's files ({@code tls.key} 0600 in a 0700 directory:
 * PostgreSQL refuses a key others can read), and the CA kept under {@link PostgresTls#caSecret}, which is
 * what makes every Tideline client connect with {@code sslmode=verify-full}.
 */
final class InstanceTls {

    static final String DIR = "tls";
    static final String CERT_FILE = "tls.crt";
    static final String KEY_FILE = "tls.key";

    private final TlsCredentials credentials;
    private final SecretStore secrets;
    private final List<String> dnsNames;
    private final List<String> addresses;

    /** @param addresses the IP addresses the servers listen on (loopback first) */
    InstanceTls(SecretStore secrets, Clock clock, List<String> addresses) {
        this.credentials = new TlsCredentials(secrets, clock);
        this.secrets = secrets;
        // the addresses only: the servers are handed out by address, and a name they are not reached by is no name of theirs
        this.dnsNames = List.of();
        this.addresses = List.copyOf(addresses);
    }

    static String identityName(InstanceId id) {
        return "pg-" + id.value();
    }

    /** Whether the instance in {@code dir} was made with a certificate. */
    static boolean enabled(InstanceDirectory dir) {
        return Files.exists(dir.path().resolve(DIR).resolve(CERT_FILE));
    }

    /** The server settings that make it serve its certificate. */
    static Map<String, String> settings(InstanceDirectory dir) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("ssl", "on");
        settings.put("ssl_cert_file", dir.path().resolve(DIR).resolve(CERT_FILE).toString());
        settings.put("ssl_key_file", dir.path().resolve(DIR).resolve(KEY_FILE).toString());
        settings.put("ssl_min_protocol_version", "TLSv1.2");
        return settings;
    }

    /** The settings of a server without a certificate (a copy of a TLS source made by a provisioner without TLS). */
    static Map<String, String> offSettings() {
        return Map.of("ssl", "off");
    }

    /** Issues (or renews) the certificate, writes its files and keeps the CA for the clients. */
    void issue(InstanceId id, InstanceDirectory dir) throws IOException {
        TlsIdentity identity = credentials.ensure(identityName(id), request(id));
        write(dir, identity);
        secrets.put(PostgresTls.caSecret(id), identity.caCertificatePem());
    }

    /**
     * Renews the certificate when due (or when it no longer names the listen addresses) and writes it when
     * it differs from the one on disk. True when the server must reload its configuration to serve it.
     */
    boolean renew(InstanceId id, InstanceDirectory dir) throws IOException {
        TlsIdentity identity = credentials.ensure(identityName(id), request(id));
        if (onDisk(dir).map(identity.certificate().getSerialNumber()::equals).orElse(false)) {
            return false;
        }
        write(dir, identity);
        secrets.put(PostgresTls.caSecret(id), identity.caCertificatePem());
        return true;
    }

    /** Removes the identity and the kept CA of a destroyed instance. */
    void forget(InstanceId id) {
        credentials.delete(identityName(id));
        secrets.delete(PostgresTls.caSecret(id));
    }

    /** The serial number of the certificate the server reads, if any. */
    static Optional<BigInteger> onDisk(InstanceDirectory dir) throws IOException {
        try {
            String pem = Files.readString(dir.path().resolve(DIR).resolve(CERT_FILE), StandardCharsets.US_ASCII);
            return Optional.of(Pem.certificate(pem).getSerialNumber());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    private CertificateRequest request(InstanceId id) {
        return CertificateRequest.server(identityName(id), dnsNames, addresses);
    }

    /**
     * Key first, certificate last, each written to a temporary file that already has its owner and mode and
     * then renamed over the old one: the server never finds a key it may not read. It reads the new pair at
     * the reload that follows (a reload that fails to load a pair keeps serving the old one).
     */
    private static void write(InstanceDirectory dir, TlsIdentity identity) throws IOException {
        Path tls = dir.path().resolve(DIR);
        if (!Files.isDirectory(tls)) {
            Files.createDirectory(tls, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(tls, PosixFilePermissions.fromString("rwx------"));
        dir.serverUser().giveTo(tls);
        replace(dir, tls.resolve(KEY_FILE), identity.privateKeyPem());
        replace(dir, tls.resolve(CERT_FILE), identity.chainPem());
    }

    private static void replace(InstanceDirectory dir, Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".new-", ".pem",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            dir.serverUser().giveTo(tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
