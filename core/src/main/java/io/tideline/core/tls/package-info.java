/**
 * The Tideline certificate authority (issue 14.1): a private CA for the embedded runtime and the fleet
 * harness, and the certificates it issues to every server and client (Kafka brokers and principals, the
 * services' HTTPS, the agents, the S3 server, PostgreSQL servers Tideline makes).
 *
 * <ul>
 *   <li>{@link io.tideline.core.tls.CertificateAuthority}: the CA's key and certificate; {@code issue}
 *       signs a leaf for a {@link io.tideline.core.tls.CertificateRequest} (names, addresses, usage,
 *       lifetime). BouncyCastle builds every certificate; nothing here writes ASN.1 by hand.</li>
 *   <li>{@link io.tideline.core.tls.TlsIdentity}: a key, its certificate and the CA certificate, as
 *       objects and as PEM text.</li>
 *   <li>{@link io.tideline.core.tls.TlsCredentials}: keeps the CA and every identity in the
 *       {@link io.tideline.core.secrets.SecretStore} under {@code tls/<name>/tls.crt}, {@code tls.key},
 *       {@code ca.crt} (the layout of a Kubernetes TLS secret, so the directory secret store is also
 *       what a process that needs files reads); {@code ensure} issues a missing identity and renews one
 *       whose remaining lifetime fell below a third, so a periodic call renews before expiry;
 *       {@code expiries} feeds {@code tideline status}.</li>
 *   <li>{@link io.tideline.core.tls.TlsContexts}: JSSE {@link javax.net.ssl.SSLContext}s from an identity;
 *       the key manager re-reads the identity when it changed, so a renewed certificate is served from
 *       the next handshake on without a restart.</li>
 * </ul>
 *
 * Keys are ECDSA P-256: fast to make (a fleet harness makes dozens at start), accepted by Kafka's PEM
 * key stores, PostgreSQL, Jetty (S3Proxy) and Netty.
 */
package io.tideline.core.tls;
