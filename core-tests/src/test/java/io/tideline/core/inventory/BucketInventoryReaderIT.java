package io.tideline.core.inventory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.ObjectStores;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.WalEntry;
import io.tideline.platform.local.secrets.DirectorySecretStore;
import io.tideline.platform.local.storage.EmbeddedStorageProvisioner;
import io.tideline.testkit.S3Extension;
import io.tideline.testkit.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The inventory of a real bucket: every kind of object classified, what contradicts its key reported. */
@ExtendWith(S3Extension.class)
class BucketInventoryReaderIT {

    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final long SEG = LAYOUT.walSegmentSize();

    @TempDir
    static Path secretsDir;

    private static EmbeddedStorageProvisioner provisioner;
    private static ObjectStores stores;
    private static InstanceId instance;

    @BeforeAll
    static void provision(S3Server server) {
        ObjectStoreSettings settings = ObjectStoreSettings.defaults(server.endpoint()).withRegion(server.region());
        DirectorySecretStore secrets = new DirectorySecretStore(secretsDir);
        provisioner = new EmbeddedStorageProvisioner(server.adminClient(), server.identitiesDir(), secrets, settings,
                Clock.systemUTC(), new SecureRandom());
        byte[] suffix = new byte[4];
        new SecureRandom().nextBytes(suffix);
        instance = InstanceId.of("inventory-" + HexFormat.of().formatHex(suffix));
        provisioner.provision(instance);
        stores = new ObjectStores(settings, secrets, Clock.systemUTC());
    }

    @AfterAll
    static void deprovision() {
        if (stores != null) {
            stores.close();
        }
        if (provisioner != null) {
            provisioner.deprovision(instance);
        }
    }

    @Test
    void classifiesBackupsWalHistoryAndReportsWhatContradictsItsKey() {
        ObjectStore store = stores.forInstance(instance);
        Instant t0 = Instant.parse("2026-11-20T10:00:00Z");

        BackupId good = BackupId.of(t0, "aaaa");
        StoredObject part1 = store.put(LAYOUT.backupPart(good, 1), bytes("part one"), Map.of());
        StoredObject part2 = store.put(LAYOUT.backupPart(good, 2), bytes("part two"), Map.of());
        StoredObject stray = store.put(LAYOUT.backupPart(good, 3), bytes("left by a retried upload"), Map.of());
        Lsn start = Lsn.parse("0/2000028");
        Lsn end = Lsn.parse("0/2000138");
        store.put(LAYOUT.backupManifest(good), manifest(good, start, end, t0, List.of(part1, part2)).toJson(), Map.of());

        BackupId incomplete = BackupId.of(t0.plusSeconds(60), "bbbb");
        store.put(LAYOUT.backupPart(incomplete, 1), bytes("no manifest yet"), Map.of());

        BackupId corrupt = BackupId.of(t0.plusSeconds(120), "cccc");
        StoredObject corruptPart = store.put(LAYOUT.backupPart(corrupt, 1), bytes("x"), Map.of());
        store.put(LAYOUT.backupManifest(corrupt), bytes("{\"formatVersion\": 1}"), Map.of());

        WalSegmentName s2 = WalSegmentName.of(1, start, SEG);
        WalSegmentName s3 = s2.next();
        store.put(LAYOUT.walSegment(s2), bytes("segment 2"), wal(s2.startLsn(), s2.endLsn()));
        Lsn partialEnd = s3.startLsn().plus(8192);
        store.put(LAYOUT.walPartial(s3), bytes("segment 3 so far"), wal(s3.startLsn(), partialEnd));
        WalSegmentName noMeta = s3.next().next();
        store.put(LAYOUT.walPartial(noMeta), bytes("foreign"), Map.of());
        store.put(LAYOUT.timelineHistory(2), bytes("1\t0/3000000\tno recovery target specified\n"), Map.of());
        store.put("notes/readme.txt", bytes("not Tideline's"), Map.of());
        store.put("wal/00000001/garbage.zst", bytes("not Tideline's either"), Map.of());

        BucketInventoryReader.BucketScan scan = new BucketInventoryReader(LAYOUT).read(store);
        BucketInventory inv = scan.inventory();

        assertEquals(1, inv.backups().size(), "only the backup with a readable manifest is complete: " + inv.backups());
        BackupEntry b = inv.backups().get(0);
        assertEquals(good, b.id());
        assertEquals(start, b.startLsn());
        assertEquals(end, b.endLsn());
        assertEquals(List.of(part1.key(), part2.key()), b.parts().stream().map(io.tideline.core.window.ListedObject::key).toList());
        assertEquals(List.of(stray.key()), inv.unexplained().stream().map(io.tideline.core.window.ListedObject::key).toList(),
                "a part the manifest does not list is unexplained");
        assertEquals(List.of(incomplete), inv.incompleteBackups().stream().map(i -> i.id()).toList());

        assertEquals(2, inv.wal().size(), "the partial without WAL metadata is left out: " + inv.wal());
        WalEntry partial = inv.wal().stream().filter(WalEntry::partial).findFirst().orElseThrow();
        assertEquals(partialEnd, partial.endLsn(), "a partial reaches as far as its metadata says");
        assertEquals(1, inv.branches().size());
        assertEquals(Lsn.parse("0/3000000"), inv.branches().get(0).branchPoint());

        assertTrue(scan.problems().stream().anyMatch(p -> p.contains(LAYOUT.backupManifest(corrupt))), scan.problems().toString());
        assertTrue(scan.problems().stream().anyMatch(p -> p.contains(LAYOUT.walPartial(noMeta))), scan.problems().toString());
        assertFalse(inv.allObjects().stream().anyMatch(o -> o.key().equals(corruptPart.key())),
                "the objects of a backup whose manifest is unreadable are neither used nor offered for deletion");
        assertFalse(inv.allObjects().stream().anyMatch(o -> o.key().startsWith("notes/") || o.key().contains("garbage")));

        RestorableWindow window = RestorableWindow.of(inv);
        assertEquals(1, window.restorableBackups().size(), "the window is computed from the inventory: " + window);
    }

    /**
     * The recorded stored-at replaces Last-Modified where a WAL time can bound the window (the end of a
     * run of segments, the segment a child timeline branched from, a partial); objects without it keep
     * Last-Modified. The stamps here are years before the objects were stored, so which time was used shows.
     */
    @Test
    void walTimesAreTheRecordedStoredAtWhereTheyCanEndTheWindowAndLastModifiedWithoutIt() {
        InstanceId own = InstanceId.of(instance.value() + "-t");
        provisioner.provision(own);
        try {
            ObjectStore store = stores.forInstance(own);
            WalSegmentName a = new WalSegmentName(1, 0x20, SEG);
            WalSegmentName b = a.next();
            WalSegmentName c = b.next().next();     // a gap before it
            WalSegmentName d = c.next();
            WalSegmentName e = d.next();            // newest, stored before stored-at existed
            WalSegmentName onChild = new WalSegmentName(2, d.segmentNo(), SEG);
            Instant stamped = Instant.parse("2020-01-01T00:00:00.123Z");
            for (WalSegmentName s : List.of(a, b, c, d)) {
                store.put(LAYOUT.walSegment(s), bytes("segment " + s), written(s.startLsn(), s.endLsn(), stamped.plusMillis(s.segmentNo())));
            }
            store.put(LAYOUT.walSegment(e), bytes("old segment"), wal(e.startLsn(), e.endLsn()));
            Lsn partialEnd = onChild.startLsn().plus(8192);
            store.put(LAYOUT.walPartial(onChild), bytes("child so far"), written(onChild.startLsn(), partialEnd, stamped.plusSeconds(1)));
            // timeline 2 left timeline 1 inside segment c
            store.put(LAYOUT.timelineHistory(2), bytes("1\t" + c.startLsn().plus(100) + "\tno recovery target specified\n"), Map.of());

            BucketInventoryReader.BucketScan scan = new BucketInventoryReader(LAYOUT).read(store);
            assertEquals(List.of(), scan.problems());
            Map<String, Instant> times = new java.util.HashMap<>();
            scan.inventory().wal().forEach(w -> times.put(w.object().key(), w.storedAt()));
            Map<String, Instant> lastModified = new java.util.HashMap<>();
            scan.inventory().wal().forEach(w -> lastModified.put(w.object().key(), w.object().lastModified()));

            assertEquals(lastModified.get(LAYOUT.walSegment(a)), times.get(LAYOUT.walSegment(a)), "inside a run: never read");
            assertEquals(stamped.plusMillis(b.segmentNo()), times.get(LAYOUT.walSegment(b)), "last before a gap");
            assertEquals(stamped.plusMillis(c.segmentNo()), times.get(LAYOUT.walSegment(c)), "where timeline 2 branched");
            assertEquals(lastModified.get(LAYOUT.walSegment(d)), times.get(LAYOUT.walSegment(d)), "inside a run: never read");
            assertEquals(lastModified.get(LAYOUT.walSegment(e)), times.get(LAYOUT.walSegment(e)), "no stored-at: Last-Modified");
            assertEquals(stamped.plusSeconds(1), times.get(LAYOUT.walPartial(onChild)), "a partial's recorded stored-at");
        } finally {
            provisioner.deprovision(own);
        }
    }

    private static Map<String, String> written(Lsn start, Lsn end, Instant beforePut) {
        return WalObjectMetadata.written(start, end, Sha256.of(new byte[0]), beforePut).toMap();
    }

    private static BackupManifest manifest(BackupId id, Lsn start, Lsn end, Instant t0, List<StoredObject> parts) {
        List<BackupManifest.Part> ps = parts.stream()
                .map(p -> new BackupManifest.Part(p.key(), OptionalLong.empty(), p.size(), p.requireSha256())).toList();
        return BackupManifest.builder(id, instance, "test").timeline(1).startLsn(start).endLsn(end)
                .startedAt(t0).finishedAt(t0.plusSeconds(5)).postgresVersion(150018).systemIdentifier(7L)
                .walSegmentSize(SEG).rawBytes(100).parts(ps).build();
    }

    private static Map<String, String> wal(Lsn start, Lsn end) {
        return new WalObjectMetadata(start, end, Sha256.of(new byte[0])).toMap();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
