package io.tideline.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.core.tls.TlsSettings;
import io.tideline.platform.local.FleetConfiguration;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Micronaut/Netty server of every Tideline process (the services' API and view, an agent) on HTTPS with an
 * identity of the secret store: a client trusting the Tideline CA gets in and the name is checked, plain HTTP gets
 * no answer, and a renewed certificate is served on the next connection without a restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one server for both tests: a context start costs seconds
class HttpsServerTest {

    private static final String NAME = "agent-https-test";

    private TlsCredentials credentials;
    private ApplicationContext context;
    private EmbeddedServer server;

    @BeforeAll
    void startAnHttpsServer(@TempDir Path secretsDir) {
        credentials = new TlsCredentials(new DirectorySecretStore(secretsDir), Clock.systemUTC());
        // named by its address only: a client that says "localhost" must be refused
        credentials.ensure(NAME, CertificateRequest.server(NAME, List.of(), List.of("127.0.0.1")));
        context = ApplicationContext.run(Map.of(
                "tideline.kafka.topics.create-on-startup", "false",
                FleetConfiguration.SECRETS_DIR, secretsDir.toString(),
                "micronaut.server.host", "127.0.0.1",
                "micronaut.server.ssl.enabled", true,
                "micronaut.server.ssl.port", -1,
                "micronaut.server.ssl.key-name", IdentityCertificateProvider.NAME,
                "micronaut.server.ssl.key.password", IdentityCertificateProvider.IN_MEMORY_KEY_PASSWORD,
                TlsSettings.IDENTITY, NAME,
                TlsSettings.PREFIX + ".recheck", "200ms"));
        server = context.getBean(EmbeddedServer.class).start();
    }

    @AfterAll
    void stop() {
        if (context != null) {
            context.close();
        }
    }

    @Test
    void servesHttpsOnlyToClientsThatTrustTheCaAndNameTheServerRight() throws Exception {
        assertEquals("https", server.getScheme());
        URI uri = URI.create("https://127.0.0.1:" + server.getPort() + "/no-such-page");
        HttpResponse<String> answer = client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, answer.statusCode(), "any answer at all: the handshake passed");

        // Another name for the same address: not in the certificate, refused by the client's name check.
        URI byName = URI.create("https://localhost:" + server.getPort() + "/no-such-page");
        assertThrows(SSLHandshakeException.class, () -> client().send(HttpRequest.newBuilder(byName)
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));

        // A client that trusts only the JDK's public CAs refuses the Tideline certificate.
        assertThrows(SSLHandshakeException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));

        // Plain HTTP on the port gets no HTTP answer (the server speaks TLS only).
        URI plain = URI.create("http://127.0.0.1:" + server.getPort() + "/no-such-page");
        assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain)
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        BigInteger before = servedSerial();
        assertEquals(credentials.find(NAME).orElseThrow().certificate().getSerialNumber(), before);

        // What the renewal task does when a certificate is due: a new key and certificate in the secret store.
        credentials.delete(NAME);
        TlsIdentity renewed = credentials.ensure(NAME, CertificateRequest.server(NAME, List.of(), List.of("127.0.0.1")));
        assertNotEquals(before, renewed.certificate().getSerialNumber());

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        BigInteger served = servedSerial();
        while (!served.equals(renewed.certificate().getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            served = servedSerial();
        }
        assertEquals(renewed.certificate().getSerialNumber(), served, "the new certificate is served");
        assertSame(server, context.getBean(EmbeddedServer.class), "the same server, never restarted");
        assertTrue(server.isRunning());
    }

    private HttpClient client() {
        // a new context per client: no TLS session resumption, so each request is a full handshake
        return HttpClient.newBuilder().sslContext(TlsContexts.client(credentials.caCertificate())).build();
    }

    private BigInteger servedSerial() throws Exception {
        URI uri = URI.create("https://127.0.0.1:" + server.getPort() + "/no-such-page");
        HttpResponse<String> answer = client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
        return ((X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }
}
