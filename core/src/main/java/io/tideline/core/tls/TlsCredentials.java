package io.tideline.core.tls;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The CA and every TLS identity, kept in the secret store.
 *
 * <p>Layout (a Kubernetes TLS secret's file names, so a directory secret store is also what file-configured
 * processes read):
 * <pre>
 * tls/ca/identity.pem       the CA's key and certificate (written once, atomically: the source of truth)
 * tls/ca/ca.crt             the CA certificate, for anyone who must trust it
 * tls/NAME/identity.pem     key + certificate + CA certificate, replaced atomically on renewal (Java readers)
 * tls/NAME/tls.crt          certificate followed by the CA's (the chain a server sends)
 * tls/NAME/tls.key          the key, PKCS#8 PEM
 * tls/NAME/ca.crt           the CA certificate
 * </pre>
 *
 * <p>{@link #ensure} issues an identity that is missing, renews one with less than a third of its lifetime
 * left, and re-issues one whose names no longer match the request (a host that changed address). Calling
 * it periodically is the renewal; {@link #live} gives readers the renewed identity without a restart.
 */
public final class TlsCredentials {

    /** Renew when less than this share of a certificate's lifetime is left (10 of 30 days). */
    static final double RENEW_WHEN_LEFT = 1.0 / 3;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final String CA = "ca";

    private final SecretStore secrets;
    private final Clock clock;

    public TlsCredentials(SecretStore secrets, Clock clock) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The CA, made on first use; concurrent first uses (two processes) agree on one. */
    public CertificateAuthority authority() {
        SecretRef ref = identityRef(CA);
        Optional<String> stored = secrets.find(ref);
        if (stored.isEmpty()) {
            CertificateAuthority made = CertificateAuthority.create("Tideline CA", clock);
            secrets.putIfAbsent(ref, Pem.of(made.privateKey()) + Pem.of(made.certificate()));
            stored = secrets.find(ref);
        }
        String pem = stored.orElseThrow(() -> new IllegalStateException("the CA vanished from the secret store while it was made"));
        CertificateAuthority ca = new CertificateAuthority(Pem.privateKey(pem), Pem.certificate(pem), clock);
        String caPem = Pem.of(ca.certificate());
        if (!secrets.find(caRef(CA)).map(caPem::equals).orElse(false)) {
            secrets.put(caRef(CA), caPem);
        }
        return ca;
    }

    /** The CA certificate every client trusts. */
    public X509Certificate caCertificate() {
        return authority().certificate();
    }

    /**
     * The identity named {@code name}, issued now when missing, due for renewal or made for other names
     * than {@code request} asks. Returns what is stored afterwards.
     */
    public TlsIdentity ensure(String name, CertificateRequest request) {
        checkName(name);
        Optional<TlsIdentity> current = find(name);
        if (current.isPresent() && !renewalDue(current.get()) && matches(current.get().certificate(), request)) {
            return current.get();
        }
        TlsIdentity issued = authority().issue(request);
        store(name, issued);
        return issued;
    }

    public Optional<TlsIdentity> find(String name) {
        checkName(name);
        return secrets.find(identityRef(name)).or(() -> kubernetesFiles(name)).map(TlsCredentials::parse);
    }

    /**
     * The identity as a Kubernetes TLS secret mounted at {@code tls/NAME/} delivers it (cert-manager's {@code tls.key},
     * {@code tls.crt}, {@code ca.crt}; no {@code identity.pem}): read-only, issued and renewed by the platform.
     */
    private Optional<String> kubernetesFiles(String name) {
        Optional<String> key = secrets.find(keyRef(name));
        Optional<String> certificate = secrets.find(certificateRef(name));
        if (key.isEmpty() || certificate.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(IdentityFiles.combine(key.get(), certificate.get(), secrets.find(caRef(name))));
    }

    /** When each named certificate expires (those present), for {@code tideline status}; the CA as "ca". */
    public Map<String, Instant> expiries(Collection<String> names) {
        Map<String, Instant> out = new LinkedHashMap<>();
        secrets.find(identityRef(CA)).ifPresent(pem -> out.put(CA, Pem.certificate(pem).getNotAfter().toInstant()));
        for (String name : names) {
            find(name).ifPresent(id -> out.put(name, id.notAfter()));
        }
        return out;
    }

    /** Whether less than a third of the identity's lifetime is left (or it expired). */
    public boolean renewalDue(TlsIdentity identity) {
        Instant from = identity.notBefore();
        Instant to = identity.notAfter();
        long lifetime = Duration.between(from, to).toSeconds();
        long left = Duration.between(clock.instant(), to).toSeconds();
        return left < lifetime * RENEW_WHEN_LEFT;
    }

    /**
     * The identity as stored, re-read at most every {@code recheck}: what a key manager serves so that a
     * renewal reaches the next handshake without a restart.
     */
    public Supplier<TlsIdentity> live(String name, Duration recheck) {
        checkName(name);
        return new LiveIdentity(() -> find(name).orElseThrow(
                () -> new IllegalStateException("no TLS identity " + name + " in the secret store")), recheck, clock);
    }

    /** Removes an identity (a host or principal that left the fleet). */
    public void delete(String name) {
        checkName(name);
        for (String file : List.of("identity.pem", "tls.crt", "tls.key", "ca.crt")) {
            secrets.delete(SecretRef.of("tls/" + name + "/" + file));
        }
    }

    public static SecretRef identityRef(String name) {
        return SecretRef.of("tls/" + name + "/identity.pem");
    }

    public static SecretRef certificateRef(String name) {
        return SecretRef.of("tls/" + name + "/tls.crt");
    }

    public static SecretRef keyRef(String name) {
        return SecretRef.of("tls/" + name + "/tls.key");
    }

    public static SecretRef caRef(String name) {
        return SecretRef.of("tls/" + name + "/ca.crt");
    }

    private void store(String name, TlsIdentity identity) {
        // the file-configured views first, the identity last: a Java reader that sees the new identity
        // finds files that match it
        secrets.put(certificateRef(name), identity.chainPem());
        secrets.put(keyRef(name), identity.privateKeyPem());
        secrets.put(caRef(name), identity.caCertificatePem());
        secrets.put(identityRef(name), identity.privateKeyPem() + identity.certificatePem() + identity.caCertificatePem());
    }

    private static TlsIdentity parse(String pem) {
        try {
            return IdentityFiles.parse(pem);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("a stored TLS identity is not usable: " + e.getMessage(), e);
        }
    }

    private static boolean matches(X509Certificate certificate, CertificateRequest request) {
        try {
            Set<String> have = new HashSet<>();
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                alternatives.forEach(entry -> have.add(entry.get(1).toString()));
            }
            Set<String> want = new HashSet<>(request.dnsNames());
            want.addAll(normalisedAddresses(request.ipAddresses()));
            return have.equals(want) && java.util.Arrays.equals(certificate.getSubjectX500Principal().getEncoded(),
                    CertificateAuthority.name(request.commonName()).getEncoded());
        } catch (CertificateParsingException | java.io.IOException e) {
            return false;
        }
    }

    /** The JDK reports IP alternative names in its own spelling (IPv6 expanded); compare in that spelling. */
    private static List<String> normalisedAddresses(List<String> addresses) {
        List<String> out = new ArrayList<>();
        for (String a : addresses) {
            try {
                byte[] raw = java.net.InetAddress.getByName(a).getAddress();
                if (raw.length == 4) {
                    out.add(java.net.InetAddress.getByAddress(raw).getHostAddress());
                } else {
                    StringBuilder b = new StringBuilder();
                    for (int i = 0; i < 16; i += 2) {
                        if (i > 0) {
                            b.append(':');
                        }
                        b.append(Integer.toHexString(((raw[i] & 0xff) << 8) | (raw[i + 1] & 0xff)));
                    }
                    out.add(b.toString());
                }
            } catch (java.net.UnknownHostException e) {
                out.add(a);
            }
        }
        return out;
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.equals(CA)) {
            throw new IllegalArgumentException("not a TLS identity name (lower-case, not 'ca'): '" + name + "'");
        }
    }

    /** Re-reads the stored identity at most every {@code recheck}; a failed re-read keeps the last one. */
    private static final class LiveIdentity implements Supplier<TlsIdentity> {
        private final Supplier<TlsIdentity> read;
        private final Duration recheck;
        private final Clock clock;
        private TlsIdentity current;
        private Instant readAt = Instant.MIN;

        LiveIdentity(Supplier<TlsIdentity> read, Duration recheck, Clock clock) {
            this.read = read;
            this.recheck = recheck;
            this.clock = clock;
        }

        @Override
        public synchronized TlsIdentity get() {
            Instant now = clock.instant();
            if (current == null || !now.isBefore(readAt.plus(recheck))) {
                try {
                    current = read.get();
                } catch (RuntimeException e) {
                    if (current == null) {
                        throw e;
                    }
                }
                readAt = now;
            }
            return current;
        }
    }
}
