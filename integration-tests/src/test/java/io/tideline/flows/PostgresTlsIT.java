package io.tideline.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.adoption.CheckReport;
import io.tideline.core.adoption.ExistingServer;
import io.tideline.core.adoption.ServerCheck;
import io.tideline.core.adoption.ServerProbe;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.Topics;
import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.secrets.SecretStore;
import io.tideline.core.tls.CertificateAuthority;
import io.tideline.core.tls.Pem;
import io.tideline.core.tls.TlsContexts;
import io.tideline.core.tls.TlsCredentials;
import io.tideline.platform.local.PostgresTlsConfiguration;
import io.tideline.platform.local.postgres.LocalPostgresProvisioner;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.io.DataOutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import javax.net.ssl.SSLSocket;
import org.apache.avro.specific.SpecificRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 14.1, PostgreSQL: an instance made with TLS (as the embedded runtime makes them) serves a certificate
 * from the Tideline CA whose key belongs to the instance's OS user alone, refuses TCP without TLS, and every
 * connection Tideline makes to it is encrypted — the archiver's replication stream ({@code pg_stat_ssl}), the
 * base backup, the restore's checks, the provisioner's own — as is every connection to the restored copy, which
 * gets a certificate of its own. {@code sslmode=verify-full} refuses a certificate that does not name the host or
 * comes from another CA, and {@code instance check} says which. A renewed certificate is served after a reload:
 * new serial, same postmaster.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class PostgresTlsIT {

    private static final String AUTHORIZED = "connection authorized";

    @Test
    void everyTidelineConnectionIsVerifiedTlsAndARenewedCertificateIsServedWithoutARestart(Fleet fleet) throws Exception {
        SecretStore secrets = fleet.postgres().secrets();
        // As the runtime makes them (ManagedInstances.config), with every connection logged to prove what came over TLS.
        LocalPostgresProvisioner provisioner = new LocalPostgresProvisioner(fleet.postgres().provisioner().config()
                .withTls(true).withExtraSettings(Map.of("log_connections", "on")), secrets, Clock.systemUTC());
        InstanceOnboarding onboarding = new InstanceOnboarding(provisioner, fleet.storageProvisioner(), secrets,
                fleet.publisher(), Clock.systemUTC());
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("tideline.archiver.wal.flush-interval", "1s");
        props.put("tideline.restore.group-id", "tls-restore-" + UUID.randomUUID());
        props.put("tideline.archiver.group-id", "tls-archiver-" + UUID.randomUUID());
        props.put("tideline.retention.enabled", false);
        props.put(PostgresTlsConfiguration.ENABLED, true);
        EventWatch events = null;
        try (EmbeddedServer runtime = ApplicationContext.run(EmbeddedServer.class, props)) {
            events = EventWatch.start(fleet.kafka().bootstrapServers(), "tls-watcher", Topics.TIMELINE, Topics.RESTORE_EVENTS);
            InstanceId id = fleet.postgres().newId("tls");
            onboarding.create(id, id.value(), InstanceOnboarding.Options.defaults());
            ProvisionedInstance pg = provisioner.get(id);
            X509Certificate ca = new TlsCredentials(secrets, Clock.systemUTC()).caCertificate();
            PostgresTls tls = PostgresTls.forInstance(secrets, id);
            assertTrue(tls.encrypted(), "the instance's CA is kept beside its passwords");

            // 1. Its certificate: from the Tideline CA, naming the address it listens on; the key is the instance's OS user's alone.
            X509Certificate served = servedCertificate(pg.port(), ca);
            assertEquals("CN=pg-" + id.value() + ",O=Tideline", served.getSubjectX500Principal().getName());
            Path instanceDir = provisioner.config().instancesDir().resolve(id.value());
            Path key = instanceDir.resolve("tls").resolve("tls.key");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
            assertEquals(provisioner.serverUserOf(id).orElse(System.getProperty("user.name")), Files.getOwner(key).getName());
            assertFalse(Files.exists(pg.dataDir().resolve("tls.key")), "no key inside the data directory a backup copies");

            // 2. TCP without TLS is refused (pg_hba.conf has hostssl lines only).
            SQLException plain = assertThrows(SQLException.class, () -> connect(pg, secrets, PostgresTls.none()).close());
            assertTrue(plain.getMessage().contains("no encryption"), plain.getMessage());

            // 3. The archiver's replication stream runs over TLS (pg_stat_ssl); so does this connection.
            try (Connection db = connect(pg, secrets, tls); Statement st = db.createStatement()) {
                st.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
                st.execute("ALTER TABLE orders OWNER TO " + pg.ownerUser());
                st.execute("INSERT INTO orders SELECT g, 'before the backup' FROM generate_series(1, 500) g");
                assertTrue(bool(st, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                        Sql.count(st, "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid"
                                + " WHERE a.backend_type = 'walsender' AND a.application_name = 'tideline-archiver' AND s.ssl") == 1);
                assertEquals(0, Sql.count(st, "SELECT count(*) FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid"
                        + " WHERE a.client_port IS NOT NULL AND NOT s.ssl"), "a Tideline connection without TLS");
            }

            // 4. A base backup (pg_basebackup, libpq verify-full) and a restore (checks on the copy): all over TLS.
            String command = "tls-" + UUID.randomUUID();
            fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id.value(), BackupCommand.newBuilder()
                    .setEventId(UUID.randomUUID()).setInstanceId(id.value()).setOccurredAt(Instant.now())
                    .setCommandId(command).setReason(BackupReason.ON_DEMAND).setRequestedBy("tls").setRequestedAt(Instant.now()).build());
            events.await(Topics.TIMELINE, v -> v instanceof BackupCompleted c && c.getCommandId().equals(command), Duration.ofMinutes(3));
            RestoreCompleted done = assertInstanceOf(RestoreCompleted.class, restoreLatest(fleet, events, id));
            InstanceId copy = InstanceId.of(done.getNewInstanceId());
            PostgresTls copyTls = PostgresTls.forInstance(secrets, copy);
            assertTrue(copyTls.encrypted(), "the restored copy was made with a certificate");
            assertEquals("CN=pg-" + copy.value() + ",O=Tideline", servedCertificate(done.getPort(), ca).getSubjectX500Principal().getName());
            Properties owner = new Properties();
            owner.setProperty("user", done.getUser());
            owner.setProperty("password", secrets.get(SecretRef.of(done.getSecretRef())));
            String copyUrl = "jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase();
            try (Connection c = DriverManager.getConnection(copyUrl, copyTls.applyTo(owner)); Statement st = c.createStatement()) {
                assertEquals(500, Sql.count(st, "SELECT count(*) FROM orders"));
                assertTrue(bool(st, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"));
            }
            SQLException plainCopy = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(copyUrl, PostgresTls.none().applyTo(owner)).close());
            assertTrue(plainCopy.getMessage().contains("no encryption"), plainCopy.getMessage());
            Path copyDir = provisioner.config().instancesDir().resolve(copy.value());
            // the archiver starts streaming the copy once it reads its registration
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).until(() ->
                    logins(copyDir).stream().anyMatch(l -> l.contains("application_name=tideline-archiver")));
            List<String> sourceLogins = logins(instanceDir);
            List<String> copyLogins = logins(copyDir);
            // the replication logins name their application (the stream, pg_basebackup); the others their role
            for (String who : List.of("application_name=tideline-archiver", "application_name=tideline-basebackup",
                    "user=tideline_admin", "user=tideline_replicator database=")) {
                assertTrue(sourceLogins.stream().anyMatch(l -> l.contains(who)), who + " never logged in: " + sourceLogins);
            }
            for (String who : List.of("user=tideline_admin", "user=tideline_owner", "application_name=tideline-archiver")) {
                assertTrue(copyLogins.stream().anyMatch(l -> l.contains(who)), who + " never logged in to the copy: " + copyLogins);
            }
            for (String line : concat(sourceLogins, copyLogins)) {
                assertTrue(line.contains("SSL enabled"), "a login without TLS: " + line);
            }

            // 5. verify-full refuses a certificate that does not name the host, or that another CA signed; check says which.
            ServerProbe probe = new ServerProbe(Duration.ofSeconds(10));
            ExistingServer asRegistered = new ExistingServer("127.0.0.1", pg.port(), "postgres", pg.adminUser(),
                    secrets.get(pg.adminSecret()), pg.replicationUser(), secrets.get(pg.replicationSecret()), tls);
            CheckReport good = probe.check(asRegistered);
            assertTrue(good.notes().stream().anyMatch(n -> n.startsWith("TLS: sslmode=verify-full")), good.lines().toString());
            assertTrue(good.problems().stream().noneMatch(p -> p.code().startsWith("tls-")), good.lines().toString());
            CheckReport wrongName = probe.check(new ExistingServer("localhost", pg.port(), "postgres", pg.adminUser(),
                    secrets.get(pg.adminSecret()), pg.replicationUser(), secrets.get(pg.replicationSecret()), tls));
            assertTrue(wrongName.has(ServerCheck.TLS_WRONG_NAME), wrongName.lines().toString());
            assertEquals(1, wrongName.problems().size(), wrongName.lines().toString());
            String foreignCa = Pem.of(CertificateAuthority.create("Another CA", Clock.systemUTC()).certificate());
            CheckReport unknownCa = probe.check(asRegistered.withTls(PostgresTls.verifyFull(foreignCa)));
            assertTrue(unknownCa.has(ServerCheck.TLS_UNKNOWN_CA), unknownCa.lines().toString());
            SQLException refusedName = assertThrows(SQLException.class, () -> {
                Properties p = new Properties();
                p.setProperty("user", pg.adminUser());
                p.setProperty("password", secrets.get(pg.adminSecret()));
                DriverManager.getConnection("jdbc:postgresql://localhost:" + pg.port() + "/postgres", tls.applyTo(p)).close();
            });
            assertTrue(refusedName.getMessage().contains("could not be verified"), refusedName.getMessage());

            // 6. Renewal: a new certificate is written and the server reloads — new serial served, same postmaster.
            long pid = postmasterPid(pg);
            new TlsCredentials(secrets, Clock.systemUTC()).delete("pg-" + id.value()); // as if due: ensure issues anew
            List<InstanceId> renewed = provisioner.renewCertificates();
            assertTrue(renewed.contains(id), renewed.toString());
            BigInteger after = servedCertificate(pg.port(), ca).getSerialNumber();
            assertNotEquals(served.getSerialNumber(), after, "the renewed certificate is served");
            assertEquals(new TlsCredentials(secrets, Clock.systemUTC()).find("pg-" + id.value()).orElseThrow()
                    .certificate().getSerialNumber(), after);
            assertEquals(pid, postmasterPid(pg), "no restart");
            assertFalse(provisioner.renewCertificates().contains(id), "nothing due right after a renewal");
            try (Connection db = connect(pg, secrets, tls); Statement st = db.createStatement()) {
                assertEquals(500, Sql.count(st, "SELECT count(*) FROM orders"));
            }
        } finally {
            if (events != null) {
                events.close();
            }
        }
    }

    private static Connection connect(ProvisionedInstance pg, SecretStore secrets, PostgresTls tls) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", pg.adminUser());
        p.setProperty("password", secrets.get(pg.adminSecret()));
        p.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(pg.jdbcUrl(), tls.applyTo(p));
    }

    private static boolean bool(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    /** The certificate the server presents now: PostgreSQL's SSLRequest, then a handshake that trusts only {@code ca}. */
    private static X509Certificate servedCertificate(int port, X509Certificate ca) throws Exception {
        try (Socket raw = new Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(raw.getOutputStream());
            out.writeInt(8);
            out.writeInt(80877103); // SSLRequest
            out.flush();
            assertEquals('S', raw.getInputStream().read(), "the server accepts TLS");
            try (SSLSocket tls = (SSLSocket) TlsContexts.client(ca).getSocketFactory().createSocket(raw, "127.0.0.1", port, true)) {
                tls.startHandshake();
                return (X509Certificate) tls.getSession().getPeerCertificates()[0];
            }
        }
    }

    private static long postmasterPid(ProvisionedInstance pg) throws Exception {
        return Long.parseLong(Files.readAllLines(pg.dataDir().resolve("postmaster.pid")).get(0).strip());
    }

    /** The server's "connection authorized" lines (log_connections). */
    private static List<String> logins(Path instanceDir) throws Exception {
        return Files.readAllLines(instanceDir.resolve("postgres.log")).stream().filter(l -> l.contains(AUTHORIZED)).toList();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private static SpecificRecord restoreLatest(Fleet fleet, EventWatch events, InstanceId source) {
        String restoreId = UUID.randomUUID().toString();
        fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, source.value(), RestoreRequested.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(source.value()).setOccurredAt(Instant.now())
                .setRestoreId(restoreId).setTarget("latest").setNewName(null).setRequestedBy("tls").build());
        return events.await(Topics.RESTORE_EVENTS, v -> restoreId.equals(EventWatch.restoreIdOf(v))
                && (v instanceof RestoreCompleted || v instanceof RestoreFailed || v instanceof RestoreRejected), Duration.ofMinutes(3));
    }
}
