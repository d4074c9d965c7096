package io.tideline.core.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.CertificateAuthority;
import io.tideline.core.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The one rule for every Tideline PostgreSQL connection: verify-full against the CA kept for the server, else disable. */
class PostgresTlsTest {

    private static final String CA = Pem.of(CertificateAuthority.create("Test CA", Clock.systemUTC()).certificate());
    private static final InstanceId ID = InstanceId.of("orders-db");

    @Test
    void aServerWithAKeptCaIsVerifiedFullyAgainstItAlone() throws Exception {
        Secrets secrets = new Secrets();
        secrets.put(PostgresTls.caSecret(ID), CA);
        assertEquals("instances/orders-db/server-ca.crt", PostgresTls.caSecret(ID).value());
        PostgresTls tls = PostgresTls.forInstance(secrets, ID);
        assertTrue(tls.encrypted());
        Properties p = tls.applyTo(new Properties());
        assertEquals("verify-full", p.getProperty("sslmode"));
        assertEquals(CaSocketFactory.class.getName(), p.getProperty("sslfactory"));
        assertEquals(CA, p.getProperty(PostgresTls.CA_PROPERTY));
        new CaSocketFactory(p); // pgjdbc's way of making it: from the connection's properties
        assertEquals("sslmode=verify-full sslrootcert=/home/ca.crt", tls.libpqParameters(Path.of("/home/ca.crt")));
        Optional<Path> file = tls.writeCaFile();
        try {
            assertEquals(CA, Files.readString(file.orElseThrow()));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.get())));
            assertEquals(Map.of("PGSSLMODE", "verify-full", "PGSSLROOTCERT", file.get().toString()), tls.libpqEnvironment(file));
        } finally {
            Files.deleteIfExists(file.get());
        }
    }

    @Test
    void withoutACaTheConnectionIsPlainNeverUnverifiedTls() throws Exception {
        PostgresTls tls = PostgresTls.forInstance(new Secrets(), ID);
        assertFalse(tls.encrypted());
        Properties p = tls.applyTo(new Properties());
        assertEquals("disable", p.getProperty("sslmode"));
        assertNull(p.getProperty("sslfactory"));
        assertEquals(Map.of("PGSSLMODE", "disable"), tls.libpqEnvironment(Optional.empty()));
        assertTrue(tls.writeCaFile().isEmpty());
    }

    @Test
    void aCaFileWithoutACertificateIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PostgresTls.verifyFull("not a certificate"));
        Properties none = new Properties();
        assertThrows(java.security.GeneralSecurityException.class, () -> new CaSocketFactory(none));
    }

    /** A map, for the rule alone. */
    private static final class Secrets implements SecretStore {
        private final Map<SecretRef, String> values = new java.util.HashMap<>();

        @Override
        public void put(SecretRef ref, String value) {
            values.put(ref, value);
        }

        @Override
        public Optional<String> find(SecretRef ref) {
            return Optional.ofNullable(values.get(ref));
        }

        @Override
        public void delete(SecretRef ref) {
            values.remove(ref);
        }
    }
}
