package io.tideline.core.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A TLS identity as the files of one directory: Tideline's own {@code identity.pem} (key + certificate + CA
 * certificate, {@link TlsCredentials}), or, where that file is absent, the files a Kubernetes TLS secret
 * (cert-manager) or a Strimzi KafkaUser secret projected under these names delivers: {@code tls.key},
 * {@code tls.crt} (the certificate, maybe followed by its chain) and {@code ca.crt}. Both spell the same identity;
 * the second lets a pod read what its platform issues without a step that concatenates files.
 *
 * <p>The separate files are replaced one by one (kubelet swaps a secret volume's directory atomically, but a reader
 * may straddle it): an identity whose key does not sign for its certificate is refused, so the caller keeps the
 * last one it had until the next read.
 */
public final class IdentityFiles {

    public static final String IDENTITY = "identity.pem";
    public static final String CERTIFICATE = "tls.crt";
    public static final String KEY = "tls.key";
    public static final String CA = "ca.crt";

    private IdentityFiles() {
    }

    /**
     * The identity's PEM text for {@code identityFile} ({@code <dir>/identity.pem}): that file, else the key,
     * certificate and CA files beside it, in that order.
     *
     * @throws UncheckedIOException when neither is there (the message names both)
     */
    public static String read(Path identityFile) {
        if (Files.exists(identityFile)) {
            return readText(identityFile);
        }
        Path dir = identityFile.toAbsolutePath().getParent();
        Path key = dir.resolve(KEY);
        Path certificate = dir.resolve(CERTIFICATE);
        if (!Files.exists(key) || !Files.exists(certificate)) {
            throw new UncheckedIOException(new IOException("no TLS identity in " + dir + ": neither " + IDENTITY
                    + " nor " + KEY + " + " + CERTIFICATE + " (+ " + CA + ")"));
        }
        Path ca = dir.resolve(CA);
        return combine(readText(key), readText(certificate), Files.exists(ca) ? Optional.of(readText(ca)) : Optional.empty());
    }

    /** Key, certificate (chain) and CA certificate as one identity text, as {@code identity.pem} holds it. */
    public static String combine(String key, String certificate, Optional<String> ca) {
        return withNewline(key) + withNewline(certificate) + ca.map(IdentityFiles::withNewline).orElse("");
    }

    /**
     * An identity text: its key, the first certificate (the identity's own) and the last (the CA's: the end of a
     * chain, or {@code ca.crt}); refused when the key is not the certificate's.
     */
    public static TlsIdentity parse(String pem) {
        PrivateKey key = Pem.privateKey(pem);
        List<X509Certificate> certificates = Pem.certificates(pem);
        if (certificates.size() < 2) {
            throw new IllegalArgumentException("a TLS identity holds a key, its certificate and the CA's; found "
                    + certificates.size() + " certificate(s)");
        }
        X509Certificate own = certificates.get(0);
        requireKeyOf(key, own);
        return new TlsIdentity(key, own, certificates.get(certificates.size() - 1));
    }

    /** Whether {@code key} signs what {@code certificate}'s public key verifies (a half-renewed pair does not). */
    static void requireKeyOf(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return; // a kind of key this check does not know: the handshake will tell
        }
        try {
            byte[] probe = "tideline identity check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            if (!verifier.verify(signature)) {
                throw new IllegalArgumentException("the key is not the key of the certificate " + certificate.getSubjectX500Principal());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the key is not the key of the certificate " + certificate.getSubjectX500Principal()
                    + ": " + e.getMessage(), e);
        }
    }

    private static String withNewline(String pem) {
        return pem.endsWith("\n") ? pem : pem + "\n";
    }

    private static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
