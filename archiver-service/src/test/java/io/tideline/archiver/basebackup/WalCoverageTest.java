package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.Sha256;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class WalCoverageTest {

    private static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    private static final Instant T = Instant.parse("2026-11-24T02:00:00Z");
    private static final BackupId ID = BackupId.parse("20261124T020000Z-a1b2c3");
    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;

    private static BackupManifest manifest(String start, String end) {
        String key = LAYOUT.backupPart(ID, 1);
        return BackupManifest.builder(ID, InstanceId.of("pg-1"), "daily:pg-1:2026-11-24").timeline(1)
                .startLsn(Lsn.parse(start)).endLsn(Lsn.parse(end)).startedAt(T).finishedAt(T.plusSeconds(30))
                .postgresVersion(150018).systemIdentifier(7_300_000_000_000_000_001L).walSegmentSize(SEG).rawBytes(1000)
                .parts(List.of(new BackupManifest.Part(key, OptionalLong.of(1000), 100, Sha256.of(new byte[] {1}))))
                .build();
    }

    private static BucketInventory inventory(BackupManifest m, List<WalEntry> wal) {
        BucketInventory.Builder b = BucketInventory.builder().backup(new BackupEntry(m.backupId(), m.timeline(),
                m.startLsn(), m.endLsn(), m.startedAt(), m.finishedAt(),
                new io.tideline.core.window.ListedObject(LAYOUT.backupManifest(ID), 900, T.plusSeconds(31)),
                List.of(new io.tideline.core.window.ListedObject(m.parts().get(0).key(), 100, T.plusSeconds(30)))));
        wal.forEach(b::wal);
        return b.build();
    }

    private static WalEntry complete(long segmentNo) {
        WalSegmentName s = new WalSegmentName(1, segmentNo, SEG);
        return WalEntry.complete(s, T.plusSeconds(40), new io.tideline.core.window.ListedObject(LAYOUT.walSegment(s), 1000, T.plusSeconds(40)));
    }

    private static WalEntry partial(long segmentNo, String end) {
        WalSegmentName s = new WalSegmentName(1, segmentNo, SEG);
        return WalEntry.partial(s, Lsn.parse(end), T.plusSeconds(40),
                new io.tideline.core.window.ListedObject(LAYOUT.walPartial(s), 1000, T.plusSeconds(40)));
    }

    @Test
    void aBackupWithinOneSegmentNeedsThatSegment() {
        BackupManifest m = manifest("0/2000028", "0/2000100");
        WalCoverage.Result none = WalCoverage.evaluate(inventory(m, List.of()), ID);
        assertFalse(none.restorable());
        assertTrue(none.missing().contains("000000010000000000000002"), none.missing());
        assertTrue(WalCoverage.evaluate(inventory(m, List.of(complete(2))), ID).restorable());
    }

    @Test
    void everySegmentFromStartToEndIsNeeded() {
        BackupManifest m = manifest("0/2000028", "0/4000100");
        List<WalEntry> wal = new ArrayList<>(List.of(complete(2), complete(4)));
        WalCoverage.Result hole = WalCoverage.evaluate(inventory(m, wal), ID);
        assertFalse(hole.restorable());
        assertTrue(hole.missing().contains("000000010000000000000003"), hole.missing());
        wal.add(complete(3));
        assertTrue(WalCoverage.evaluate(inventory(m, wal), ID).restorable());
    }

    @Test
    void aPartialCountsOnlyIfItReachesTheEnd() {
        BackupManifest m = manifest("0/2000028", "0/3000100");
        assertFalse(WalCoverage.evaluate(inventory(m, List.of(complete(2), partial(3, "0/3000050"))), ID).restorable());
        assertTrue(WalCoverage.evaluate(inventory(m, List.of(complete(2), partial(3, "0/3000100"))), ID).restorable());
    }

    @Test
    void aBackupWhoseManifestIsNotInTheBucketIsNotRestorable() {
        WalCoverage.Result r = WalCoverage.evaluate(BucketInventory.builder().wal(complete(2)).build(), ID);
        assertFalse(r.restorable());
        assertTrue(r.missing().contains("no readable manifest"), r.missing());
    }

    @Test
    void walOfTheSegmentsAfterTheEndAloneIsNotEnough() {
        BackupManifest m = manifest("0/2000028", "0/2000100");
        assertFalse(WalCoverage.evaluate(inventory(m, List.of(complete(3), complete(4))), ID).restorable());
    }
}
