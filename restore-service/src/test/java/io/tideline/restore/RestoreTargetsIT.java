package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestorePoint;
import io.tideline.core.restore.RestorePoints;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreRejected;
import io.tideline.testkit.BucketSeeder;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every recovery target besides a time, end to end with real PostgreSQL, Kafka and S3: one source with a
 * recorded workload (inserts, a transaction that deletes and inserts, a named restore point, an aborted
 * transaction, an update after a second backup), restored to an LSN, an xid inclusive and exclusive, a
 * named point and {@code immediate} (newest and a named backup). Each restored instance holds exactly the
 * rows the source held at that point, compared row by row with a snapshot taken then; each invalid target
 * is refused with its reason and provisions nothing.
 */
@ExtendWith(FleetExtension.class)
class RestoreTargetsIT {

    private static final Duration RESTORE_TIMEOUT = Duration.ofMinutes(3);

    private record Expected(String what, List<String> rows, String backupId) {
    }

    @Test
    void restoresToEveryKindOfTargetHoldExactlyTheRowsOfThatPoint(Fleet fleet) throws Exception {
        try (RestoreTestBed bed = new RestoreTestBed(fleet)) {
            RegisteredInstance source = bed.createSource("targets");
            ProvisionedInstance pg = fleet.postgres().provisioner().get(source.id());
            List<String> s0;
            List<String> s1;
            List<String> s2;
            List<String> s3;
            List<String> s5;
            Lsn afterBatch1;
            long xid2;
            long xid4;
            long xid5;
            RestorePoint point;
            BucketSeeder.SeededBackup b1;
            BucketSeeder.SeededBackup b2;
            try (BucketSeeder seeder = BucketSeeder.attach(fleet, source.id());
                 Connection db = fleet.postgres().connect(pg)) {
                exec(db, "CREATE TABLE items (batch int NOT NULL, n int NOT NULL, payload text NOT NULL, PRIMARY KEY (batch, n))");
                exec(db, "ALTER TABLE items OWNER TO " + pg.ownerUser());
                exec(db, "INSERT INTO items SELECT 0, g, md5(g::text) FROM generate_series(1, 100) g");
                s0 = rows(db);
                b1 = seeder.seedBaseBackup();
                seeder.seedWalThrough(b1.manifest().endLsn());

                exec(db, "INSERT INTO items SELECT 1, g, md5(g::text) FROM generate_series(1, 200) g");
                s1 = rows(db);
                afterBatch1 = Lsn.parse(text(db, "SELECT pg_current_wal_insert_lsn()::text"));

                xid2 = transaction(db, "DELETE FROM items WHERE batch = 1 AND n % 2 = 0",
                        "INSERT INTO items SELECT 2, g, md5(g::text) FROM generate_series(1, 150) g");
                s2 = rows(db);
                point = RestorePoints.create(db, seeder.store(), seeder.layout(), source.id(), "before-batch-3", "restore-it");

                exec(db, "INSERT INTO items SELECT 3, g, md5(g::text) FROM generate_series(1, 100) g");
                s3 = rows(db);
                db.setAutoCommit(false);
                xid4 = Long.parseLong(text(db, "SELECT txid_current()::text"));
                exec(db, "INSERT INTO items SELECT 4, g, 'never' FROM generate_series(1, 50) g");
                db.rollback();
                db.setAutoCommit(true);
                seeder.seedAllCompletedWal();

                b2 = seeder.seedBaseBackup();
                seeder.seedWalThrough(b2.manifest().endLsn());
                xid5 = transaction(db, "UPDATE items SET payload = 'changed' WHERE batch = 3");
                s5 = rows(db);
                exec(db, "INSERT INTO items SELECT 6, g, md5(g::text) FROM generate_series(1, 80) g");
                seeder.seedAllCompletedWal();
                seeder.seedPartial();
            }
            assertTrue(xid2 < xid5 && xid4 < xid5, "xids in order: " + xid2 + ", " + xid4 + ", " + xid5);
            assertEquals(point, RestorePoints.find(fleet.objectStores().forInstance(source.id()),
                    BucketLayout.forSegmentSize(source.walSegmentSize()), "before-batch-3").orElseThrow(),
                    "the restore point is recorded in the bucket");

            bed.startService();
            String b1Id = b1.backupId().value();
            String b2Id = b2.backupId().value();
            Map<String, Expected> restores = new LinkedHashMap<>();
            restores.put(bed.request(source.id(), "lsn:" + afterBatch1, null), new Expected("lsn after batch 1", s1, b1Id));
            restores.put(bed.request(source.id(), "xid:" + xid2, null), new Expected("xid 2 inclusive", s2, b1Id));
            restores.put(bed.requestExclusive(source.id(), "xid:" + xid2), new Expected("xid 2 exclusive", s1, b1Id));
            restores.put(bed.request(source.id(), "name:before-batch-3", null), new Expected("restore point", s2, b1Id));
            restores.put(bed.request(source.id(), "immediate", null), new Expected("immediate (newest backup)", s3, b2Id));
            restores.put(bed.request(source.id(), "immediate:" + b1Id, null), new Expected("immediate of backup 1", s0, b1Id));
            restores.put(bed.requestExclusive(source.id(), "xid:" + xid5), new Expected("xid 5 exclusive", s3, b2Id));
            restores.put(bed.request(source.id(), "xid:" + xid5, null), new Expected("xid 5 inclusive", s5, b2Id));

            Set<String> dirsBefore = bed.instanceDirs();
            Map<String, List<String>> refused = new LinkedHashMap<>();
            refused.put(bed.request(source.id(), "lsn:FF/0", null), List.of("LSN FF/0 is past the stored WAL of " + source.id()));
            refused.put(bed.request(source.id(), "lsn:" + b1.manifest().startLsn(), null),
                    List.of("is before the restorable window of " + source.id(), b1Id));
            refused.put(bed.request(source.id(), "xid:" + xid4, null), List.of("transaction " + xid4 + " aborted"));
            refused.put(bed.request(source.id(), "xid:" + (xid5 + 100_000), null),
                    List.of("transaction " + (xid5 + 100_000) + " is unknown to the stored WAL of " + source.id()));
            refused.put(bed.request(source.id(), "name:never-made", null), List.of("no restore point named 'never-made'"));
            refused.put(bed.request(source.id(), "immediate:20200101T000000Z-abcd", null),
                    List.of("no backup 20200101T000000Z-abcd is stored"));
            refused.put(bed.request(source.id(), "xid:abc", null), List.of("'xid:abc' is not a transaction id"));
            refused.put(bed.request(source.id(), "lsn:zz", null), List.of("'lsn:zz' is not an LSN"));
            refused.put(bed.requestExclusive(source.id(), "name:before-batch-3"), List.of("cannot be exclusive"));
            refused.put(bed.request(source.id(), "2026-11-24T08:15:30", null), List.of("is not a time", "no time zone"));
            for (Map.Entry<String, List<String>> e : refused.entrySet()) {
                RestoreRejected rejected = bed.await(e.getKey(), RestoreRejected.class, Duration.ofSeconds(90));
                for (String part : e.getValue()) {
                    assertTrue(rejected.getReason().contains(part), "'" + part + "' not in: " + rejected.getReason());
                }
                assertTrue(bed.eventsOf(e.getKey(), RestoreAccepted.class).isEmpty());
            }

            for (Map.Entry<String, Expected> e : restores.entrySet()) {
                Expected expected = e.getValue();
                RestoreCompleted done = bed.await(e.getKey(), RestoreCompleted.class, RESTORE_TIMEOUT);
                RestoreAccepted accepted = bed.await(e.getKey(), RestoreAccepted.class, Duration.ofSeconds(1));
                assertEquals(expected.backupId(), accepted.getBackupId(), expected.what() + ": the backup consistent before the target");
                try (Connection restored = connect(fleet, done)) {
                    assertEquals(expected.rows(), rows(restored), expected.what() + ": exactly the rows of that point, row by row");
                }
            }
            assertTrue(bed.instanceDirs().containsAll(dirsBefore));
        }
    }

    /** Runs {@code statements} in one transaction; its xid. */
    private static long transaction(Connection db, String... statements) throws SQLException {
        db.setAutoCommit(false);
        long xid = Long.parseLong(text(db, "SELECT txid_current()::text"));
        for (String sql : statements) {
            exec(db, sql);
        }
        db.commit();
        db.setAutoCommit(true);
        return xid;
    }

    private static List<String> rows(Connection db) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = db.createStatement();
             ResultSet rs = st.executeQuery("SELECT batch, n, payload FROM items ORDER BY batch, n")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + "|" + rs.getInt(2) + "|" + rs.getString(3));
            }
        }
        return rows;
    }

    private static String text(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static void exec(Connection db, String sql) throws SQLException {
        try (Statement st = db.createStatement()) {
            st.execute(sql);
        }
    }

    private static Connection connect(Fleet fleet, RestoreCompleted done) throws SQLException {
        String url = "jdbc:postgresql://" + done.getHost() + ":" + done.getPort() + "/" + done.getDatabase();
        return DriverManager.getConnection(url, done.getUser(), fleet.postgres().secrets().get(SecretRef.of(done.getSecretRef())));
    }
}
