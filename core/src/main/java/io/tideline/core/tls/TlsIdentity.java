package io.tideline.core.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/** A private key, its certificate and the certificate of the CA that signed it. */
public record TlsIdentity(PrivateKey privateKey, X509Certificate certificate, X509Certificate caCertificate) {

    public TlsIdentity {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(caCertificate, "caCertificate");
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    public Instant notBefore() {
        return certificate.getNotBefore().toInstant();
    }

    public String certificatePem() {
        return Pem.of(certificate);
    }

    public String privateKeyPem() {
        return Pem.of(privateKey);
    }

    public String caCertificatePem() {
        return Pem.of(caCertificate);
    }

    /** The certificate followed by the CA's: the chain a server sends. */
    public String chainPem() {
        return certificatePem() + caCertificatePem();
    }

    /**
     * A PKCS#12 key store holding the key under {@code alias} with its chain, for servers configured by
     * a key store file (Jetty, Netty through Micronaut).
     */
    public KeyStore keyStore(String alias, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, privateKey, password, new Certificate[] {certificate, caCertificate});
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a PKCS#12 key store", e);
        }
    }

    /** A key store holding only the CA certificate: what a client trusts. */
    public KeyStore trustStore() {
        return TlsContexts.trustStoreOf(caCertificate);
    }

    /**
     * Writes {@code tls.crt} (certificate + CA chain), {@code tls.key} (0600) and {@code ca.crt} into
     * {@code dir}, each replaced atomically, for processes configured by files (PostgreSQL, Kafka).
     */
    public void writeFiles(Path dir) {
        try {
            Files.createDirectories(dir);
            writeAtomically(dir.resolve("tls.crt"), chainPem(), "rw-r--r--");
            writeAtomically(dir.resolve("tls.key"), privateKeyPem(), "rw-------");
            writeAtomically(dir.resolve("ca.crt"), caCertificatePem(), "rw-r--r--");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TLS files into " + dir, e);
        }
    }

    private static void writeAtomically(Path file, String text, String mode) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".tmp-", ".pem",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
