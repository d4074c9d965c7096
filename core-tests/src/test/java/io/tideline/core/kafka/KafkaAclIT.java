package io.tideline.core.kafka;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.tideline.core.tls.CertificateAuthority;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.KafkaBroker;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14.1 with a network client that is not Tideline: one broker with TLS listeners, client certificates
 * required and KRaft's StandardAuthorizer, its topics and ACLs made by a Tideline context at start (the admin
 * principal). Clients without credentials are refused; principals are refused what {@link KafkaAcls} does not
 * grant them; a service's listener and publisher in the context work as their own principals.
 */
class KafkaAclIT {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FRONT_DOOR = "front-door-it";

    @TempDir
    static Path dir;
    private static KafkaBroker broker;
    private static ApplicationContext context;
    private static final String group = KafkaPrincipals.groupPrefix(KafkaPrincipals.ARCHIVER) + "-acl-it-" + UUID.randomUUID();

    @BeforeAll
    static void start() {
        broker = KafkaBroker.startWithTls(dir);
        broker.credentials().ensure(FRONT_DOOR, CertificateRequest.client(FRONT_DOOR));
        context = ApplicationContext.run(Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                KafkaSecurityConfiguration.PREFIX + ".tls", true,
                KafkaSecurityConfiguration.PREFIX + ".directory", broker.tlsDirectory().toString(),
                KafkaSecurityConfiguration.PREFIX + ".principal", KafkaPrincipals.RESTORE,
                KafkaSecurityConfiguration.PREFIX + ".front-doors", List.of(FRONT_DOOR),
                "spec.name", "KafkaAclIT",
                "spec.group", group));
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void theContextMadeTheTopicsAndEveryBindingOfTheTableAsTheAdmin() throws Exception {
        Set<AclBinding> wanted = new HashSet<>();
        KafkaAcls.table(List.of(FRONT_DOOR)).forEach(g -> wanted.addAll(g.bindings()));
        try (Admin admin = broker.adminClient()) {
            assertTrue(admin.listTopics().names().get().containsAll(Topics.ALL));
            Set<AclBinding> present = new HashSet<>(admin.describeAcls(AclBindingFilter.ANY).values().get());
            assertEquals(wanted, present);
        }
    }

    @Test
    void aClientWithoutTlsIsRefused() {
        Throwable refused = describeCluster(KafkaConnection.plaintext(broker.bootstrapServers()));
        // a PLAINTEXT client on a TLS port never gets an answer it can read: it times out
        assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, refused, refused.toString());
    }

    @Test
    void aTlsClientWithoutACertificateIsRefused() {
        Throwable refused = describeCluster(KafkaConnection.tlsWithoutCertificate(broker.bootstrapServers(), broker.tlsDirectory()));
        assertInstanceOf(SslAuthenticationException.class, refused, refused.toString());
    }

    @Test
    void aCertificateOfAnotherAuthorityNamingAServiceIsRefused() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("Tideline CA", Clock.systemUTC());
        TlsIdentity forged = other.issue(CertificateRequest.client(KafkaPrincipals.RESTORE));
        Path forgedDir = dir.resolve("forged");
        forged.writeFiles(forgedDir.resolve(KafkaPrincipals.RESTORE));
        java.nio.file.Files.writeString(forgedDir.resolve(KafkaPrincipals.RESTORE).resolve("identity.pem"),
                forged.privateKeyPem() + forged.certificatePem() + forged.caCertificatePem());
        // it trusts the real CA (so the broker's certificate checks out) but presents the forged restore certificate
        java.nio.file.Files.createDirectories(forgedDir.resolve("ca"));
        java.nio.file.Files.copy(broker.tlsDirectory().resolve("ca").resolve("ca.crt"), forgedDir.resolve("ca").resolve("ca.crt"));

        Throwable refused = describeCluster(KafkaConnection.tls(broker.bootstrapServers(), forgedDir, KafkaPrincipals.RESTORE));

        assertInstanceOf(SslAuthenticationException.class, refused, refused.toString());
    }

    @Test
    void onlyTheRestoreServiceWritesRestoreEvents() {
        try (EventPublisher archiver = publisher(KafkaPrincipals.ARCHIVER);
             EventPublisher restore = publisher(KafkaPrincipals.RESTORE)) {
            assertRefused(() -> archiver.publishAndWait(Topics.RESTORE_EVENTS, "pg-acl", rejected()));
            assertRefused(() -> publisher(KafkaPrincipals.RETENTION).publishAndWait(Topics.RESTORE_EVENTS, "pg-acl", rejected()));

            restore.publishAndWait(Topics.RESTORE_EVENTS, "pg-acl", rejected());
            archiver.publishAndWait(Topics.BACKUP_COMMANDS, "pg-acl", command("archiver-may"));
        }
    }

    @Test
    void theCliDoesNotWriteRestoreRequestsAFrontDoorDoes() {
        try (EventPublisher cli = publisher(KafkaPrincipals.CLI);
             EventPublisher door = publisher(FRONT_DOOR);
             EventPublisher scheduler = publisher(KafkaPrincipals.SCHEDULER)) {
            assertRefused(() -> cli.publishAndWait(Topics.RESTORE_REQUESTS, "pg-acl", cancel()));
            assertRefused(() -> scheduler.publishAndWait(Topics.RESTORE_REQUESTS, "pg-acl", cancel()));
            assertRefused(() -> door.publishAndWait(Topics.BACKUP_COMMANDS, "pg-acl", command("door-may-not")));

            door.publishAndWait(Topics.RESTORE_REQUESTS, "pg-acl", cancel());
            cli.publishAndWait(Topics.BACKUP_COMMANDS, "pg-acl", command("cli-may"));
        }
    }

    @Test
    void theSchedulerCannotReadAsAnotherServicesGroupNorTopicsNotItsOwn() {
        String archiverGroup = KafkaPrincipals.groupPrefix(KafkaPrincipals.ARCHIVER) + "-" + UUID.randomUUID();
        Throwable refused = pollOnce(KafkaPrincipals.SCHEDULER, archiverGroup, Topics.BACKUP_COMMANDS);
        assertInstanceOf(GroupAuthorizationException.class, refused, String.valueOf(refused));

        String ownGroup = KafkaPrincipals.groupPrefix(KafkaPrincipals.SCHEDULER) + "-" + UUID.randomUUID();
        Throwable notItsTopic = pollOnce(KafkaPrincipals.SCHEDULER, ownGroup, Topics.RESTORE_REQUESTS);
        assertInstanceOf(TopicAuthorizationException.class, notItsTopic, String.valueOf(notItsTopic));

        assertEquals(null, pollOnce(KafkaPrincipals.SCHEDULER, ownGroup, Topics.BACKUP_COMMANDS), "its own group and topic");
    }

    @Test
    void aServicesListenerAndPublisherInTheContextWorkAsTheirOwnPrincipals() {
        // the scheduler's publisher writes a command; a listener of an archiver group (connected as the archiver) reads it
        EventPublisher scheduler = context.getBean(EventPublisher.class, Qualifiers.byName(KafkaPrincipals.SCHEDULER));
        String commandId = "acl-it-" + UUID.randomUUID();
        scheduler.publishAndWait(Topics.BACKUP_COMMANDS, "pg-acl", command(commandId));

        AclTestListener listener = context.getBean(AclTestListener.class);
        await().atMost(WAIT).until(() -> listener.commandIds().contains(commandId));

        // and the archiver's publisher is the archiver: refused on restore events
        EventPublisher archiver = context.getBean(EventPublisher.class, Qualifiers.byName(KafkaPrincipals.ARCHIVER));
        assertRefused(() -> archiver.publishAndWait(Topics.RESTORE_EVENTS, "pg-acl", rejected()));
    }

    @Test
    void aRenewedBrokerCertificateIsServedWithoutARestart() throws Exception {
        TlsIdentity renewed = broker.credentials().ensure("kafka-1",
                CertificateRequest.server("kafka-1", List.of("localhost", "kafka-1.renewed.test"), List.of("127.0.0.1")));
        assertTrue(!renewed.certificate().equals(servedCertificate()), "the broker still serves the certificate it started with");

        broker.process().reloadKeyStore();

        await().atMost(WAIT).until(() -> renewed.certificate().equals(servedCertificate()));
        assertEquals(null, describeCluster(broker.connection(KafkaPrincipals.CLI)), "clients still connect");
    }

    /** The certificate the broker's client listener presents to a new TLS connection. */
    private static java.security.cert.X509Certificate servedCertificate() throws Exception {
        TlsIdentity cli = broker.credentials().find(KafkaPrincipals.CLI).orElseThrow();
        javax.net.ssl.SSLContext tls = io.tideline.core.tls.TlsContexts.withIdentity(() -> cli);
        String[] hostPort = broker.bootstrapServers().split(":");
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) tls.getSocketFactory()
                .createSocket(hostPort[0], Integer.parseInt(hostPort[1]))) {
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static EventPublisher publisher(String principal) {
        return new EventPublisher(broker.connection(principal), EventCodec.standard());
    }

    private static void assertRefused(Runnable publish) {
        EventPublisher.PublishException e = assertThrows(EventPublisher.PublishException.class, publish::run);
        assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }

    /** What a describeCluster with {@code connection} ends in: null when it was answered. */
    private static Throwable describeCluster(KafkaConnection connection) {
        Map<String, Object> config = connection.config();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 4_000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            return e;
        }
    }

    /** What one subscribe-and-poll as {@code principal} in {@code group} ends in: null when nothing was refused. */
    private static Throwable pollOnce(String principal, String group, String topic) {
        Map<String, Object> config = broker.connection(principal).config();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            // polled until the group is joined (assignment) so a refusal of the group or topic has surfaced
            while (consumer.assignment().isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500));
            }
            return consumer.assignment().isEmpty() ? new AssertionError("never joined " + group) : null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static BackupCommand command(String commandId) {
        Instant now = Instant.now();
        return BackupCommand.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-acl").setOccurredAt(now)
                .setCommandId(commandId).setReason(BackupReason.ON_DEMAND).setRequestedBy("KafkaAclIT")
                .setRequestedAt(now).build();
    }

    private static SpecificRecord rejected() {
        return RestoreRejected.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-acl").setOccurredAt(Instant.now())
                .setRestoreId(UUID.randomUUID().toString()).setReason("KafkaAclIT").build();
    }

    private static SpecificRecord cancel() {
        return RestoreCancelRequested.newBuilder().setEventId(UUID.randomUUID()).setInstanceId("pg-acl").setOccurredAt(Instant.now())
                .setRestoreId(UUID.randomUUID().toString()).setRequestedBy("KafkaAclIT").build();
    }
}
