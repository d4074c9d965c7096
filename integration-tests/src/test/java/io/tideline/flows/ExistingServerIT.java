package io.tideline.flows;

import io.tideline.core.postgres.PostgresTls;
import io.tideline.core.tls.CertificateAuthority;
import io.tideline.core.tls.Pem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import io.tideline.core.adoption.AdoptionRefused;
import io.tideline.core.adoption.CheckReport;
import io.tideline.core.adoption.ExistingServer;
import io.tideline.core.adoption.ServerAdoption;
import io.tideline.core.adoption.ServerCheck;
import io.tideline.core.adoption.SlotRelease;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceOnboarding;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketGrant;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 13.1, existing servers: a PostgreSQL 15 server of our own making (initdb, pg_ctl — not Tideline's
 * provisioner) is refused for each misconfiguration in turn with its one reason line, leaving nothing behind;
 * then, set up as docs/existing-servers.md says, it is adopted, its WAL archived and a base backup made, and a
 * point-in-time restore lands in a NEW instance with exactly the rows committed before the target, while the
 * original is untouched and still registered. Letting it go drops Tideline's slot and leaves the server running.
 */
@Tag("flow")
@ExtendWith(FleetExtension.class)
class ExistingServerIT {

    private static final String REPL = "site_repl";
    private static final String PLAIN = "plain_role";
    private static final String NO_HBA = "nohba_repl";
    private static final String PASSWORD = "s3cret-admin-pw";
    private static final String REPL_PASSWORD = "s3cret-repl-pw";

    private EventWatch events;

    @Test
    void misconfigurationsAreRefusedOneReasonEachThenAGoodServerIsArchivedBackedUpAndRestoredToATime(Fleet fleet) throws Exception {
        Map<String, Object> props = new HashMap<>(fleet.serviceProperties());
        props.put("micronaut.server.host", "127.0.0.1");
        props.put("tideline.archiver.wal.flush-interval", "1s");
        props.put("tideline.restore.group-id", "existing-restore-" + UUID.randomUUID());
        props.put("tideline.archiver.group-id", "existing-archiver-" + UUID.randomUUID());
        props.put("tideline.retention.enabled", false);
        try (ExistingPostgres pg = ExistingPostgres.init(PASSWORD)) {
            pg.settings("replica", 10);
            pg.hba("host all all 127.0.0.1/32 scram-sha-256",
                    "host replication " + ExistingPostgres.ADMIN + "," + REPL + "," + PLAIN + " 127.0.0.1/32 scram-sha-256");
            pg.start();
            try (Connection db = pg.connect(); Statement st = db.createStatement()) {
                st.execute("CREATE ROLE " + REPL + " LOGIN REPLICATION PASSWORD '" + REPL_PASSWORD + "'");
                st.execute("CREATE ROLE " + PLAIN + " LOGIN PASSWORD '" + REPL_PASSWORD + "'");
                st.execute("CREATE ROLE " + NO_HBA + " LOGIN REPLICATION PASSWORD '" + REPL_PASSWORD + "'");
            }
            ServerAdoption adoption = new ServerAdoption(fleet.storageProvisioner(), fleet.postgres().secrets(), fleet.publisher(),
                    java.time.Clock.systemUTC(), new io.tideline.core.adoption.ServerProbe(Duration.ofSeconds(10)));
            ExistingServer good = server(pg.port(), PASSWORD, REPL);

            long t0 = System.nanoTime();
            List<InstanceId> refused = new ArrayList<>();
            refused.add(assertRefused(fleet, adoption, "wrong-password", server(pg.port(), "not-the-password", REPL),
                    ServerCheck.AUTH_REFUSED, "authentication refused for role site_admin"));
            refused.add(assertRefused(fleet, adoption, "no-replication", server(pg.port(), PASSWORD, PLAIN),
                    ServerCheck.NOT_REPLICATION_ROLE, "role plain_role is not a replication role (rolreplication is off) -- fix: ALTER ROLE plain_role REPLICATION"));
            refused.add(assertRefused(fleet, adoption, "no-hba-line", server(pg.port(), PASSWORD, NO_HBA),
                    ServerCheck.HBA_REFUSES_REPLICATION, "pg_hba.conf refuses replication connections of role nohba_repl"));
            refused.add(assertRefused(fleet, adoption, "unreachable", server(ExistingPostgres.freePort(), PASSWORD, REPL),
                    ServerCheck.UNREACHABLE, "is unreachable"));
            pg.settings("minimal", 0); // PostgreSQL refuses wal senders with wal_level minimal
            pg.restart();
            refused.add(assertRefused(fleet, adoption, "wal-level-minimal", good, List.of(ServerCheck.WAL_LEVEL, ServerCheck.NO_WAL_SENDER),
                    "FAIL wal_level is minimal, below replica: the server writes no WAL to stream -- fix: set wal_level = replica"));
            pg.settings("replica", 0);
            pg.restart();
            refused.add(assertRefused(fleet, adoption, "no-wal-senders", good, ServerCheck.NO_WAL_SENDER,
                    "no free WAL sender: max_wal_senders = 0, 0 in use, Tideline needs 2"));
            pg.settings("replica", 10);
            pg.restart();

            phase("refusals", t0);
            // Registered the way `register` without --replication-user does: one superuser for both jobs (the
            // restored copy then gets a replication role of its own).
            good = ExistingServer.withOneRole("127.0.0.1", pg.port(), "postgres", ExistingPostgres.ADMIN, PASSWORD);
            CheckReport passed = adoption.check(good);
            assertTrue(passed.passed(), passed.lines().toString());
            assertTrue(passed.notes().contains("data checksums: on"), passed.notes().toString());
            // No TLS on the server, no CA given: registered all the same, with a warning that says what travels in clear.
            assertTrue(passed.warnings().stream().anyMatch(w -> w.startsWith("the server has no TLS (ssl = off)")), passed.lines().toString());
            assertTrue(passed.lines().stream().anyMatch(l -> l.startsWith("WARN the server has no TLS")), passed.lines().toString());
            // With a CA given (--ca-file), Tideline will not talk to it in clear: a problem, with the fix.
            CheckReport noTls = adoption.check(good.withTls(PostgresTls.verifyFull(Pem.of(
                    CertificateAuthority.create("Owner CA", java.time.Clock.systemUTC()).certificate()))));
            assertTrue(noTls.has(ServerCheck.TLS_NOT_OFFERED), noTls.lines().toString());
            assertEquals(1, noTls.problems().size(), noTls.lines().toString());
            assertTrue(noTls.problems().get(0).fix().contains("ssl = on"), noTls.lines().toString());

            try (EmbeddedServer runtime = ApplicationContext.run(EmbeddedServer.class, props)) {
                events = EventWatch.start(fleet.kafka().bootstrapServers(), "existing-watcher", Topics.TIMELINE, Topics.RESTORE_EVENTS);
                phase("services", t0);
                InstanceRegistry registry = runtime.getApplicationContext().getBean(InstanceRegistry.class);
                InstanceId id = fleet.postgres().newId("adopted");
                RegisteredInstance adopted = adoption.adopt(id, id.value(), good, InstanceOnboarding.Options.defaults());
                assertTrue(adopted.adopted());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(id).isPresent());
                assertTrue(registry.find(id).orElseThrow().adopted(), "every service reads it as adopted");
                // The registry has read past the refused names' places: none of them was ever registered.
                refused.forEach(r -> assertTrue(registry.find(r).isEmpty(), r + " was registered"));

                try (Connection db = pg.connect(); Statement st = db.createStatement()) {
                    st.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
                    st.execute("INSERT INTO orders SELECT g, 'before the backup' FROM generate_series(1, 2000) g");
                }
                String command = "existing-" + UUID.randomUUID();
                fleet.publisher().publishAndWait(Topics.BACKUP_COMMANDS, id.value(), BackupCommand.newBuilder()
                        .setEventId(UUID.randomUUID()).setInstanceId(id.value()).setOccurredAt(Instant.now())
                        .setCommandId(command).setReason(BackupReason.ON_DEMAND).setRequestedBy("existing-it")
                        .setRequestedAt(Instant.now()).build());
                events.await(Topics.TIMELINE, v -> v instanceof BackupCompleted c && c.getCommandId().equals(command), Duration.ofMinutes(3));

                phase("backup", t0);
                Instant target;
                Lsn last;
                try (Connection db = pg.connect(); Statement st = db.createStatement()) {
                    st.execute("INSERT INTO orders SELECT g, 'before the target' FROM generate_series(2001, 2300) g");
                    target = serverNow(st);
                    // The next commit's time must be after the target on the server's own clock.
                    while (!serverNow(st).isAfter(target.plusMillis(20))) {
                        Thread.onSpinWait();
                    }
                    st.execute("INSERT INTO orders SELECT g, 'after the target' FROM generate_series(2301, 2400) g");
                    last = Sql.currentLsn(st);
                }
                BucketInventoryReader reader = new BucketInventoryReader(BucketLayout.DEFAULT);
                Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                        reader.read(fleet.objectStores().forInstance(id)).inventory().wal().stream()
                                .anyMatch(w -> !w.endLsn().isBefore(last)));

                phase("archived", t0);
                String restoreId = UUID.randomUUID().toString();
                fleet.publisher().publishAndWait(Topics.RESTORE_REQUESTS, id.value(), RestoreRequested.newBuilder()
                        .setEventId(UUID.randomUUID()).setInstanceId(id.value()).setOccurredAt(Instant.now())
                        .setRestoreId(restoreId).setTarget(target.toString()).setNewName(null).setRequestedBy("existing-it").build());
                SpecificRecord end = events.await(Topics.RESTORE_EVENTS, v -> restoreId.equals(EventWatch.restoreIdOf(v))
                        && (v instanceof RestoreCompleted || v instanceof RestoreFailed || v instanceof RestoreRejected), Duration.ofMinutes(3));
                assertTrue(end instanceof RestoreCompleted, "expected RestoreCompleted, got " + end);
                RestoreCompleted done = (RestoreCompleted) end;
                phase("restored", t0);
                InstanceId copyId = InstanceId.of(done.getNewInstanceId());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(copyId).isPresent());
                RegisteredInstance copy = registry.find(copyId).orElseThrow();
                assertFalse(copy.adopted(), "the restored copy is Tideline's own instance");
                assertEquals(InstanceCredentials.REPLICATION_USER, copy.replicationUser(), "the copy streams with a role of its own");
                // The copy's own replication role streams and backs it up like any instance.
                events.await(Topics.TIMELINE, v -> v instanceof BackupCompleted c && c.getInstanceId().equals(copyId.value())
                        && c.getCommandId().equals("restore:" + restoreId), Duration.ofMinutes(3));
                phase("copy-backed-up", t0);
                try (Connection c = DriverManager.getConnection(copy.jdbcUrl(), copy.superuser(),
                        fleet.postgres().secrets().get(copy.superuserSecret())); Statement st = c.createStatement()) {
                    assertEquals(2300, Sql.count(st, "SELECT count(*) FROM orders"), "exactly the rows committed before the target");
                    assertEquals(0, Sql.count(st, "SELECT count(*) FROM orders WHERE note = 'after the target'"));
                }
                // The copy is Tideline's own instance: its tenant role was made in it (the adopted server had none).
                assertEquals(InstanceCredentials.OWNER_USER, done.getUser());
                try (Connection owner = DriverManager.getConnection(copy.jdbcUrl(), done.getUser(),
                        fleet.postgres().secrets().get(io.tideline.core.secrets.SecretRef.of(done.getSecretRef())));
                     Statement st = owner.createStatement()) {
                    assertEquals(1, Sql.count(st, "SELECT 1"));
                }
                try (Connection db = pg.connect(); Statement st = db.createStatement()) {
                    assertEquals(2400, Sql.count(st, "SELECT count(*) FROM orders"), "the original is untouched");
                }
                assertTrue(registry.find(id).isPresent(), "the original is still registered");
                CheckReport recheck = adoption.check(registry.find(id).orElseThrow());
                assertTrue(recheck.passed(), "a re-check counts Tideline's own slot and stream as its own: " + recheck.lines());

                // Letting it go: unregistered, Tideline's slot dropped, the owner's server still serving its data.
                SlotRelease.Result released = adoption.release(adopted, Duration.ofSeconds(30));
                assertEquals(SlotRelease.Result.State.DROPPED, released.state(), released.toString());
                Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> registry.find(id).isEmpty());
                try (Connection db = pg.connect(); Statement st = db.createStatement()) {
                    assertEquals(2400, Sql.count(st, "SELECT count(*) FROM orders"));
                    assertEquals(0, Sql.count(st, "SELECT count(*) FROM pg_replication_slots"));
                }
                phase("released", t0);
                fleet.publisher().tombstoneAndWait(Topics.INSTANCES, copyId.value());
                fleet.postgres().provisioner().destroy(copyId);
            } finally {
                if (events != null) {
                    events.close();
                }
            }
        }
    }

    /** Elapsed time at each step, in the test's output: where the CI seconds go. */
    private static void phase(String name, long t0) {
        System.out.printf("ExistingServerIT %-15s at %6.1f s%n", name, (System.nanoTime() - t0) / 1e9);
    }

    private static ExistingServer server(int port, String adminPassword, String replicationUser) {
        return new ExistingServer("127.0.0.1", port, "postgres", ExistingPostgres.ADMIN, adminPassword, replicationUser, REPL_PASSWORD);
    }

    /** Refused with exactly the expected reason, and nothing made: no stored password, no bucket. */
    private static InstanceId assertRefused(Fleet fleet, ServerAdoption adoption, String prefix, ExistingServer server,
                                            String code, String line) {
        return assertRefused(fleet, adoption, prefix, server, List.of(code), line);
    }

    private static InstanceId assertRefused(Fleet fleet, ServerAdoption adoption, String prefix, ExistingServer server,
                                            List<String> expected, String line) {
        InstanceId id = fleet.postgres().newId(prefix);
        AdoptionRefused refusal = assertThrows(AdoptionRefused.class,
                () -> adoption.adopt(id, id.value(), server, InstanceOnboarding.Options.defaults()));
        CheckReport report = refusal.report();
        assertEquals(expected, codes(report), report.lines().toString());
        assertTrue(report.lines().get(0).contains(line), report.lines().get(0));
        assertTrue(report.problems().get(0).fix().length() > 10, "a fix is given");
        assertTrue(fleet.postgres().secrets().find(InstanceCredentials.standard(id).adminSecret()).isEmpty(), "no password stored");
        assertTrue(fleet.postgres().secrets().find(BucketGrant.of(id).accessKeyRef()).isEmpty(), "no bucket credentials");
        Set<String> buckets = Set.copyOf(fleet.s3().adminClient().listBuckets().buckets().stream().map(b -> b.name()).toList());
        assertFalse(buckets.contains(BucketGrant.of(id).bucket()), "no bucket");
        return id;
    }

    private static List<String> codes(CheckReport report) {
        return report.problems().stream().map(CheckReport.Problem::code).toList();
    }

    private static Instant serverNow(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            Timestamp t = rs.getTimestamp(1);
            return t.toInstant();
        }
    }

}
