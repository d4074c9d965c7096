package io.tideline.archiver.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Decoding of the records the undo finder reads, on records built byte by byte as PostgreSQL 15 writes them. */
class TransactionTrackerTest {

    private static final int HEAP = TransactionTracker.RM_HEAP;
    private static final int XACT = TransactionTracker.RM_XACT;
    private static final int DELETE = 0x10;
    private static final int UPDATE = 0x20;
    private static final int HOT_UPDATE = 0x40;
    private static final int COMMIT = 0x80; // XLOG_XACT_COMMIT with XLOG_XACT_HAS_INFO
    private static final int ABORT = 0xA0;
    private static final int COMMIT_PREPARED = 0xB0;
    private static final RelFile ORDERS = new RelFile(1663, 5, 16384);
    private static final RelFile ITEMS = new RelFile(1663, 5, 16390);
    private static final Instant AT = Instant.parse("2026-12-07T10:14:03.217123Z");

    private final List<CommittedTransaction> committed = new ArrayList<>();
    private final TransactionTracker tracker = new TransactionTracker(committed::add);
    private long lsn = 0x3000000;

    private void feed(byte[] record) {
        lsn += record.length;
        if (tracker.wants(record[17] & 0xff, record[16] & 0xff)) {
            tracker.record(new Lsn(lsn), record, record.length);
        }
    }

    private void commit(long xid, long... subxacts) {
        feed(Records.noBlock(xid, XACT, COMMIT, Records.xact(AT, subxacts, new RelFile[0], new long[0][], 0, null)));
    }

    @Test
    void rowsDeletedAndUpdatedCountPerRelationFileOnceTheTransactionCommits() {
        feed(Records.noBlock(0, TransactionTracker.RM_STANDBY, 0x10, Records.runningXacts(700, 700)));
        for (int i = 0; i < 3; i++) {
            feed(Records.withBlock(701, HEAP, DELETE, ORDERS, Records.heapDelete(0)));
        }
        feed(Records.withImage(701, HEAP, DELETE | 0x80, ORDERS, Records.heapDelete(0), 8000)); // with a full-page image, INIT_PAGE bit set
        feed(Records.withBlock(701, HEAP, UPDATE, ITEMS, Records.heapUpdate()));
        feed(Records.withBlock(701, HEAP, HOT_UPDATE, ITEMS, Records.heapUpdate()));
        feed(Records.withBlock(701, HEAP, DELETE, ORDERS, Records.heapDelete(1 << 3))); // a speculative insertion's super delete
        assertTrue(committed.isEmpty(), "nothing is known before the commit");
        commit(701);
        CommittedTransaction t = committed.get(0);
        assertEquals(701, t.xid());
        assertEquals(AT, t.committedAt());
        assertEquals(Map.of(ORDERS, 4L), t.deleted());
        assertEquals(Map.of(ITEMS, 2L), t.updated());
        assertTrue(t.countsComplete());
        assertEquals(0, tracker.pendingTransactions());
    }

    @Test
    void subtransactionsCountForTheTopLevelXidAndAbortedOnesNotAtAll() {
        feed(Records.withBlock(800, HEAP, DELETE, ORDERS, Records.heapDelete(0)));
        feed(Records.withBlock(801, HEAP, DELETE, ORDERS, Records.heapDelete(0))); // released savepoint
        feed(Records.withBlock(802, HEAP, DELETE, ITEMS, Records.heapDelete(0))); // rolled back to savepoint
        feed(Records.noBlock(802, XACT, ABORT, Records.xact(AT, new long[0], new RelFile[0], new long[0][], 0, null)));
        feed(Records.withBlock(900, HEAP, DELETE, ITEMS, Records.heapDelete(0))); // another transaction, rolled back
        feed(Records.noBlock(900, XACT, ABORT, Records.xact(AT, new long[0], new RelFile[0], new long[0][], 0, null)));
        commit(800, 801);
        assertEquals(1, committed.size());
        assertEquals(Map.of(ORDERS, 2L), committed.get(0).deleted());
        assertFalse(committed.get(0).countsComplete(), "no RUNNING_XACTS seen: it may have begun before the scan");
        assertEquals(0, tracker.pendingTransactions());
    }

    @Test
    void dropsAndTruncatesAreTheRelationFilesACommitRemovesWithTheRelationsWhoseStatisticsItDropped() {
        RelFile toast = new RelFile(1663, 5, 16387);
        feed(Records.noBlock(950, XACT, COMMIT, Records.xact(AT, new long[0], new RelFile[] {ORDERS, toast},
                new long[][] {{2, 5, 16384}, {1, 16395, 0}}, 3, null)));
        CommittedTransaction t = committed.get(0);
        assertEquals(List.of(ORDERS, toast), t.droppedFiles());
        assertEquals(Set.of(new CommittedTransaction.DatabaseObject(5, 16384)), t.droppedRelationOids(), "relation stats only");
        assertTrue(t.catalogChanged());
        assertTrue(t.destructive());
    }

    @Test
    void aDatabaseDropCountsForTheTransactionThatCommitsIt() {
        feed(Records.noBlock(960, TransactionTracker.RM_DBASE, 0x20, Records.dbaseDrop(16395)));
        commit(960);
        assertEquals(List.of(16395L), committed.get(0).droppedDatabases());
    }

    @Test
    void aPreparedTransactionCountsUnderItsOwnXidWhenCommitPreparedNamesIt() {
        feed(Records.withBlock(970, HEAP, DELETE, ORDERS, Records.heapDelete(0)));
        feed(Records.noBlock(0, XACT, COMMIT_PREPARED, Records.xact(AT, new long[0], new RelFile[0], new long[0][], 0, 970L)));
        assertEquals(970, committed.get(0).xid());
        assertEquals(Map.of(ORDERS, 1L), committed.get(0).deleted());
    }

    @Test
    void runningXactsForgetsTransactionsThatEndedUnseenAndMarksWhereCountsBecomeComplete() {
        feed(Records.withBlock(990, HEAP, DELETE, ORDERS, Records.heapDelete(0))); // its commit never seen (e.g. over 1 MB)
        feed(Records.noBlock(0, TransactionTracker.RM_STANDBY, 0x10, Records.runningXacts(1000, 995)));
        assertEquals(0, tracker.pendingTransactions());
        feed(Records.withBlock(996, HEAP, DELETE, ORDERS, Records.heapDelete(0)));
        commit(996);
        feed(Records.withBlock(1000, HEAP, DELETE, ORDERS, Records.heapDelete(0)));
        commit(1000);
        assertFalse(committed.get(0).countsComplete(), "996 was running when the scan learnt where complete xids begin");
        assertTrue(committed.get(1).countsComplete());
    }

    @Test
    void theEndOfABaseBackupIsReportedForACatalogSnapshot() {
        int[] ended = {0};
        TransactionTracker t = new TransactionTracker(c -> { }, () -> ended[0]++);
        byte[] backupEnd = Records.noBlock(0, TransactionTracker.RM_XLOG, 0x50, new byte[8]);
        assertTrue(t.wants(TransactionTracker.RM_XLOG, 0x50));
        t.record(new Lsn(0x5000000), backupEnd, backupEnd.length);
        assertEquals(1, ended[0]);
        assertFalse(t.wants(TransactionTracker.RM_XLOG, 0x10), "checkpoints are not read");
    }

    @Test
    void xidsCompareModuloTwoToThe32() {
        assertTrue(TransactionTracker.precedes(0xFFFFFFF0L, 5));
        assertFalse(TransactionTracker.precedes(5, 0xFFFFFFF0L));
        assertTrue(TransactionTracker.precedes(100, 101));
    }

    @Test
    void aRecordWhoseBlockHeadersDoNotAddUpIsIgnored() {
        byte[] r = Records.withBlock(1100, HEAP, DELETE, ORDERS, Records.heapDelete(0));
        r[24 + 2] = 50; // block data length 50 that the record does not hold
        feed(r);
        commit(1100);
        assertEquals(1, committed.size());
        assertFalse(committed.get(0).destructive(), "the damaged delete is not counted: " + committed);
    }

    @Test
    void onlyTheRecordsItReadsAreAskedFor() {
        assertTrue(tracker.wants(HEAP, DELETE));
        assertFalse(tracker.wants(HEAP, 0x00), "inserts are not read");
        assertFalse(tracker.wants(2, 0x20), "smgr truncate (vacuum) is not TRUNCATE TABLE");
        assertFalse(tracker.wants(TransactionTracker.RM_DBASE, 0x10), "a database created is not destroyed");
        assertFalse(tracker.wants(9, 0x50), "heap2 is not read");
    }
}
