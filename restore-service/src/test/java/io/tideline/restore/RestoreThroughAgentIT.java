package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.tls.CertificateRequest;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsIdentity;
import io.tideline.restore.host.AgentPaths;
import io.tideline.restore.wal.WalController;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.tideline.core.tls.IdentityCertificateProvider;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.core.tls.TlsSettings;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ReadOnlyGrant;
import io.tideline.core.storage.S3Clients;
import io.tideline.core.storage.StorageSecrets;
import io.tideline.core.storage.StoredObject;
import io.tideline.schemas.AgentAnnounced;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.serde.EventCodec;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Issue 13.2: restores run where the new instance lives. The restore service runs as the coordinator
 * ({@code tideline.restore.platform.type=agent}); a restore agent runs in its own JVM with its own id, home and port,
 * as on a database host, with no storage key of its own. Real Kafka, S3 server and PostgreSQL.
 */
@ExtendWith(FleetExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestoreThroughAgentIT {

    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(10);

    private static RestoreTestBed bed;
    private static TlsCredentials credentials;
    private static AgentProcess agent;
    private static TopicReplay announcements;
    private static final List<AgentAnnounced> announced = new CopyOnWriteArrayList<>();
    private static RegisteredInstance source;
    private static Instant afterFirstBatch;

    @BeforeAll
    static void coordinatorAndAgent(Fleet fleet) throws Exception {
        fleet.kafka().createTopic(Topics.AGENTS, 3, Map.of("cleanup.policy", "compact"));
        bed = new RestoreTestBed(fleet);
        String id = "it" + UUID.randomUUID().toString().substring(0, 8);
        // Issue 14.1: the agent serves HTTPS only, with its identity from the Tideline CA of the fleet's secret store;
        // the coordinator and the host's recovering servers (curl) trust that CA and check the name.
        DirectorySecretStore secrets = new DirectorySecretStore(java.nio.file.Path.of(
                String.valueOf(fleet.serviceProperties().get(io.tideline.platform.local.FleetConfiguration.SECRETS_DIR))));
        String identity = "agent-https-" + id;
        new TlsCredentials(secrets, Clock.systemUTC()).ensure(identity,
                CertificateRequest.server(identity, List.of("localhost"), List.of("127.0.0.1")));
        String caFile = secrets.fileOf(TlsCredentials.caRef("ca")).toString();
        // The coordinator presents the restore service's own identity (its Kafka one where Kafka runs TLS); another
        // Tideline principal's (the archiver's) must not get in.
        credentials = new TlsCredentials(secrets, Clock.systemUTC());
        credentials.ensure(KafkaPrincipals.RESTORE, CertificateRequest.client(KafkaPrincipals.RESTORE));
        credentials.ensure(KafkaPrincipals.ARCHIVER, CertificateRequest.client(KafkaPrincipals.ARCHIVER));
        Map<String, String> agentSettings = new java.util.LinkedHashMap<>(Map.of("tideline.agent.lease", "20s"));
        agentSettings.putAll(Map.of(
                "micronaut.server.ssl.enabled", "true",
                "micronaut.server.ssl.port", "-1",
                "micronaut.server.ssl.key-name", IdentityCertificateProvider.NAME,
                "micronaut.server.ssl.key.password", IdentityCertificateProvider.IN_MEMORY_KEY_PASSWORD,
                TlsSettings.IDENTITY, identity,
                TlsSettings.CA_FILE, caFile));
        agent = new AgentProcess(fleet, id, 1, agentSettings).start();
        announcements = new TopicReplay(fleet.kafka().bootstrapServers(), List.of(Topics.AGENTS), "it-agents", EventCodec.standard(),
                r -> r.value().filter(AgentAnnounced.class::isInstance).map(AgentAnnounced.class::cast)
                        .filter(a -> a.getAgentId().equals(id)).ifPresent(announced::add));
        announcements.start();
        Map<String, Object> coordinator = bed.properties();
        coordinator.put(InstancePlatformConfiguration.TYPE, "agent");
        coordinator.put(InstancePlatformConfiguration.PREFIX + ".agent-timeout", AGENT_TIMEOUT.toSeconds() + "s");
        coordinator.put(TlsSettings.CA_FILE, caFile);
        // The test fleet's Kafka is shared with the other restore ITs of this JVM: from the topic's start this
        // coordinator would place their (valid) requests on the one-place agent and refuse this test's own.
        coordinator.put("kafka.consumers." + bed.groupId + ".auto.offset.reset", "latest");
        bed.startService(coordinator);
        source = seededSource(fleet);
        Awaitility.await("the agent announces itself").atMost(Duration.ofSeconds(90)).until(() -> !announced.isEmpty());
        assertTrue(announced.get(0).getAddress().toString().startsWith("https://127.0.0.1:"),
                "the agent is reached over HTTPS: " + announced.get(0).getAddress());
        // The agent answers over HTTPS to a client that trusts the CA (a 404 for an unknown restore): its server and
        // this JVM's TLS code are warm before the coordinator's first call, whose connect timeout (TLS handshake
        // included) is half of this test's short agent timeout, which a cold handshake on a loaded machine can exceed.
        java.net.http.HttpClient https = clientAs(KafkaPrincipals.RESTORE);
        java.net.URI unknown = java.net.URI.create(announced.get(0).getAddress() + "/agent/restores/" + UUID.randomUUID());
        Awaitility.await("the agent answers over HTTPS").atMost(Duration.ofSeconds(60)).until(() -> https.send(
                java.net.http.HttpRequest.newBuilder(unknown).timeout(Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 404);
    }

    @AfterAll
    static void stop() throws Exception {
        if (announcements != null) {
            announcements.close();
        }
        if (bed != null) {
            bed.close();
        }
        if (agent != null) {
            agent.close();
        }
    }

    /**
     * Issue 14.1: the agent's API answers the coordinator's principal only. Without a client certificate, or with
     * another Tideline principal's, a call to start, follow or remove a restore gets 403 and a sentence; a certificate
     * of another CA (even for the name {@code restore}) does not pass the handshake; the WAL endpoint wants the
     * restore's token. The coordinator's own calls pass (the restores of the other tests).
     */
    @Test
    @Order(0)
    void theAgentAnswersOnlyTheCoordinator() throws Exception {
        String base = announced.get(0).getAddress().toString();
        String someRestore = UUID.randomUUID().toString();
        HttpClient anonymous = HttpClient.newBuilder().sslContext(TlsContexts.client(credentials.caCertificate())).build();
        HttpClient archiver = clientAs(KafkaPrincipals.ARCHIVER);
        for (HttpClient refused : List.of(anonymous, archiver)) {
            String who = refused == anonymous ? "no client certificate" : "the archiver's certificate";
            HttpResponse<String> start = send(refused, HttpRequest.newBuilder(URI.create(base + AgentPaths.RESTORES))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertEquals(403, start.statusCode(), who + ": " + start.body());
            assertTrue(start.body().contains("answers only the restore coordinator"), start.body());
            assertEquals(403, send(refused, HttpRequest.newBuilder(URI.create(base + AgentPaths.restore(someRestore))).GET())
                    .statusCode(), who + ": status");
            assertEquals(403, send(refused, HttpRequest.newBuilder(URI.create(base + AgentPaths.restore(someRestore))).DELETE())
                    .statusCode(), who + ": remove");
        }
        assertTrue(send(archiver, HttpRequest.newBuilder(URI.create(base + AgentPaths.restore(someRestore))).GET()).body()
                .contains("not " + KafkaPrincipals.ARCHIVER), "the refusal names the principal");
        assertEquals(404, send(clientAs(KafkaPrincipals.RESTORE), HttpRequest.newBuilder(URI.create(base + AgentPaths.restore(someRestore)))
                .GET()).statusCode(), "the coordinator's principal gets in (no such restore here)");

        // The name "restore" on a certificate the Tideline CA did not issue, presented although the agent names the
        // Tideline CA as the issuer it takes (a JDK client would not even send it): refused in the handshake.
        TlsIdentity forged = io.tideline.core.tls.CertificateAuthority.create("Not the Tideline CA", Clock.systemUTC())
                .issue(CertificateRequest.client(KafkaPrincipals.RESTORE));
        HttpClient forger = HttpClient.newBuilder().sslContext(alwaysPresenting(forged, credentials.caCertificate())).build();
        assertThrows(java.io.IOException.class, () -> send(forger,
                HttpRequest.newBuilder(URI.create(base + AgentPaths.restore(someRestore))).GET()), "a forged certificate");

        // The agent's WAL endpoint (for this host's recovering servers): nothing without the restore's token.
        HttpResponse<String> wal = send(anonymous, HttpRequest.newBuilder(URI.create(
                WalController.walUrl(base, RestoreId.of(someRestore)).replace("%f", "000000010000000000000001"))).GET());
        assertEquals(403, wal.statusCode(), wal.body());
    }

    @Test
    @Order(1)
    void aPointInTimeRestoreThroughTheAgentLandsOnItsHostWithExactRowsAndTheSourceUntouched(Fleet fleet) throws Exception {
        AgentAnnounced first = announced.get(0);
        assertEquals(agent.host, first.getHost());
        assertEquals(1, first.getCapacity());
        assertTrue(first.getPostgresVersion().startsWith("15"), first.getPostgresVersion());
        Map<String, Long> bucketBefore = objects(fleet, source.id());

        String restoreId = bed.request(source.id(), afterFirstBatch.toString(), null);
        RestoreCompleted done = bed.await(restoreId, RestoreCompleted.class, RESTORE_TIMEOUT);

        try (Connection restored = connect(fleet, done)) {
            assertEquals(Map.of(0, 200, 1, 300), countsByBatch(restored), "exactly the rows committed before the target");
        }
        assertTrue(agent.instanceDirs().contains(done.getNewInstanceId()), "the new instance lives on the agent's host: "
                + agent.instanceDirs());
        // Issue 14.1: the restore's WAL token went with its recovery, and the agent never logged it.
        assertFalse(Files.exists(agent.home.resolve("instances").resolve(done.getNewInstanceId()).resolve("wal-token")),
                "the WAL token file is removed once recovered");
        assertFalse(Files.readString(agent.log()).contains(io.tideline.restore.wal.WalToken.HEADER + ":"),
                "no WAL token header line in the agent's log");
        assertFalse(bed.instanceDirs().contains(done.getNewInstanceId()), "and not on the coordinator's machine");
        List<RestorePhase> phases = bed.eventsOf(restoreId, RestoreProgress.class).stream().map(RestoreProgress::getPhase)
                .distinct().toList();
        // (a phase shorter than the coordinator's poll of the agent may be missed; the order never changes)
        assertEquals(phases.stream().sorted().toList(), phases, "the agent's phases, republished in order: " + phases);
        // The coordinator polls the agent, so on a fast machine a short host phase can pass between two polls;
        // the coordinator's own phases and at least one of the agent's must be there.
        assertTrue(phases.containsAll(List.of(RestorePhase.PROVISIONING, RestorePhase.REGISTERING)), "phases: " + phases);
        assertTrue(phases.contains(RestorePhase.RESTORING_BACKUP) || phases.contains(RestorePhase.REPLAYING_WAL),
                "an agent phase republished: " + phases);
        assertTrue(fleet.postgres().secrets().find(StorageSecrets.readAccessKey(RestoreId.of(restoreId))).isEmpty(),
                "the restore's read-only identity is revoked once it ended");
        // The source: its bucket as it was, its rows all there.
        assertEquals(bucketBefore, objects(fleet, source.id()), "the agent only read the source bucket");
        try (Connection db = fleet.postgres().connect(fleet.postgres().provisioner().get(source.id()))) {
            assertEquals(Map.of(0, 200, 1, 300, 2, 500), countsByBatch(db));
        }
    }

    @Test
    @Order(2)
    void theReadOnlyIdentityReadsTheSourceBucketAndNothingElse(Fleet fleet) {
        ReadOnlyGrant grant = fleet.storageProvisioner().grantReadOnly(source.id(), RestoreId.of("ro-" + UUID.randomUUID()),
                Instant.now().plus(Duration.ofHours(1)));
        InstanceId other = fleet.postgres().newId("other");
        String otherBucket = fleet.storageProvisioner().provision(other).bucket();
        try (S3Client reader = client(fleet, grant)) {
            String key = fleet.objectStores().forInstance(source.id()).list("").get(0).key();
            assertTrue(reader.getObjectAsBytes(b -> b.bucket(grant.bucket()).key(key)).asByteArray().length > 0, "GET works");
            assertFalse(reader.listObjectsV2(b -> b.bucket(grant.bucket())).contents().isEmpty(), "LIST works");
            reader.headObject(b -> b.bucket(grant.bucket()).key(key));

            assertDenied(() -> reader.putObject(b -> b.bucket(grant.bucket()).key("planted"), RequestBody.fromString("x")), "PUT");
            assertDenied(() -> reader.deleteObject(b -> b.bucket(grant.bucket()).key(key)), "DELETE");
            assertDenied(() -> reader.createMultipartUpload(b -> b.bucket(grant.bucket()).key("planted")), "multipart upload");
            assertDenied(() -> reader.listObjectsV2(b -> b.bucket(otherBucket)), "LIST of another bucket");
            assertDenied(() -> reader.getObject(b -> b.bucket(otherBucket).key("any")), "GET of another bucket");
            assertTrue(fleet.objectStores().forInstance(source.id()).list("").stream().anyMatch(o -> o.key().equals(key)),
                    "the object the DELETE named is still there");

            fleet.storageProvisioner().revokeReadOnly(grant.restore());
            assertDenied(() -> reader.getObject(b -> b.bucket(grant.bucket()).key(key)), "GET after the revocation");
        } finally {
            fleet.storageProvisioner().deprovision(other);
        }
        ReadOnlyGrant expired = fleet.storageProvisioner().grantReadOnly(source.id(), RestoreId.of("ro-" + UUID.randomUUID()),
                Instant.now().minusSeconds(1));
        try (S3Client reader = client(fleet, expired)) {
            assertDenied(() -> reader.listObjectsV2(b -> b.bucket(expired.bucket())), "LIST with an expired identity");
        } finally {
            fleet.storageProvisioner().revokeReadOnly(expired.restore());
        }
    }

    @Test
    @Order(3)
    void aFullHostRefusesAndAKilledAgentFailsItsRestoreAndLeavesNothingOnceBack(Fleet fleet) throws Exception {
        String running = bed.request(source.id(), "latest", null);
        // The restore takes the agent's only place: its half-made instance appears on the host, and it says it is full.
        Awaitility.await("the agent allocates the new instance").atMost(RESTORE_TIMEOUT).pollInterval(Duration.ofMillis(20))
                .until(() -> !agent.instanceDirs().isEmpty() && agent.instanceDirs().stream().anyMatch(d -> !isRegistered(d)));
        agent.freeze(); // a hung host: it answers nothing any more
        String halfMade = agent.instanceDirs().stream().filter(d -> !isRegistered(d)).findFirst().orElseThrow();
        Awaitility.await("the full host is announced").atMost(Duration.ofSeconds(10))
                .until(() -> announced.stream().anyMatch(a -> a.getFree() == 0));

        String refused = bed.request(source.id(), "latest", null);
        RestoreRejected rejected = bed.await(refused, RestoreRejected.class, Duration.ofSeconds(30));
        assertTrue(rejected.getReason().startsWith("no database host has capacity: agent " + agent.id + " on host " + agent.host),
                rejected.getReason());

        RestoreFailed failed = bed.await(running, RestoreFailed.class, AGENT_TIMEOUT.multipliedBy(4));
        assertTrue(failed.getReason().contains("agent " + agent.id + " stopped answering"), failed.getReason());
        assertEquals(halfMade, failed.getNewInstanceId());

        agent.kill();
        assertTrue(agent.instanceDirs().contains(halfMade), "killed mid-restore, the agent left its instance behind");
        agent.start();
        Awaitility.await("the agent back removes the half-made instance").atMost(Duration.ofSeconds(90))
                .until(() -> !agent.instanceDirs().contains(halfMade)
                        && !Files.exists(agent.home.resolve("agent").resolve("restores").resolve(running)));
        assertTrue(agent.provisioner(fleet.postgres().secrets()).find(InstanceId.of(halfMade)).isEmpty(),
                "the agent's host no longer knows it");
        assertFalse(bed.buckets().contains("tideline-" + halfMade), "its bucket went with the failure");
    }

    /** A client trusting the Tideline CA that presents {@code principal}'s certificate of the fleet's secret store. */
    private static HttpClient clientAs(String principal) {
        return HttpClient.newBuilder().sslContext(TlsContexts.withIdentity(credentials.live(principal, Duration.ofSeconds(1)),
                credentials.caCertificate())).build();
    }

    /** A client context that presents {@code identity} whatever issuers the server asks for. */
    private static javax.net.ssl.SSLContext alwaysPresenting(TlsIdentity identity, java.security.cert.X509Certificate ca)
            throws Exception {
        javax.net.ssl.X509ExtendedKeyManager keys = new javax.net.ssl.X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
                return new String[] {"forged"};
            }

            @Override
            public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                return "forged";
            }

            @Override
            public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, javax.net.ssl.SSLEngine engine) {
                return "forged";
            }

            @Override
            public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
                return null;
            }

            @Override
            public java.security.cert.X509Certificate[] getCertificateChain(String alias) {
                return new java.security.cert.X509Certificate[] {identity.certificate()};
            }

            @Override
            public java.security.PrivateKey getPrivateKey(String alias) {
                return identity.privateKey();
            }
        };
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(new javax.net.ssl.KeyManager[] {keys}, new javax.net.ssl.TrustManager[] {TlsContexts.trustManager(ca)}, null);
        return context;
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest.Builder request) throws Exception {
        return client.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean isRegistered(String instanceId) {
        return !bed.records(Topics.INSTANCES, v -> v instanceof io.tideline.schemas.InstanceRegistered r
                && r.getInstanceId().equals(instanceId)).isEmpty();
    }

    private static void assertDenied(Runnable call, String what) {
        S3Exception e = assertThrows(S3Exception.class, call::run, what + " must be refused");
        assertEquals(403, e.statusCode(), what + ": " + e.getMessage());
    }

    private static S3Client client(Fleet fleet, ReadOnlyGrant grant) {
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(fleet.s3().endpoint()).withRegion(fleet.s3().region());
        return S3Clients.create(settings, fleet.postgres().secrets().get(grant.accessKeyRef()),
                fleet.postgres().secrets().get(grant.secretKeyRef()));
    }

    /** A source with batch 0 before its base backup, batch 1 after it, batch 2 after the target; all WAL stored. */
    private static RegisteredInstance seededSource(Fleet fleet) throws Exception {
        RegisteredInstance s = bed.createSource("agentpitr");
        ProvisionedInstance pg = fleet.postgres().provisioner().get(s.id());
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, s.id()); Connection db = fleet.postgres().connect(pg)) {
            exec(db, "CREATE TABLE items (batch int NOT NULL, n int NOT NULL)");
            exec(db, "ALTER TABLE items OWNER TO " + pg.ownerUser());
            exec(db, "INSERT INTO items SELECT 0, g FROM generate_series(1, 200) g");
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
            seeder.seedWalThrough(backup.manifest().endLsn());
            exec(db, "INSERT INTO items SELECT 1, g FROM generate_series(1, 300) g");
            Thread.sleep(150);
            afterFirstBatch = now(db);
            Thread.sleep(150);
            exec(db, "INSERT INTO items SELECT 2, g FROM generate_series(1, 500) g");
            exec(db, "SELECT pg_switch_wal()");
            seeder.seedAllCompletedWal();
        }
        return s;
    }

    private static Instant now(Connection db) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private static Map<Integer, Integer> countsByBatch(Connection db) throws SQLException {
        Map<Integer, Integer> counts = new TreeMap<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT batch, count(*) FROM items GROUP BY batch ORDER BY batch")) {
            while (rs.next()) {
                counts.put(rs.getInt(1), rs.getInt(2));
            }
        }
        return counts;
    }

    private static Connection connect(Fleet fleet, RestoreCompleted done) throws SQLException {
        String url = "jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase();
        return DriverManager.getConnection(url, done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())));
    }

    private static Map<String, Long> objects(Fleet fleet, InstanceId id) {
        Map<String, Long> objects = new TreeMap<>();
        for (StoredObject o : fleet.objectStores().forInstance(id).list("")) {
            objects.put(o.key() + "@" + o.lastModified(), o.size());
        }
        return objects;
    }

    private static void exec(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute(sql);
        }
    }
}
