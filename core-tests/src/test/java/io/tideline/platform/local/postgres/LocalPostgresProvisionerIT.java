package io.tideline.platform.local.postgres;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.InstanceCredentials;
import io.tideline.core.instance.InstanceOperationException;
import io.tideline.core.instance.InstanceState;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.PostgresExtension;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

@ExtendWith(PostgresExtension.class)
class LocalPostgresProvisionerIT {

    private static final long SEGMENT = WalSegmentName.DEFAULT_SEGMENT_SIZE;

    @Test
    void aCreatedInstanceAnswersQueriesWithTheAgreedSettings(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("answers");

        try (Connection c = clusters.connect(pg); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, 'drei')");
            assertEquals(List.of("one", "two", "drei"), column(st, "SELECT note FROM t ORDER BY id"));

            assertEquals("replica", one(st, "SHOW wal_level"));
            assertEquals("on", one(st, "SHOW data_checksums"));
            assertEquals("off", one(st, "SHOW archive_mode"));
            assertEquals("127.0.0.1", one(st, "SHOW listen_addresses"));
            assertEquals("UTF8", one(st, "SHOW server_encoding"));
            assertEquals("10", one(st, "SHOW max_wal_senders"));
            assertEquals("10", one(st, "SHOW max_replication_slots"));
            assertEquals(Integer.toString(pg.port()), one(st, "SHOW port"));
            assertEquals("16MB", one(st, "SHOW wal_segment_size"));
            assertEquals(pg.postgresVersion(), one(st, "SHOW server_version").split(" ")[0]);
            assertEquals("t", one(st, "SELECT rolsuper::text::char FROM pg_roles WHERE rolname = '" + pg.adminUser() + "'"));
            assertEquals("t", one(st, "SELECT rolreplication::text::char FROM pg_roles WHERE rolname = '" + pg.replicationUser() + "'"));
            assertEquals("f", one(st, "SELECT rolsuper::text::char FROM pg_roles WHERE rolname = '" + pg.replicationUser() + "'"));
            // Passwords are stored as SCRAM verifiers, never in clear or MD5.
            assertEquals(List.of("SCRAM-SHA-256", "SCRAM-SHA-256"), column(st,
                    "SELECT split_part(rolpassword, '$', 1) FROM pg_authid WHERE rolname IN ('" + pg.adminUser() + "', '"
                            + pg.replicationUser() + "') ORDER BY rolname"));
        }
        assertEquals(15, pg.majorVersion());
        assertEquals("jdbc:postgresql://127.0.0.1:" + pg.port() + "/postgres", pg.jdbcUrl());
        assertEquals(InstanceCredentials.standard(pg.id()), pg.credentials());
        assertEquals(java.util.Optional.of(InstanceState.RUNNING), clusters.provisioner().state(pg.id()));
        assertEquals(clusters.home().resolve("instances").resolve(pg.id().value()).resolve("pgdata"), pg.dataDir());
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pg.dataDir())));
        clusters.provisioner().serverUserOf(pg.id()).ifPresent(user -> assertEquals(user, owner(pg.dataDir())));
        assertEquals(32, clusters.secrets().get(pg.adminSecret()).length());
        assertNotEquals(clusters.secrets().get(pg.adminSecret()), clusters.secrets().get(pg.replicationSecret()));
    }

    @Test
    void theReplicationRoleStreamsWalAndTheAdminCannot(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("streams");
        try (Connection repl = clusters.connectReplication(pg);
             Connection sql = clusters.connect(pg);
             Statement st = repl.createStatement()) {
            long timeline;
            Lsn position;
            try (ResultSet rs = st.executeQuery("IDENTIFY_SYSTEM")) {
                assertTrue(rs.next());
                assertTrue(rs.getString("systemid").matches("\\d{10,20}"), rs.getString("systemid"));
                timeline = rs.getLong("timeline");
                position = Lsn.parse(rs.getString("xlogpos"));
            }
            assertEquals(1, timeline);

            WalSegmentName segment = WalSegmentName.of(timeline, position, SEGMENT);
            PGReplicationStream stream = repl.unwrap(PGConnection.class).getReplicationAPI().replicationStream().physical()
                    .withStartPosition(LogSequenceNumber.valueOf(segment.startLsn().value()))
                    .start();
            try (Statement work = sql.createStatement()) {
                work.execute("CREATE TABLE w AS SELECT g FROM generate_series(1, 1000) g");
            }
            ByteBuffer first = null; // the stream's first 24 bytes: a WAL page header
            long received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received < 64 * 1024 && System.nanoTime() < deadline) {
                ByteBuffer chunk = stream.readPending();
                if (chunk == null) {
                    Thread.sleep(20);
                    continue;
                }
                if (first == null) {
                    assertTrue(chunk.remaining() >= 24, "first chunk too short: " + chunk.remaining());
                    byte[] head = new byte[24];
                    chunk.duplicate().get(head);
                    first = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                }
                received += chunk.remaining();
            }
            stream.close();
            assertTrue(received >= 64 * 1024, "received only " + received + " bytes of WAL");
            // The stream starts at a segment start, so it opens with a long page header:
            // xlp_magic 0xD110 (PostgreSQL 15), XLP_LONG_HEADER in xlp_info, xlp_pageaddr = the segment's start.
            assertEquals(0xD110, first.getShort(0) & 0xFFFF);
            assertEquals(2, first.getShort(2) & 0x0002);
            assertEquals(segment.startLsn().value(), first.getLong(8));
        }

        // pg_hba.conf lets only the replication role open replication connections.
        SQLException refused = assertThrows(SQLException.class, () -> {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", pg.adminUser());
            props.setProperty("password", clusters.secrets().get(pg.adminSecret()));
            props.setProperty("replication", "true");
            props.setProperty("assumeMinServerVersion", "9.4");
            props.setProperty("preferQueryMode", "simple");
            java.sql.DriverManager.getConnection(pg.jdbcUrl(), props).close();
        });
        assertTrue(refused.getSQLState().startsWith("28"), refused.getSQLState() + " " + refused.getMessage());
    }

    @Test
    void stopAndStartKeepDataAndAnotherProcessFindsTheInstance(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("restart");
        try (Connection c = clusters.connect(pg); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE kept (v text)");
            st.execute("INSERT INTO kept VALUES ('survives a restart')");
        }
        clusters.provisioner().stop(pg.id());
        clusters.provisioner().stop(pg.id()); // idempotent
        assertEquals(java.util.Optional.of(InstanceState.STOPPED), clusters.provisioner().state(pg.id()));
        assertThrows(SQLException.class, () -> clusters.connect(pg).close());

        // A fresh provisioner over the same home stands for the next process (`tideline up` after `down`).
        LocalPostgresProvisioner next = new LocalPostgresProvisioner(clusters.provisioner().config(), clusters.secrets(),
                Clock.systemUTC());
        assertEquals(java.util.Optional.of(pg), next.find(pg.id()));
        assertTrue(next.list().contains(pg));
        ProvisionedInstance again = next.start(pg.id());
        assertEquals(pg, again);
        assertEquals(again, next.start(pg.id())); // idempotent
        try (Connection c = clusters.connect(again); Statement st = c.createStatement()) {
            assertEquals("survives a restart", one(st, "SELECT v FROM kept"));
        }
    }

    @Test
    void startMovesToAnotherPortWhenItsOwnWasTaken(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("moved");
        clusters.provisioner().stop(pg.id());
        ProvisionedInstance moved;
        try (ServerSocket squatter = new ServerSocket(pg.port(), 1, InetAddress.getByName("127.0.0.1"))) {
            moved = clusters.provisioner().start(pg.id());
            assertNotEquals(pg.port(), moved.port());
        }
        assertEquals(moved, clusters.provisioner().get(pg.id()));
        try (Connection c = clusters.connect(moved); Statement st = c.createStatement()) {
            assertEquals(Integer.toString(moved.port()), one(st, "SHOW port"));
        }
    }

    @Test
    void destroyRemovesServerDataAndSecrets(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("doomed");
        Path instanceDir = pg.dataDir().getParent();
        clusters.provisioner().destroy(pg.id());

        assertFalse(Files.exists(instanceDir));
        assertEquals(java.util.Optional.empty(), clusters.provisioner().find(pg.id()));
        assertEquals(java.util.Optional.empty(), clusters.provisioner().state(pg.id()));
        assertEquals(java.util.Optional.empty(), clusters.secrets().find(pg.adminSecret()));
        assertEquals(java.util.Optional.empty(), clusters.secrets().find(pg.replicationSecret()));
        assertFalse(clusters.provisioner().list().contains(pg));
        assertThrows(SQLException.class, () -> {
            java.util.Properties props = new java.util.Properties();
            props.setProperty("user", "nobody");
            props.setProperty("connectTimeout", "2");
            java.sql.DriverManager.getConnection(pg.jdbcUrl(), props).close();
        });
        clusters.provisioner().destroy(pg.id()); // idempotent
    }

    @Test
    void aTornInstanceIsListedAroundAndStillDestroyed(PostgresClusters clusters) throws Exception {
        InstanceId id = clusters.newId("torn");
        Path dir = Files.createDirectories(clusters.provisioner().config().instancesDir().resolve(id.value()).resolve("pgdata"))
                .getParent();
        Files.writeString(dir.resolve("instance.json"), "{\"id\": \"" + id + "\", \"port\": ");
        assertTrue(clusters.provisioner().list().stream().noneMatch(i -> i.id().equals(id)));
        assertThrows(IllegalStateException.class, () -> clusters.provisioner().create(id));
        clusters.provisioner().destroy(id);
        assertFalse(Files.exists(dir));
    }

    @Test
    void anExistingIdIsNeverReused(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("taken");
        assertThrows(IllegalStateException.class, () -> clusters.provisioner().create(pg.id()));
        assertThrows(IllegalStateException.class, () -> clusters.provisioner().allocate(pg.id()));
        assertThrows(IllegalStateException.class, () -> clusters.provisioner().startRecovering(pg.id(),
                RecoverySettings.toLatest("cp /nonexistent/%f %p")));
        try (Connection c = clusters.connect(pg); Statement st = c.createStatement()) {
            assertEquals("1", one(st, "SELECT 1"));
        }
    }

    @Test
    void aBaseBackupRestoresToAPointInTimeAndToTheLatestWal(PostgresClusters clusters) throws Exception {
        LocalPostgresProvisioner provisioner = clusters.provisioner();
        ProvisionedInstance source = clusters.create("pitr-source");
        try (Connection c = clusters.connect(source); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE events (id int, label text)");
            st.execute("INSERT INTO events VALUES (1, 'before the backup')");
        }

        Path work = Files.createDirectories(clusters.home().resolve("pitr-work-" + System.nanoTime()));
        Path backup = work.resolve("basebackup");
        basebackup(clusters, source, backup);

        Instant target;
        Lsn switchedAt;
        try (Connection c = clusters.connect(source); Statement st = c.createStatement()) {
            st.execute("INSERT INTO events VALUES (2, 'after the backup, before the target')");
            target = Instant.parse(one(st, "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
            Thread.sleep(50);
            st.execute("INSERT INTO events VALUES (3, 'after the target')");
            switchedAt = Lsn.parse(one(st, "SELECT pg_switch_wal()::text"));
        }
        Path archive = archiveCompleteSegments(source, switchedAt, work.resolve("archive"));
        String restoreCommand = "cp " + archive + "/%f %p";

        // To a point in time: rows 1 and 2, not 3.
        ProvisionedInstance atTarget = restore(clusters, source, backup, RecoverySettings.toTime(restoreCommand, target));
        assertNotEquals(source.id(), atTarget.id());
        assertNotEquals(source.port(), atTarget.port());
        try (Connection c = clusters.connect(atTarget); Statement st = c.createStatement()) {
            assertEquals(List.of("1", "2"), column(st, "SELECT id FROM events ORDER BY id"));
            assertEquals("f", one(st, "SELECT pg_is_in_recovery()::text::char"));
            assertEquals("2", one(st, "SELECT timeline_id FROM pg_control_checkpoint()"));
            st.execute("INSERT INTO events VALUES (10, 'the restored instance takes writes')");
            assertEquals(Integer.toString(atTarget.port()), one(st, "SHOW port"));
        }
        assertEquals(java.util.Optional.of(InstanceState.RUNNING), provisioner.state(atTarget.id()));
        assertFalse(Files.exists(atTarget.dataDir().resolve("recovery.signal")), "promotion removes recovery.signal");

        // To the latest WAL: all three rows.
        ProvisionedInstance latest = restore(clusters, source, backup, RecoverySettings.toLatest(restoreCommand));
        try (Connection c = clusters.connect(latest); Statement st = c.createStatement()) {
            assertEquals(List.of("1", "2", "3"), column(st, "SELECT id FROM events ORDER BY id"));
        }

        // The source is untouched and keeps running on timeline 1.
        try (Connection c = clusters.connect(source); Statement st = c.createStatement()) {
            assertEquals(List.of("1", "2", "3"), column(st, "SELECT id FROM events ORDER BY id"));
            assertEquals("1", one(st, "SELECT timeline_id FROM pg_control_checkpoint()"));
        }

        // After rotation the restored instance no longer opens with its source's passwords.
        String sourcePassword = clusters.secrets().get(source.adminSecret());
        provisioner.rotatePasswords(latest.id());
        assertNotEquals(sourcePassword, clusters.secrets().get(latest.adminSecret()));
        try (Connection c = clusters.connect(latest); Statement st = c.createStatement()) {
            assertEquals("1", one(st, "SELECT 1"));
        }
        try (Connection c = clusters.connectReplication(latest); Statement st = c.createStatement()) {
            assertEquals("2", one(st, "IDENTIFY_SYSTEM", "timeline"));
        }

        // A backup whose configuration the server refuses: startRecovering fails at once and says why.
        InstanceId broken = clusters.newId("broken");
        AllocatedInstance brokenDir = provisioner.allocate(broken);
        copyTree(backup, brokenDir.dataDir());
        Files.writeString(brokenDir.dataDir().resolve("postgresql.conf"), "\nshared_buffers = 'lots'\n",
                java.nio.file.StandardOpenOption.APPEND);
        long brokenStart = System.nanoTime();
        InstanceOperationException refused = assertThrows(InstanceOperationException.class,
                () -> provisioner.startRecovering(broken, RecoverySettings.toLatest(restoreCommand)));
        assertTrue(refused.getMessage().contains("invalid value for parameter \"shared_buffers\""), refused.getMessage());
        assertTrue(System.nanoTime() - brokenStart < TimeUnit.SECONDS.toNanos(30), "should fail early, not at the start timeout");
        assertEquals(java.util.Optional.of(InstanceState.STOPPED), provisioner.state(broken));

        // A target past the available WAL: the server gives up, and awaitPromotion says why at once.
        ProvisionedInstance tooFar = restoreWithoutWaiting(clusters, source, backup,
                RecoverySettings.toTime(restoreCommand, Instant.now().plus(Duration.ofDays(1))));
        long before = System.nanoTime();
        InstanceOperationException failure = assertThrows(InstanceOperationException.class,
                () -> provisioner.awaitPromotion(tooFar.id(), Duration.ofMinutes(2)));
        assertTrue(failure.getMessage().contains("recovery ended before configured recovery target was reached"),
                failure.getMessage());
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(60), "should fail early, not at the timeout");
    }

    @Test
    void startRecoveringRefusesAnEmptyDataDirectory(PostgresClusters clusters) {
        InstanceId id = clusters.newId("empty");
        AllocatedInstance allocated = clusters.provisioner().allocate(id);
        assertEquals(java.util.Optional.of(InstanceState.ALLOCATED), clusters.provisioner().state(id));
        assertTrue(Files.isDirectory(allocated.dataDir()));
        clusters.provisioner().serverUserOf(id).ifPresent(user -> assertEquals(user, owner(allocated.dataDir())));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> clusters.provisioner().startRecovering(id, RecoverySettings.toLatest("cp /x/%f %p")));
        assertTrue(e.getMessage().contains("unpack a base backup"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> clusters.provisioner().start(id));
        clusters.provisioner().destroy(id);
        assertEquals(java.util.Optional.empty(), clusters.provisioner().state(id));
    }

    @Test
    void aRestoreTargetHasAWalSpoolItsServerUserTakesSegmentsFrom(PostgresClusters clusters) throws Exception {
        InstanceId id = clusters.newId("spool");
        AllocatedInstance allocated = clusters.provisioner().allocate(id);
        DirectoryWalSpool spool = (DirectoryWalSpool) allocated.walSpool().orElseThrow();
        assertEquals(allocated.dataDir().getParent(), spool.dir().getParent(), "beside the data directory: one rename away from pg_wal");
        clusters.provisioner().serverUserOf(id).ifPresent(user -> assertEquals(user, owner(spool.dir())));
        String segment = "000000010000000000000007";
        byte[] wal = new byte[64 * 1024];
        new java.util.Random(7).nextBytes(wal);
        spool.put(segment, wal);
        assertTrue(spool.holds(segment));
        clusters.provisioner().serverUserOf(id).ifPresent(user -> assertEquals(user, owner(spool.dir().resolve(segment)),
                "handed to the server's user, which may recycle it in pg_wal later"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(spool.dir().resolve(segment))));

        // What a restore_command does with it, run as the server's user.
        Path pgWal = Files.createDirectories(allocated.dataDir().resolve("pg_wal"));
        clusters.provisioner().serverUserOf(id).ifPresent(user -> chown(user, pgWal));
        List<String> mv = new ArrayList<>(List.of("mv", spool.dir().resolve(segment).toString(), pgWal.resolve("RECOVERYXLOG").toString()));
        clusters.provisioner().serverUserOf(id).ifPresent(user -> mv.addAll(0, List.of("runuser", "-u", user, "--")));
        Process p = new ProcessBuilder(mv).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes()));
        assertArrayEquals(wal, Files.readAllBytes(pgWal.resolve("RECOVERYXLOG")));
        assertFalse(spool.holds(segment));
        assertTrue(spool.take(segment).isEmpty(), "a segment the server took is gone for the restore");

        spool.put(segment, wal);
        assertArrayEquals(wal, spool.take(segment).orElseThrow(), "taken back before the server got it");
        assertFalse(spool.holds(segment));
        assertThrows(IllegalArgumentException.class, () -> spool.put("../pgdata/PG_VERSION", wal), "segment names only");
        spool.put(segment, wal);
        spool.clear();
        try (Stream<Path> left = Files.list(spool.dir())) {
            assertEquals(0, left.count());
        }
        clusters.provisioner().destroy(id);
        assertFalse(Files.exists(spool.dir()), "destroyed with the instance");
    }

    // ------------------------------------------------------------------ helpers

    private static void chown(String user, Path path) {
        try {
            Files.setOwner(path, path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(user));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ProvisionedInstance restore(PostgresClusters clusters, ProvisionedInstance source, Path backup,
                                               RecoverySettings settings) throws IOException {
        ProvisionedInstance started = restoreWithoutWaiting(clusters, source, backup, settings);
        return clusters.provisioner().awaitPromotion(started.id(), Duration.ofMinutes(2));
    }

    private static ProvisionedInstance restoreWithoutWaiting(PostgresClusters clusters, ProvisionedInstance source, Path backup,
                                                             RecoverySettings settings) throws IOException {
        InstanceId id = clusters.newId("restored");
        AllocatedInstance allocated = clusters.provisioner().allocate(id);
        copyTree(backup, allocated.dataDir()); // as root: startRecovering must fix the ownership
        ProvisionedInstance target = clusters.provisioner().get(id);
        // The roles and their passwords come with the backup: the caller copies the secrets.
        clusters.secrets().put(target.adminSecret(), clusters.secrets().get(source.adminSecret()));
        clusters.secrets().put(target.replicationSecret(), clusters.secrets().get(source.replicationSecret()));
        ProvisionedInstance started = clusters.provisioner().startRecovering(id, settings);
        assertEquals(allocated.port(), started.port());
        return started;
    }

    static void basebackup(PostgresClusters clusters, ProvisionedInstance source, Path into) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("/usr/lib/postgresql/15/bin/pg_basebackup", "-h", source.host(),
                "-p", Integer.toString(source.port()), "-U", source.replicationUser(), "-D", into.toString(),
                "-Fp", "-X", "stream", "-c", "fast", "--no-sync")
                .redirectErrorStream(true);
        pb.environment().put("PGPASSWORD", clusters.secrets().get(source.replicationSecret()));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    /** Copies the source's complete segments up to the switch, as an archiver would have stored them. */
    private static Path archiveCompleteSegments(ProvisionedInstance source, Lsn switchedAt, Path archive) throws IOException {
        Files.createDirectories(archive);
        WalSegmentName last = WalSegmentName.of(1, switchedAt.minus(1), SEGMENT);
        try (Stream<Path> files = Files.list(source.dataDir().resolve("pg_wal"))) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (WalSegmentName.looksLikeSegmentName(name) && WalSegmentName.parse(name, SEGMENT).compareTo(last) <= 0) {
                    Path copy = archive.resolve(name);
                    Files.copy(f, copy);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
        assertTrue(Files.exists(archive.resolve(last.toString())), "segment " + last + " should be archived");
        return archive;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static String owner(Path p) {
        try {
            return Files.getOwner(p).getName();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String one(Statement st, String sql) throws SQLException {
        return one(st, sql, null);
    }

    private static String one(Statement st, String sql, String columnLabel) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next(), "no row for " + sql);
            return columnLabel == null ? rs.getString(1) : rs.getString(columnLabel);
        }
    }

    private static List<String> column(Statement st, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}
