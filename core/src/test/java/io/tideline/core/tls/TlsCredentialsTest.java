package io.tideline.core.tls;

import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import org.junit.jupiter.api.Test;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TlsCredentialsTest {

    private final Map<String, String> stored = new ConcurrentHashMap<>();
    private final SecretStore secrets = new SecretStore() {
        @Override
        public void put(SecretRef ref, String value) {
            stored.put(ref.value(), value);
        }

        @Override
        public boolean putIfAbsent(SecretRef ref, String value) {
            return stored.putIfAbsent(ref.value(), value) == null;
        }

        @Override
        public Optional<String> find(SecretRef ref) {
            return Optional.ofNullable(stored.get(ref.value()));
        }

        @Override
        public void delete(SecretRef ref) {
            stored.remove(ref.value());
        }
    };
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final TlsCredentials credentials = new TlsCredentials(secrets, clock);

    @Test
    void theCaIsMadeOnceAndSignsLeavesThatChainToIt() throws Exception {
        X509Certificate ca = credentials.caCertificate();
        assertEquals(ca, new TlsCredentials(secrets, clock).caCertificate(), "a second reader finds the same CA");
        assertTrue(stored.containsKey("tls/ca/ca.crt"));

        TlsIdentity broker = credentials.ensure("kafka-1",
                CertificateRequest.server("kafka-1", List.of("localhost"), List.of("127.0.0.1")));
        broker.certificate().verify(ca.getPublicKey());
        assertEquals(ca, broker.caCertificate());
        assertEquals("CN=kafka-1,O=Tideline", broker.certificate().getSubjectX500Principal().getName());
        assertEquals(-1, broker.certificate().getBasicConstraints(), "a leaf is no CA");
        assertTrue(ca.getBasicConstraints() >= 0);
        assertEquals(clock.instant().plus(CertificateRequest.DEFAULT_LIFETIME), broker.notAfter());
        for (String file : List.of("identity.pem", "tls.crt", "tls.key", "ca.crt")) {
            assertTrue(stored.containsKey("tls/kafka-1/" + file), file);
        }
        assertTrue(stored.get("tls/kafka-1/tls.key").startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8, as Kafka reads it");
        assertEquals(2, Pem.certificates(stored.get("tls/kafka-1/tls.crt")).size(), "the chain a server sends");
    }

    @Test
    void ensureKeepsAFreshCertificateAndRenewsOneWithLessThanAThirdLeft() {
        CertificateRequest request = CertificateRequest.server("svc", List.of(), List.of("10.231.1.41"));
        TlsIdentity first = credentials.ensure("svc", request);
        clock.advance(Duration.ofDays(19));
        assertEquals(first.certificate(), credentials.ensure("svc", request).certificate(), "19 of 30 days: kept");
        assertFalse(credentials.renewalDue(first));
        clock.advance(Duration.ofDays(2));
        assertTrue(credentials.renewalDue(first));
        TlsIdentity renewed = credentials.ensure("svc", request);
        assertNotEquals(first.certificate().getSerialNumber(), renewed.certificate().getSerialNumber());
        assertEquals(clock.instant().plus(CertificateRequest.DEFAULT_LIFETIME), renewed.notAfter());
        assertEquals(Map.of("ca", credentials.caCertificate().getNotAfter().toInstant(), "svc", renewed.notAfter()),
                credentials.expiries(List.of("svc", "absent")));
    }

    @Test
    void aHostThatChangedItsAddressGetsANewCertificate() throws Exception {
        TlsIdentity old = credentials.ensure("db1", CertificateRequest.server("db1", List.of("db1"), List.of("10.231.1.31")));
        TlsIdentity moved = credentials.ensure("db1", CertificateRequest.server("db1", List.of("db1"), List.of("10.231.1.32")));
        assertNotEquals(old.certificate(), moved.certificate());
        List<String> names = new ArrayList<>();
        moved.certificate().getSubjectAlternativeNames().forEach(e -> names.add(e.get(1).toString()));
        assertEquals(List.of("db1", "10.231.1.32"), names);
    }

    @Test
    void namesThatAreNotSecretPathsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> credentials.ensure("../x", CertificateRequest.client("x")));
        assertThrows(IllegalArgumentException.class, () -> credentials.ensure("ca", CertificateRequest.client("ca")));
        assertThrows(IllegalArgumentException.class,
                () -> CertificateRequest.server("s", List.of(), List.of()), "a server certificate names its host");
    }

    @Test
    void aServerServesItsRenewedCertificateWithoutARestartAndClientsCheckTheHostName() throws Exception {
        // JSSE checks validity against the real clock: issue 26 days ago, renew 1 day ago
        clock.set(Instant.now().minus(Duration.ofDays(26)));
        CertificateRequest request = CertificateRequest.server("api", List.of("localhost"), List.of("127.0.0.1"));
        credentials.ensure("api", request);
        SSLContext server = TlsContexts.withIdentity(credentials.live("api", Duration.ZERO));
        X509Certificate client = credentials.caCertificate();
        ExecutorService accept = Executors.newSingleThreadExecutor();
        try (SSLServerSocket socket = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            X509Certificate before = handshake(accept, socket, client, "localhost");
            clock.advance(Duration.ofDays(25));
            TlsIdentity renewed = credentials.ensure("api", request);
            X509Certificate after = handshake(accept, socket, client, "localhost");
            assertNotEquals(before.getSerialNumber(), after.getSerialNumber());
            assertEquals(renewed.certificate(), after, "the next handshake serves the renewed certificate");

            assertThrows(SSLHandshakeException.class, () -> handshake(accept, socket, client, "not-this-host"),
                    "a name the certificate does not carry is refused");
            X509Certificate stranger = CertificateAuthority.create("other", clock).certificate();
            assertThrows(SSLHandshakeException.class, () -> handshake(accept, socket, stranger, "localhost"),
                    "a client that trusts another CA refuses the server");
        } finally {
            accept.shutdownNow();
            assertTrue(accept.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    /** A new client context each time: a resumed session would show the certificate of the first handshake. */
    private static X509Certificate handshake(ExecutorService accept, SSLServerSocket socket, X509Certificate trusted, String hostName)
            throws Exception {
        SSLContext client = TlsContexts.client(trusted);
        Future<?> served = accept.submit(() -> {
            try (SSLSocket s = (SSLSocket) socket.accept()) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                out.write(in.read());
                out.flush();
            } catch (IOException ignored) {
                // a refused handshake ends the server side too; the client's exception is the assertion
            }
            return null;
        });
        // layered on a plain loopback socket so that the host name checked is the one the client meant
        java.net.Socket plain = new java.net.Socket(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(plain, hostName, socket.getLocalPort(), true)) {
            s.setSoTimeout(10_000);
            SSLParameters parameters = s.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(parameters);
            s.getOutputStream().write(7);
            s.getOutputStream().flush();
            assertEquals(7, s.getInputStream().read());
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        } finally {
            served.get(10, TimeUnit.SECONDS);
        }
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** Issue 14 (Kubernetes): a cert-manager TLS secret mounted at tls/NAME/ (no identity.pem) is the identity NAME. */
    @Test
    void aKubernetesTlsSecretsFilesAreTheIdentity() {
        CertificateAuthority platformCa = CertificateAuthority.create("cert-manager CA", Clock.systemUTC());
        TlsIdentity issued = platformCa.issue(CertificateRequest.server("https-restore", List.of("tideline-restore"), List.of()));
        secrets.put(TlsCredentials.keyRef("https-restore"), issued.privateKeyPem());
        secrets.put(TlsCredentials.certificateRef("https-restore"), issued.certificatePem());
        secrets.put(TlsCredentials.caRef("https-restore"), issued.caCertificatePem());

        TlsIdentity found = new TlsCredentials(secrets, Clock.systemUTC()).find("https-restore").orElseThrow();

        assertEquals(issued.certificate(), found.certificate());
        assertEquals(platformCa.certificate(), found.caCertificate());
        assertFalse(stored.containsKey("tls/ca/identity.pem"), "reading a platform's identity makes no CA of Tideline's");
    }
}
