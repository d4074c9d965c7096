package io.tideline.core.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.testkit.S3Server;
import java.math.BigInteger;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3 over HTTPS (issue 14.1): the S3 server serves TLS with the {@code s3} identity of the Tideline CA; the
 * services' clients (S3Clients, the shared pool per endpoint) trust that CA and check the name; instance A's
 * credentials stay refused on B's bucket; a renewed certificate is served without restarting the server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one HTTPS server (its own JVM) for the class
class S3OverTlsIT {

    /** Named by its address only, so that a client saying "localhost" must be refused. */
    private static final CertificateRequest BY_ADDRESS = CertificateRequest.server(S3Server.TLS_IDENTITY, List.of(), List.of("127.0.0.1"));

    private DirectorySecretStore secrets;
    private S3Server server;
    private ObjectStoreSettings settings;

    @BeforeAll
    void startAnHttpsServer(@TempDir Path dir) {
        secrets = new DirectorySecretStore(dir.resolve("secrets"));
        server = S3Server.startWithTls(dir.resolve("s3"), secrets, BY_ADDRESS);
        settings = ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region())
                .withTrustedCa(server.caFile().orElseThrow());
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void instanceCredentialsStayConfinedToTheirBucketOverHttps(@TempDir Path secretsDir) {
        assertEquals("https", server.endpoint().getScheme());
        try (StorageTestBed bed = new StorageTestBed(server, secretsDir, settings);
             ObjectStores stores = new ObjectStores(settings, bed.secrets, Clock.systemUTC())) {
            InstanceId a = bed.provisionNew("tls-a");
            InstanceId b = bed.provisionNew("tls-b");
            byte[] data = "b's data".getBytes(StandardCharsets.UTF_8);
            stores.forInstance(b).put("wal/x", data, Map.of());
            assertArrayEquals(data, stores.forInstance(b).getVerified("wal/x"), "its own bucket, over HTTPS");

            try (S3Client aClient = S3Clients.create(settings, bed.accessKey(a), bed.secretKey(a))) {
                S3ObjectStore intruder = new S3ObjectStore(aClient, BucketLayout.bucketName(b), settings, Clock.systemUTC());
                for (Executable attempt : List.<Executable>of(
                        () -> intruder.get("wal/x"),
                        () -> intruder.put("wal/x", "overwritten".getBytes(StandardCharsets.UTF_8), Map.of()),
                        () -> intruder.list(""),
                        () -> intruder.delete("wal/x"))) {
                    assertThrows(StorageAccessDeniedException.class, attempt, "A's credentials on B's bucket");
                }
            }
            assertArrayEquals(data, stores.forInstance(b).getVerified("wal/x"), "B's object untouched");
        }
    }

    @Test
    void clientsTrustOnlyTheTidelineCaAndCheckTheName() {
        ObjectStoreSettings jdkTrust = ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region()).withMaxAttempts(1);
        try (S3Client client = S3Clients.create(jdkTrust, server.adminAccessKey(), server.adminSecretKey())) {
            SdkClientException e = assertThrows(SdkClientException.class, client::listBuckets);
            assertTrue(String.valueOf(e.getCause()).contains("SSLHandshake") || e.getMessage().contains("PKIX"), e.toString());
        }
        URI byName = URI.create("https://localhost:" + server.endpoint().getPort());
        ObjectStoreSettings wrongName = ObjectStoreSettings.defaults(byName).withRegion(server.region()).withMaxAttempts(1)
                .withTrustedCa(server.caFile().orElseThrow());
        try (S3Client client = S3Clients.create(wrongName, server.adminAccessKey(), server.adminSecretKey())) {
            SdkClientException e = assertThrows(SdkClientException.class, client::listBuckets);
            assertTrue(e.toString().contains("localhost") || String.valueOf(e.getCause()).contains("localhost"),
                    "the name is what is refused: " + e);
        }
        try (S3Client client = S3Clients.create(settings, server.adminAccessKey(), server.adminSecretKey())) {
            client.listBuckets(); // the CA trusted, the right name: in
        }
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        long pid = server.process().processHandle().orElseThrow().pid();
        TlsCredentials credentials = new TlsCredentials(secrets, Clock.systemUTC());
        BigInteger before = servedSerial(credentials);
        assertEquals(credentials.find(S3Server.TLS_IDENTITY).orElseThrow().certificate().getSerialNumber(), before);

        // What the runtime's renewal does when the certificate is due: a new key and certificate, written atomically.
        credentials.delete(S3Server.TLS_IDENTITY);
        TlsIdentity renewed = credentials.ensure(S3Server.TLS_IDENTITY, BY_ADDRESS);
        assertNotEquals(before, renewed.certificate().getSerialNumber());

        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        BigInteger served = servedSerial(credentials);
        while (!served.equals(renewed.certificate().getSerialNumber()) && System.nanoTime() < deadline) {
            Thread.sleep(100);
            served = servedSerial(credentials);
        }
        assertEquals(renewed.certificate().getSerialNumber(), served, "the renewed certificate is served");
        assertEquals(pid, server.process().processHandle().orElseThrow().pid(), "by the same process: no restart");
        try (S3Client client = S3Clients.create(settings, server.adminAccessKey(), server.adminSecretKey())) {
            client.listBuckets();
        }
    }

    /** The serial of the certificate the server presents to a new connection (a full handshake, no resumption). */
    private BigInteger servedSerial(TlsCredentials credentials) throws Exception {
        try (SSLSocket socket = (SSLSocket) TlsContexts.client(credentials.caCertificate()).getSocketFactory()
                .createSocket("127.0.0.1", server.endpoint().getPort())) {
            socket.setSoTimeout(20_000);
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }
}
