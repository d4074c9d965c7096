package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.StoredObject;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestorePhase;
import io.tideline.schemas.RestoreProgress;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Point-in-time recovery end to end, with real PostgreSQL, Kafka and S3: a table gets batches of rows
 * across a base backup, several segment switches and a partial segment; restores to moments between
 * batches hold exactly the rows committed before each moment, {@code latest} holds the last batch stored
 * before the final flush, and the source stays as it was.
 */
@ExtendWith(FleetExtension.class)
class RestorePointInTimeIT {

    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(2);

    @Test
    void restoresToMomentsBetweenBatchesAndToLatest(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("pitr");
            ProvisionedInstance pg = fleet.postgres().provisioner().get(source.id());
            Map<Integer, Instant> after = new TreeMap<>();   // batch -> a moment after it committed, before the next
            Map<Integer, Integer> rows = new TreeMap<>();    // batch -> rows it inserted
            try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
                 Connection db = fleet.postgres().connect(pg)) {
                exec(db, "CREATE TABLE items (batch int NOT NULL, n int NOT NULL, payload text, "
                        + "inserted_at timestamptz NOT NULL DEFAULT clock_timestamp())");
                exec(db, "ALTER TABLE items OWNER TO " + pg.ownerUser()); // the tenant's data: its restored role reads it
                batch(db, 0, 200, rows, after);
                BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
                seeder.seedWalThrough(backup.manifest().endLsn());

                batch(db, 1, 3_000, rows, after);
                batch(db, 2, 3_000, rows, after);
                seeder.seedAllCompletedWal();                      // a segment switch
                batch(db, 3, 40_000, rows, after);                 // big enough to span segments on its own
                seeder.seedAllCompletedWal();                      // another switch
                batch(db, 4, 3_000, rows, after);
                seeder.seedAllCompletedWal();
                batch(db, 5, 500, rows, after);                    // only in the partial segment
                Thread.sleep(1_100);                               // the partial's stored time lies after batch 5 even at 1 s resolution
                assertTrue(seeder.seedPartial().isPresent(), "the last batch is in a partial segment");
                batch(db, 6, 700, rows, after);                    // committed after the final flush: never stored
            }
            Map<String, Long> bucketBefore = objects(fleet, source.id());
            String autoConfBefore = Files.readString(pg.dataDir().resolve("postgresql.auto.conf"));
            String confBefore = Files.readString(pg.dataDir().resolve("postgresql.conf"));

            bed.startService();
            Map<String, Integer> expectedThrough = new LinkedHashMap<>();
            expectedThrough.put(bed.request(source.id(), after.get(1).toString(), null), 1);   // WAL of the backup's segments only
            String acrossSwitches = bed.request(source.id(), after.get(3).toString(), null);
            expectedThrough.put(acrossSwitches, 3);                                               // across segment switches
            expectedThrough.put(bed.request(source.id(), after.get(4).toString(), null), 4);   // the partial, stopping before batch 5
            expectedThrough.put(bed.request(source.id(), after.get(5).toString(), null), 5);   // after the last stored commit
            String latest = bed.request(source.id(), "latest", "pitr-latest-" + source.id().value().substring(5));
            expectedThrough.put(latest, 5);

            // The source keeps working while restores run.
            try (Connection db = fleet.postgres().connect(pg)) {
                batch(db, 7, 100, rows, after);
            }

            for (Map.Entry<String, Integer> e : expectedThrough.entrySet()) {
                RestoreCompleted done = bed.await(e.getKey(), RestoreCompleted.class, RESTORE_TIMEOUT);
                Map<Integer, Integer> expected = rows.entrySet().stream().filter(r -> r.getKey() <= e.getValue())
                        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
                try (Connection restored = connect(fleet, done)) {
                    assertEquals(expected, countsByBatch(restored),
                            "restore " + e.getKey() + " to after batch " + e.getValue() + " holds exactly the rows committed before it");
                    assertEquals(2L, timeline(restored), "the restored instance promoted onto a new timeline");
                }
                RestoreAccepted accepted = bed.await(e.getKey(), RestoreAccepted.class, Duration.ofSeconds(1));
                assertEquals(done.getNewInstanceId(), accepted.getNewInstanceId());
                assertFalse(done.toString().contains(fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef()))),
                        "the event carries a secret reference, never the password");
                assertNotNull(done.getWalReplayedThroughSegment());
                registeredAndBackedUp(bed, e.getKey(), source, done);
            }
            RestoreCompleted latestDone = bed.await(latest, RestoreCompleted.class, Duration.ofSeconds(1));
            assertEquals("pitr-latest-" + source.id().value().substring(5), latestDone.getNewInstanceId());
            assertTrue(latestDone.getWalBytesReplayed() != null && latestDone.getWalBytesReplayed() > 16L * 1024 * 1024
                    && latestDone.getWalReplayMillis() != null && latestDone.getWalReplayMillis() > 0,
                    "the replay was measured (the RTO budget's rate): " + latestDone);

            List<RestoreProgress> progress = bed.eventsOf(latest, RestoreProgress.class);
            assertTrue(progress.stream().anyMatch(p -> p.getPhase() == RestorePhase.RESTORING_BACKUP && p.getBytesTotal() != null
                    && p.getBytesTotal() > 0), "download progress with its total: " + progress);
            assertTrue(progress.stream().anyMatch(p -> p.getPhase() == RestorePhase.REPLAYING_WAL && p.getWalSegmentsReplayed() > 2),
                    "WAL replay progress counts segments: " + progress);
            assertTrue(progress.stream().anyMatch(p -> p.getPhase() == RestorePhase.REPLAYING_WAL && p.getReplayedTo() != null
                    && p.getReplayTarget() != null),
                    "latest: replayed to a commit time, of the newest commit recorded: " + progress);
            // Progress in time (issue 18.6): the replay phase's last report carries the last replayed commit, which
            // for a target after batch 3 is batch 3's own commit: after the moment read after batch 2, not after the target.
            List<RestoreProgress> replay = bed.eventsOf(acrossSwitches, RestoreProgress.class).stream()
                    .filter(p -> p.getPhase() == RestorePhase.REPLAYING_WAL && p.getReplayedTo() != null).toList();
            assertFalse(replay.isEmpty(), "replay progress in time");
            RestoreProgress lastReplay = replay.get(replay.size() - 1);
            assertEquals(after.get(3).truncatedTo(java.time.temporal.ChronoUnit.MILLIS), lastReplay.getReplayTarget(),
                    "of the target time");
            assertTrue(lastReplay.getReplayedTo().isAfter(after.get(2)) && !lastReplay.getReplayedTo().isAfter(after.get(3)),
                    "replayed to batch 3's commit, before the target " + after.get(3) + ": " + lastReplay);
            List<RestorePhase> phases = progress.stream().map(RestoreProgress::getPhase).distinct().toList();
            assertEquals(List.of(RestorePhase.values()), phases, "every phase, in order");

            // The source: same configuration, same archive, its own data and timeline, still answering.
            assertEquals(autoConfBefore, Files.readString(pg.dataDir().resolve("postgresql.auto.conf")));
            assertEquals(confBefore, Files.readString(pg.dataDir().resolve("postgresql.conf")));
            assertEquals(bucketBefore, objects(fleet, source.id()), "restores only read the source bucket");
            try (Connection db = fleet.postgres().connect(pg)) {
                assertEquals(rows, countsByBatch(db), "the source has every batch, including the one written during the restores");
                assertEquals(1L, timeline(db));
            }

            // The restored instance is an instance like any other: a base backup of it into its own bucket,
            // with its own (new) credentials, completes, on its new timeline.
            InstanceId restored = InstanceId.of(latestDone.getNewInstanceId());
            try (BucketSeeder seeder = BucketSeeder.attach(fleet, restored)) {
                BucketSeeder.SeededBackup first = seeder.seedBaseBackup("restore:" + latest);
                seeder.seedWalThrough(first.manifest().endLsn());
                assertEquals(2, first.manifest().timeline());
                assertEquals(restored, first.manifest().instanceId());
            }
            assertNotEquals(fleet.postgres().secrets().get(source.superuserSecret()),
                    fleet.postgres().secrets().get(SecretRef.of(latestDone.getSecretRef())),
                    "the restored instance has new credentials");
        }
    }

    private static void registeredAndBackedUp(RestoreTestBed bed, String restoreId, RegisteredInstance source, RestoreCompleted done) {
        List<InstanceRegistered> registrations = bed.records(Topics.INSTANCES,
                v -> v instanceof InstanceRegistered r && r.getInstanceId().equals(done.getNewInstanceId()))
                .stream().map(InstanceRegistered.class::cast).toList();
        assertEquals(1, registrations.size(), "registered once: " + registrations);
        InstanceRegistered r = registrations.get(0);
        assertEquals(source.id().value(), r.getRestoredFrom().getSourceInstanceId());
        assertEquals(restoreId, r.getRestoredFrom().getRestoreId());
        assertEquals(done.getPort(), r.getPort());
        assertEquals("tideline-" + done.getNewInstanceId(), r.getBucket());
        List<BackupCommand> commands = bed.records(Topics.BACKUP_COMMANDS,
                v -> v instanceof BackupCommand c && c.getInstanceId().equals(done.getNewInstanceId()))
                .stream().map(BackupCommand.class::cast).toList();
        assertEquals(1, commands.size(), "its first base backup is asked for at once");
        assertEquals(BackupReason.AFTER_RESTORE, commands.get(0).getReason());
    }

    /** Inserts a batch in one transaction; records its size and a server moment after it committed. */
    private static void batch(Connection db, int batch, int count, Map<Integer, Integer> rows, Map<Integer, Instant> after)
            throws SQLException, InterruptedException {
        db.setAutoCommit(false);
        try (PreparedStatement ps = db.prepareStatement(
                "INSERT INTO items (batch, n, payload) SELECT ?, g, repeat(md5(g::text), 4) FROM generate_series(1, ?) g")) {
            ps.setInt(1, batch);
            ps.setInt(2, count);
            ps.executeUpdate();
        }
        db.commit();
        db.setAutoCommit(true);
        rows.put(batch, count);
        Thread.sleep(150);
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            after.put(batch, rs.getTimestamp(1).toInstant());
        }
        Thread.sleep(150);
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

    private static long timeline(Connection db) throws SQLException {
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8)")) {
            rs.next();
            return Long.parseLong(rs.getString(1), 16);
        }
    }

    private static Connection connect(Fleet fleet, RestoreCompleted done) throws SQLException {
        String url = "jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase();
        return DriverManager.getConnection(url, done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())));
    }

    /** Key → size + last-modified of every object in the source bucket. */
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
