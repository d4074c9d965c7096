package io.tideline.core.window;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tideline.core.window.WindowFixture.at;
import static io.tideline.core.window.WindowFixture.backupEntry;
import static io.tideline.core.window.WindowFixture.bucket;
import static io.tideline.core.window.WindowFixture.lsn;
import static io.tideline.core.window.WindowFixture.name;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The inventory's values refuse what a bucket cannot hold, loudly. */
class WindowModelTest {

    private static final ListedObject OBJ = new ListedObject("k", 1, at(0));

    @Test
    void aBackupEndsAfterItStartsInLsnAndTime() {
        assertThrows(IllegalArgumentException.class, () -> backupEntry("aaaa", 1, lsn(2, 0), lsn(2, 0), 0, 1));
        assertThrows(IllegalArgumentException.class, () -> backupEntry("aaaa", 1, lsn(2, 0), lsn(3, 0), 5, 4));
        assertThrows(IllegalArgumentException.class, () -> backupEntry("aaaa", 0, lsn(2, 0), lsn(3, 0), 0, 1));
    }

    @Test
    void aCompleteSegmentEndsAtItsEndAndAPartialInsideIt() {
        assertThrows(IllegalArgumentException.class, () -> new WalEntry(name(1, 3), false, lsn(3, 5), at(0), OBJ));
        assertThrows(IllegalArgumentException.class, () -> WalEntry.partial(name(1, 3), lsn(3, 0), at(0), OBJ));
        assertThrows(IllegalArgumentException.class, () -> WalEntry.partial(name(1, 3), lsn(4, 1), at(0), OBJ));
        assertEquals(lsn(4, 0), WalEntry.complete(name(1, 3), at(0), OBJ).endLsn());
    }

    @Test
    void aTimelineBranchesFromALowerOne() {
        assertThrows(IllegalArgumentException.class, () -> new TimelineBranch(2, 2, Lsn.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new TimelineBranch(2, 3, Lsn.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new TimelineBranch(2, 0, Lsn.ZERO));
    }

    @Test
    void aHistoryFileYieldsTheBranchOfItsTimelineAndOfEachAncestor() {
        TimelineHistory history = TimelineHistory.parse(3, "1\t0/3000010\tno recovery target specified\n"
                + "2\t0/4000010\tbefore 2026-11-01 00:30:00+00\n");

        assertEquals(List.of(new TimelineBranch(2, 1, Lsn.parse("0/3000010")), new TimelineBranch(3, 2, Lsn.parse("0/4000010"))),
                TimelineBranch.allOf(history));
        assertEquals(List.of(), TimelineBranch.allOf(TimelineHistory.initial()));
    }

    @Test
    void anInventoryRefusesDuplicatesAndContradictions() {
        assertThrows(IllegalArgumentException.class, () -> bucket().segment(1, 3, 10).segment(1, 3, 20).build(),
                "same segment twice");
        assertThrows(IllegalArgumentException.class, () -> bucket().backup("aaaa", 1, lsn(1, 0), lsn(2, 0), 0, 1)
                .backup("aaaa", 1, lsn(1, 0), lsn(3, 0), 0, 2).build(), "same backup twice");
        assertThrows(IllegalArgumentException.class, () -> bucket().unexplained("k", 1).unexplained("k", 2).build(),
                "same key twice");
        assertThrows(IllegalArgumentException.class, () -> bucket().branch(2, 1, lsn(1, 0)).branch(2, 1, lsn(2, 0)).build(),
                "two branch points for one timeline");
        assertThrows(IllegalArgumentException.class, () -> bucket().branch(2, 1, lsn(5, 0)).branch(3, 2, lsn(4, 0)).build(),
                "a child branching before its parent began");
        assertThrows(IllegalArgumentException.class, () -> BucketInventory.builder()
                .wal(WalEntry.complete(name(1, 1), at(0), OBJ))
                .wal(WalEntry.complete(new io.tideline.core.wal.WalSegmentName(1, 9, 1024 * 1024), at(0),
                        new ListedObject("other", 1, at(0))))
                .build(), "mixed segment sizes");
        assertEquals(1, bucket().branch(2, 1, lsn(1, 0)).branch(2, 1, lsn(1, 0)).build().branches().size(),
                "the same history line read from two history files is one branch");
    }

    @Test
    void aBackupWhoseManifestIsDeletedIsNoLongerComplete() {
        BucketInventory inventory = bucket().backup("aaaa", 1, lsn(1, 0), lsn(2, 0), 0, 1).segments(1, 1, 3).build();
        BackupEntry backup = inventory.backups().get(0);

        BucketInventory halfDeleted = inventory.without(List.of(backup.manifest().key(), backup.parts().get(0).key()));

        assertTrue(halfDeleted.backups().isEmpty());
        assertEquals(1, halfDeleted.incompleteBackups().size());
        assertEquals(backup.id(), halfDeleted.incompleteBackups().get(0).id());
        assertEquals(List.of(backup.parts().get(1)), halfDeleted.incompleteBackups().get(0).objects());
        assertEquals(3, halfDeleted.wal().size());
        assertTrue(RestorableWindow.of(halfDeleted).isEmpty(), "a half-deleted backup restores nothing");
    }

    @Test
    void withoutRemovesWalUnexplainedAndEmptiedIncompleteBackups() {
        BucketInventory inventory = bucket().segments(1, 1, 2).incomplete("bbbb", 0, 5).unexplained(WindowFixture.stray("junk"), 1).build();
        List<String> keys = inventory.allObjects().stream().map(ListedObject::key).toList();

        BucketInventory emptied = inventory.without(keys);

        assertTrue(emptied.allObjects().isEmpty());
        assertEquals(4, keys.size(), "two segments, one part of an incomplete backup, one unexplained object");
    }

    @Test
    void anIncompleteBackupIsAsRecentAsItsNewestWrite() {
        IncompleteBackup b = new IncompleteBackup(WindowFixture.id("aaaa", 0), List.of(
                new ListedObject("a", 1, at(3)), new ListedObject("b", 1, at(9)), new ListedObject("c", 1, at(4))));
        assertEquals(at(9), b.lastWrittenAt());
        assertThrows(IllegalArgumentException.class, () -> new IncompleteBackup(WindowFixture.id("aaaa", 0), List.of()));
    }

    @Test
    void aBackupIsDeletedManifestFirst() {
        BackupEntry b = backupEntry("aaaa", 1, lsn(1, 0), lsn(2, 0), 0, 1);
        assertEquals(b.manifest(), b.objectsInDeletionOrder().get(0));
        assertEquals(3, b.objectsInDeletionOrder().size());
        assertEquals(50_510, b.storedBytes());
    }
}
