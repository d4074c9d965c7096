package io.tideline.core.tls;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a leaf certificate is for: its subject's common name (a principal for client certificates,
 * e.g. {@code archiver}), the DNS names and IP addresses a server answers on, its usage, its lifetime.
 */
public record CertificateRequest(String commonName, List<String> dnsNames, List<String> ipAddresses,
                                 Usage usage, Duration lifetime) {

    /** Leaf certificates live 30 days and are renewed after 20 ({@link TlsCredentials}). */
    public static final Duration DEFAULT_LIFETIME = Duration.ofDays(30);

    public enum Usage { SERVER, CLIENT, SERVER_AND_CLIENT }

    public CertificateRequest {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank()) {
            throw new IllegalArgumentException("a certificate needs a common name");
        }
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
        Objects.requireNonNull(usage, "usage");
        if (lifetime == null || lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("a certificate's lifetime must be positive, not " + lifetime);
        }
        if (usage != Usage.CLIENT && dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a server certificate for " + commonName + " needs a DNS name or an IP address");
        }
    }

    /** A server's certificate (also usable as a client, as brokers talk to each other). */
    public static CertificateRequest server(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        return new CertificateRequest(commonName, dnsNames, ipAddresses, Usage.SERVER_AND_CLIENT, DEFAULT_LIFETIME);
    }

    /** A client principal's certificate: the common name is the principal ({@code CN=archiver}). */
    public static CertificateRequest client(String principal) {
        return new CertificateRequest(principal, List.of(), List.of(), Usage.CLIENT, DEFAULT_LIFETIME);
    }

    public CertificateRequest withLifetime(Duration lifetime) {
        return new CertificateRequest(commonName, dnsNames, ipAddresses, usage, lifetime);
    }
}
