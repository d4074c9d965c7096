package io.tideline.core.postgres;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * How Tideline's connections to one PostgreSQL server are secured: the one place that decides the
 * {@code sslmode} of every JDBC connection Tideline makes (archiver, backups, restore checks, drills,
 * adoption probes, the CLI's workload and restore points, the provisioner itself).
 *
 * <p>The decision is per server and lives in the secret store beside its passwords: when
 * {@link #caSecret} holds a CA (the Tideline CA for an instance Tideline made with TLS, the owner's CA
 * file for a registered server, {@code --ca-file}), every connection is {@code sslmode=verify-full}
 * against that CA only: the chain must lead to it and the certificate must name the host connected to.
 * Without one, {@code sslmode=disable}: a server made before TLS, or registered without a CA, and
 * {@code instance check} says so. Nothing in between: no {@code prefer}/{@code require}, which would
 * encrypt without knowing whom to, and no trust of the JDK's public CAs.
 */
public final class PostgresTls {

    /** The connection property the socket factory reads the CA from (PEM; a CA certificate is public). */
    public static final String CA_PROPERTY = "tidelineSslRootCert";

    private final Optional<String> caPem;

    private PostgresTls(Optional<String> caPem) {
        this.caPem = caPem;
    }

    /** Verify-full against the CA certificate(s) in {@code caPem}; refuses text that holds no certificate. */
    public static PostgresTls verifyFull(String caPem) {
        Objects.requireNonNull(caPem, "caPem");
        List<X509Certificate> certificates;
        try {
            certificates = Pem.certificates(caPem);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a PEM CA certificate: " + e.getMessage(), e);
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("the CA file holds no PEM certificate");
        }
        return new PostgresTls(Optional.of(caPem));
    }

    /** No TLS ({@code sslmode=disable}): only for a server that has no CA configured. */
    public static PostgresTls none() {
        return new PostgresTls(Optional.empty());
    }

    /** Where the CA that server {@code id}'s certificate must lead to is kept: {@code instances/<id>/server-ca.crt}. */
    public static SecretRef caSecret(InstanceId id) {
        return SecretRef.of("instances/" + id.value() + "/server-ca.crt");
    }

    /** The rule, for server {@code id}: verify-full when a CA is kept for it, else none. */
    public static PostgresTls forInstance(SecretStore secrets, InstanceId id) {
        return secrets.find(caSecret(id)).map(PostgresTls::verifyFull).orElseGet(PostgresTls::none);
    }

    public boolean encrypted() {
        return caPem.isPresent();
    }

    public Optional<String> caPem() {
        return caPem;
    }

    /** {@code verify-full} or {@code disable}. */
    public String sslmode() {
        return encrypted() ? "verify-full" : "disable";
    }

    /** Sets the TLS properties of a JDBC connection on {@code props} and returns it. */
    public Properties applyTo(Properties props) {
        props.setProperty("sslmode", sslmode());
        if (caPem.isPresent()) {
            props.setProperty("sslfactory", CaSocketFactory.class.getName());
            props.setProperty(CA_PROPERTY, caPem.get());
        }
        return props;
    }

    /**
     * What libpq needs beside host, port, user and database (for a psql line a person copies):
     * {@code sslmode=verify-full sslrootcert=<caFile>}, or {@code sslmode=disable}.
     */
    public String libpqParameters(Path caFile) {
        return encrypted() ? "sslmode=verify-full sslrootcert=" + caFile : "sslmode=disable";
    }

    /**
     * The environment a libpq tool ({@code pg_basebackup}, {@code pg_amcheck}) connects with: {@code PGSSLMODE},
     * and {@code PGSSLROOTCERT} naming {@code caFile} (from {@link #writeCaFile}) when encrypted.
     */
    public Map<String, String> libpqEnvironment(Optional<Path> caFile) {
        if (!encrypted()) {
            return Map.of("PGSSLMODE", "disable");
        }
        return Map.of("PGSSLMODE", "verify-full",
                "PGSSLROOTCERT", caFile.orElseThrow(() -> new IllegalArgumentException("a verify-full libpq tool needs the CA in a file")).toString());
    }

    /**
     * libpq reads its CA from a file: a private copy (0600) for one child process, empty when not encrypted.
     * The caller removes it when the child is done.
     */
    public Optional<Path> writeCaFile() throws IOException {
        if (caPem.isEmpty()) {
            return Optional.empty();
        }
        Path file = Files.createTempFile("tideline-pg-ca-", ".crt",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, caPem.get(), StandardCharsets.US_ASCII);
        return Optional.of(file);
    }

    @Override
    public String toString() {
        return "PostgresTls[" + sslmode() + "]";
    }
}
