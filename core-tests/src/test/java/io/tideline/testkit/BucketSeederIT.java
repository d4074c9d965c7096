package io.tideline.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.instance.AllocatedInstance;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.instance.RecoverySettings;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The seeder writes what the archiver would: a bucket whose backups unpack into a real data directory
 * and whose WAL objects are the server's own segment files, verifiable by their checksums.
 */
@ExtendWith(FleetExtension.class)
class BucketSeederIT {

    /** XLOG_PAGE_MAGIC of PostgreSQL 15: the first two bytes of every WAL page. */
    private static final int PG15_XLOG_PAGE_MAGIC = 0xD110;

    @Test
    void aBaseBackupAndItsWalAreStoredInTheArchiverLayout(Fleet fleet) throws Exception {
        ProvisionedInstance pg = instance(fleet, "seed-basic");
        ObjectStore store = fleet.objectStores().forInstance(pg.id());
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, pg.id())) {
            workload(fleet, pg, 2_000);
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup("daily:" + pg.id() + ":2026-11-24");
            List<BucketSeeder.SeededWal> wal = seeder.seedWalThrough(backup.manifest().endLsn());

            BackupManifest manifest = BackupManifest.parse(store.getVerified(BucketLayout.DEFAULT.backupManifest(backup.backupId())));
            assertEquals(backup.manifest(), manifest, "the stored manifest is the one returned");
            assertEquals("daily:" + pg.id() + ":2026-11-24", manifest.commandId());
            assertEquals(pg.id(), manifest.instanceId());
            assertEquals(1, manifest.timeline());
            assertEquals(15, manifest.postgresMajorVersion());
            assertTrue(manifest.startLsn().isBefore(manifest.endLsn()));
            assertEquals(1, manifest.parts().size(), "a small backup is one object at the default part size");

            byte[] tar = unpackParts(store, manifest);
            assertEquals(manifest.rawBytes(), tar.length, "rawBytes is the tar stream's length");
            Map<String, byte[]> files = tarFiles(tar, "backup_label", "PG_VERSION", "global/pg_control");
            assertEquals("15", new String(files.get("PG_VERSION"), StandardCharsets.US_ASCII).strip());
            assertTrue(files.containsKey("global/pg_control"));
            String label = new String(files.get("backup_label"), StandardCharsets.US_ASCII);
            Matcher start = Pattern.compile("START WAL LOCATION: ([0-9A-F]+/[0-9A-F]+)").matcher(label);
            assertTrue(start.find(), label);
            assertEquals(Lsn.parse(start.group(1)), manifest.startLsn(), "start LSN as backup_label says");
            assertTrue(label.contains("START TIMELINE: 1"), label);

            // Every segment from the backup's start through its end is stored, and is the server's own file.
            WalSegmentName first = WalSegmentName.of(1, manifest.startLsn(), BucketLayout.DEFAULT.walSegmentSize());
            WalSegmentName last = WalSegmentName.of(1, manifest.endLsn().minus(1), BucketLayout.DEFAULT.walSegmentSize());
            for (WalSegmentName s = first; s.compareTo(last) <= 0; s = s.next()) {
                String key = BucketLayout.DEFAULT.walSegment(s);
                assertEquals(new ObjectKind.WalSegment(s), BucketLayout.DEFAULT.parse(key));
                StoredObject head = store.head(key).orElseThrow(() -> new AssertionError("missing " + key));
                WalObjectMetadata meta = WalObjectMetadata.from(head);
                assertEquals(s.startLsn(), meta.startLsn());
                assertEquals(s.endLsn(), meta.endLsn());
                byte[] raw = decompress(store.getVerified(key));
                assertEquals(BucketLayout.DEFAULT.walSegmentSize(), raw.length);
                assertEquals(meta.rawSha256(), Sha256.of(raw), "raw-sha256 metadata is the uncompressed segment's");
                assertWalPageOf(s, raw);
            }
            assertTrue(wal.stream().anyMatch(w -> w.segment().equals(last)));
            assertTrue(wal.stream().noneMatch(BucketSeeder.SeededWal::partial));
        }
    }

    @Test
    void walKeepsFlowingAcrossCheckpointsAndPartialsAreReplacedByTheirSegment(Fleet fleet) throws Exception {
        ProvisionedInstance pg = instance(fleet, "seed-flow");
        ObjectStore store = fleet.objectStores().forInstance(pg.id());
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, pg.id())) {
            List<BucketSeeder.SeededWal> all = new ArrayList<>(seeder.seedAllCompletedWal());
            for (int round = 0; round < 3; round++) {
                workload(fleet, pg, 5_000);
                // A checkpoint may recycle segments; the seeder's slot keeps the ones it has not stored.
                sql(fleet, pg, "CHECKPOINT");
                seeder.seedBaseBackup();
                all.addAll(seeder.seedAllCompletedWal());
            }
            for (int i = 1; i < all.size(); i++) {
                assertEquals(all.get(i - 1).segment().next(), all.get(i).segment(), "contiguous, no segment skipped");
            }

            workload(fleet, pg, 500);
            BucketSeeder.SeededWal partial = seeder.seedPartial().orElseThrow();
            Lsn written = seeder.currentLsn();
            assertTrue(partial.partial());
            assertFalse(partial.endLsn().isAfter(written));
            StoredObject head = store.head(BucketLayout.DEFAULT.walPartial(partial.segment())).orElseThrow();
            assertEquals(partial.walMetadata(), WalObjectMetadata.from(head));
            byte[] raw = decompress(store.getVerified(head.key()));
            assertEquals(partial.endLsn().bytesSince(partial.segment().startLsn()), raw.length);
            assertWalPageOf(partial.segment(), raw);

            List<BucketSeeder.SeededWal> completed = seeder.seedAllCompletedWal();
            assertEquals(partial.segment(), completed.get(completed.size() - 1).segment());
            assertTrue(store.head(BucketLayout.DEFAULT.walPartial(partial.segment())).isEmpty(),
                    "the partial goes once its complete segment is stored");
            byte[] complete = decompress(store.getVerified(BucketLayout.DEFAULT.walSegment(partial.segment())));
            assertArrayEquals(raw, java.util.Arrays.copyOf(complete, raw.length), "the partial was a prefix of the segment");
        }
    }

    @Test
    void aBackupCutIntoSeveralObjectsConcatenatesToOneStream(Fleet fleet) throws Exception {
        ProvisionedInstance pg = instance(fleet, "seed-parts");
        ObjectStore store = fleet.objectStores().forInstance(pg.id());
        try (BucketSeeder seeder = BucketSeeder.attach(fleet.postgres(), pg, store, fleet.s3().adminClient(),
                Clock.systemUTC(), 256 * 1024)) {
            BackupManifest manifest = seeder.seedBaseBackup().manifest();
            assertTrue(manifest.parts().size() > 1, "parts: " + manifest.parts().size());
            for (int i = 0; i < manifest.parts().size(); i++) {
                BackupManifest.Part part = manifest.parts().get(i);
                assertEquals(new ObjectKind.BackupPart(manifest.backupId(), i + 1), BucketLayout.DEFAULT.parse(part.key()));
                assertEquals(part.storedBytes(), store.head(part.key()).orElseThrow().size());
            }
            assertEquals(manifest.storedBytes(), manifest.parts().stream().mapToLong(BackupManifest.Part::storedBytes).sum());
            byte[] tar = unpackParts(store, manifest);
            assertEquals(manifest.rawBytes(), tar.length);
            assertTrue(tarFiles(tar, "PG_VERSION").containsKey("PG_VERSION"));
        }
    }

    @Test
    void corruptionKeepsTheRecordedChecksumSoVerifiedReadsFail(Fleet fleet) throws Exception {
        ProvisionedInstance pg = instance(fleet, "seed-rot");
        ObjectStore store = fleet.objectStores().forInstance(pg.id());
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, pg.id())) {
            BucketSeeder.SeededBackup backup = seeder.seedBaseBackup();
            BucketSeeder.SeededWal segment = seeder.seedWalThrough(backup.manifest().endLsn()).get(0);
            Map<String, String> before = store.head(segment.key()).orElseThrow().metadata();

            seeder.corrupt(segment.key());
            assertEquals(before, store.head(segment.key()).orElseThrow().metadata(), "metadata kept");
            assertThrows(ChecksumMismatchException.class, () -> store.getVerified(segment.key()));

            BackupManifest.Part part = backup.manifest().parts().get(0);
            seeder.corrupt(part.key());
            IOException e = assertThrows(IOException.class, () -> {
                try (InputStream in = store.openVerified(part.key(), part.sha256())) {
                    in.transferTo(java.io.OutputStream.nullOutputStream());
                }
            });
            assertInstanceOf(ChecksumMismatchException.class, e.getCause());
        }
    }

    @Test
    void theSeededBucketRestoresAndARestoredInstanceSeedsItsNewTimeline(Fleet fleet) throws Exception {
        ProvisionedInstance pg = instance(fleet, "seed-restore");
        ObjectStore store = fleet.objectStores().forInstance(pg.id());
        BackupManifest manifest;
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, pg.id())) {
            workload(fleet, pg, 1_000);
            manifest = seeder.seedBaseBackup().manifest();
            workload(fleet, pg, 1_000);
            seeder.seedAllCompletedWal();
        }
        Path work = Files.createDirectories(fleet.postgres().home().resolve("seed-restore-" + System.nanoTime()));
        Path archive = Files.createDirectories(work.resolve("archive"));
        for (StoredObject o : store.list(BucketLayout.DEFAULT.walPrefix())) {
            if (BucketLayout.DEFAULT.parse(o.key()) instanceof ObjectKind.WalSegment s) {
                Files.write(archive.resolve(s.segment().toString()), decompress(store.getVerified(o.key())));
            }
        }
        InstanceId id = fleet.postgres().newId("seed-restored");
        AllocatedInstance allocated = fleet.postgres().provisioner().allocate(id);
        untar(unpackParts(store, manifest), allocated.dataDir());
        ProvisionedInstance target = fleet.postgres().provisioner().find(id).orElseThrow();
        fleet.postgres().secrets().put(target.adminSecret(), fleet.postgres().secrets().get(pg.adminSecret()));
        fleet.postgres().secrets().put(target.replicationSecret(), fleet.postgres().secrets().get(pg.replicationSecret()));
        fleet.postgres().provisioner().startRecovering(id, RecoverySettings.toLatest("cp " + archive + "/%f %p"));
        ProvisionedInstance restored = fleet.postgres().provisioner().awaitPromotion(id, Duration.ofMinutes(2));
        try (Connection c = fleet.postgres().connect(restored); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM seeded")) {
            rs.next();
            assertEquals(2_000, rs.getLong(1), "both workloads came back from the seeded bucket");
        }

        // The restored instance is on timeline 2: its own bucket gets the history file and timeline-2 segments.
        fleet.storageProvisioner().provision(id);
        ObjectStore restoredStore = fleet.objectStores().forInstance(id);
        try (BucketSeeder seeder = BucketSeeder.attach(fleet, id)) {
            assertEquals(2, seeder.timeline());
            workload(fleet, restored, 500);
            List<BucketSeeder.SeededWal> wal = seeder.seedAllCompletedWal();
            assertFalse(wal.isEmpty());
            assertTrue(wal.stream().allMatch(w -> w.segment().timeline() == 2));
            String history = new String(restoredStore.getVerified(BucketLayout.DEFAULT.timelineHistory(2)), StandardCharsets.UTF_8);
            assertEquals(1, io.tideline.core.wal.TimelineHistory.parse(2, history).entries().size(), history);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static ProvisionedInstance instance(Fleet fleet, String prefix) {
        ProvisionedInstance pg = fleet.postgres().create(prefix);
        fleet.storageProvisioner().provision(pg.id());
        return pg;
    }

    private static void workload(Fleet fleet, ProvisionedInstance pg, int rows) throws Exception {
        sql(fleet, pg, "CREATE TABLE IF NOT EXISTS seeded (id bigserial PRIMARY KEY, payload text)");
        sql(fleet, pg, "INSERT INTO seeded (payload) SELECT md5(g::text) || repeat('x', 200) FROM generate_series(1, " + rows + ") g");
    }

    private static void sql(Fleet fleet, ProvisionedInstance pg, String sql) throws Exception {
        try (Connection c = fleet.postgres().connect(pg); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static byte[] unpackParts(ObjectStore store, BackupManifest manifest) throws IOException {
        List<InputStream> streams = new ArrayList<>();
        for (BackupManifest.Part part : manifest.parts()) {
            streams.add(store.openVerified(part.key(), part.sha256()));
        }
        try (InputStream in = new ZstdInputStream(new SequenceInputStream(Collections.enumeration(streams)))) {
            return in.readAllBytes();
        }
    }

    private static Map<String, byte[]> tarFiles(byte[] tar, String... names) throws IOException {
        List<String> wanted = List.of(names);
        Map<String, byte[]> found = new HashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                if (wanted.contains(entry.getName())) {
                    found.put(entry.getName(), in.readAllBytes());
                }
            }
        }
        return found;
    }

    private static void untar(byte[] tar, Path into) throws IOException {
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry entry;
            while ((entry = in.getNextEntry()) != null) {
                Path target = into.resolve(entry.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("tar entry outside the data directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(in, target);
                }
            }
        }
    }

    private static byte[] decompress(byte[] zstd) throws IOException {
        try (InputStream in = new ZstdInputStream(new ByteArrayInputStream(zstd))) {
            return in.readAllBytes();
        }
    }

    /** The first page header names this segment's timeline and start position, as only a real WAL file does. */
    private static void assertWalPageOf(WalSegmentName segment, byte[] raw) {
        ByteBuffer header = ByteBuffer.wrap(raw, 0, 16).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(PG15_XLOG_PAGE_MAGIC, header.getShort(0) & 0xFFFF, "xlp_magic");
        assertEquals(segment.timeline(), header.getInt(4) & 0xFFFFFFFFL, "xlp_tli");
        assertEquals(segment.startLsn().value(), header.getLong(8), "xlp_pageaddr");
    }
}
