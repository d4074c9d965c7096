package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.tls.CertificateAuthority;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RenewingSslEngineFactoryTest {

    private final CertificateAuthority ca = CertificateAuthority.create("Tideline CA", Clock.systemUTC());

    @Test
    void theIdentityFileIsReadAgainSoARenewedCertificateIsServedWithoutANewClient(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("identity.pem");
        TlsIdentity first = write(file, ca.issue(CertificateRequest.client("archiver")));
        RenewingSslEngineFactory.FileIdentity identity = new RenewingSslEngineFactory.FileIdentity(file, Duration.ZERO);
        assertEquals(first.certificate(), identity.get().certificate());

        TlsIdentity renewed = write(file, ca.issue(CertificateRequest.client("archiver")));
        assertEquals(renewed.certificate(), identity.get().certificate());

        Files.writeString(file, "half-written");
        assertEquals(renewed.certificate(), identity.get().certificate(), "a file being replaced keeps the last identity");
    }

    @Test
    void clientEnginesCheckTheBrokersName(@TempDir Path dir) throws Exception {
        write(dir.resolve("identity.pem"), ca.issue(CertificateRequest.client("archiver")));
        Files.writeString(dir.resolve("ca.crt"), io.tideline.core.tls.Pem.of(ca.certificate()));
        RenewingSslEngineFactory factory = new RenewingSslEngineFactory();
        factory.configure(Map.of(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG, dir.resolve("identity.pem").toString(),
                SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG, dir.resolve("ca.crt").toString()));

        SSLEngine engine = factory.createClientSslEngine("127.0.0.1", 9093, "https");

        assertTrue(engine.getUseClientMode());
        assertEquals("https", engine.getSSLParameters().getEndpointIdentificationAlgorithm());
        assertTrue(factory.truststore().containsAlias("tideline-ca"));
    }

    /**
     * Issue 14 (Kubernetes): a pod gets its Kafka identity as a Strimzi KafkaUser secret projected as tls.key, tls.crt
     * and ca.crt, without identity.pem; a key that is not the certificate's (a secret caught mid-swap) keeps the last one.
     */
    @Test
    void theFilesOfAKubernetesSecretServeWhenThereIsNoIdentityPem(@TempDir Path dir) throws Exception {
        TlsIdentity issued = ca.issue(CertificateRequest.client("archiver"));
        issued.writeFiles(dir);
        RenewingSslEngineFactory.FileIdentity identity = new RenewingSslEngineFactory.FileIdentity(dir.resolve("identity.pem"), Duration.ZERO);
        assertEquals(issued.certificate(), identity.get().certificate());
        assertEquals(ca.certificate(), identity.get().caCertificate());

        TlsIdentity other = ca.issue(CertificateRequest.client("archiver"));
        Files.writeString(dir.resolve("tls.key"), other.privateKeyPem());
        assertEquals(issued.certificate(), identity.get().certificate(), "a key without its certificate is not taken");
        Files.writeString(dir.resolve("tls.crt"), other.chainPem());
        assertEquals(other.certificate(), identity.get().certificate(), "the renewed pair is served");
    }

    private static TlsIdentity write(Path file, TlsIdentity identity) throws Exception {
        Files.writeString(file, identity.privateKeyPem() + identity.certificatePem() + identity.caCertificatePem());
        return identity;
    }
}
