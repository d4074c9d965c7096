package io.tideline.archiver.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.changes.CatalogSnapshot;
import io.tideline.core.changes.ChangeIndex;
import io.tideline.core.changes.ChangeIndexReader;
import io.tideline.core.changes.DroppedRelation;
import io.tideline.core.changes.IndexedTransaction;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.storage.InMemoryObjectStore;
import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The index objects the archiver stores beside the WAL, named from catalog snapshots, read back as {@code changes} reads them. */
class ChangeIndexerTest {

    private static final long SIZE = 16L << 20;
    private static final BucketLayout LAYOUT = BucketLayout.forSegmentSize(SIZE);
    private static final WalSegmentName SEGMENT = WalSegmentName.of(1, new Lsn(3 * SIZE), SIZE);
    private static final RelFile ORDERS = new RelFile(1663, 5, 16384);
    private static final RelFile ORDERS_TOAST = new RelFile(1663, 5, 16387);
    private static final RelFile LOG = new RelFile(1663, 5, 16400);
    private static final int COMMIT = 0x80;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final InMemoryObjectStore store = new InMemoryObjectStore("tideline-undo", ObjectStoreSettings.MIN_PART_SIZE, clock);
    private final Deque<CatalogSnapshot> catalogs = new ArrayDeque<>();
    private final ChangeIndexer indexer = new ChangeIndexer(store, LAYOUT, 1, SEGMENT.startLsn(), () -> catalogs.isEmpty()
            ? snapshot(SEGMENT.startLsn().plus(1 << 20), false) : catalogs.pop(), new ChangeIndexSettings(true, Duration.ofSeconds(10)), clock, Runnable::run);

    private static CatalogSnapshot snapshot(Lsn at, boolean withOrders) {
        List<CatalogSnapshot.CatalogRelation> relations = new java.util.ArrayList<>();
        if (withOrders) {
            relations.add(new CatalogSnapshot.CatalogRelation(16384, 0, 16384, "public", "orders", "r"));
            relations.add(new CatalogSnapshot.CatalogRelation(16386, 0, 16387, "pg_toast", "pg_toast_16384", "t"));
        }
        relations.add(new CatalogSnapshot.CatalogRelation(16399, 0, 16400, "public", "log", "r"));
        return CatalogSnapshot.of(at, Instant.parse("2026-12-07T10:00:00Z"), List.of(new CatalogSnapshot.Database(5, "shop", relations)));
    }

    private void record(long at, byte[] record) {
        if (indexer.sink().wants(record[17] & 0xff, record[16] & 0xff)) {
            indexer.sink().record(SEGMENT.startLsn().plus(at), record, record.length);
        }
    }

    @Test
    void aDeleteIsIndexedInThePartialThenInTheCompleteSegmentWithItsTableName() {
        catalogs.add(snapshot(SEGMENT.startLsn().plus(100), true));
        indexer.start();
        assertEquals(1, store.list(LAYOUT.catalogPrefix()).size(), "the snapshot taken at the start is stored");
        record(150, Records.noBlock(0, TransactionTracker.RM_STANDBY, 0x10, Records.runningXacts(4711, 4711))); // counts complete from 4711 on
        for (int i = 0; i < 39_978; i++) {
            record(200, Records.withBlock(4711, TransactionTracker.RM_HEAP, 0x10, ORDERS, Records.heapDelete(0)));
        }
        record(300, Records.withBlock(4711, TransactionTracker.RM_HEAP, 0x10, ORDERS_TOAST, Records.heapDelete(0)));
        record(400, Records.noBlock(4711, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:14:03.217Z"),
                new long[0], new RelFile[0], new long[0][], 0, null)));
        indexer.stored(SEGMENT, SEGMENT.startLsn().plus(500), false);

        ChangeIndex partial = ChangeIndex.parseStored(store.get(LAYOUT.changeIndex(SEGMENT, true)));
        assertTrue(partial.partial());
        IndexedTransaction t = partial.transactions().get(0);
        assertEquals("xid 4711 at 2026-12-07T10:14:03.217Z deleted 39,978 rows of public.orders", t.sentence());
        assertEquals(39_978, t.largestRowCount(), "TOAST chunks are not rows of the table");

        indexer.stored(SEGMENT, SEGMENT.endLsn(), true);
        assertFalse(store.head(LAYOUT.changeIndex(SEGMENT, true)).isPresent(), "the partial's index goes with the partial");
        ChangeIndexReader.Result read = new ChangeIndexReader(LAYOUT).read(store, Optional.empty());
        assertEquals(List.of(t), read.transactions());
        assertTrue(read.problems().isEmpty());
        assertTrue(new ChangeIndexReader(LAYOUT).read(store, Optional.of(Instant.parse("2026-12-07T10:14:04Z"))).transactions().isEmpty());
    }

    /** Issue 18: an idle instance's heartbeat partials cost one PUT (the WAL), not two. */
    @Test
    void aPartialWithoutANewTransactionKeepsThePartialIndexAlreadyStored() {
        catalogs.add(snapshot(SEGMENT.startLsn().plus(100), true));
        indexer.start();
        record(200, Records.withBlock(4711, TransactionTracker.RM_HEAP, 0x10, ORDERS, Records.heapDelete(0)));
        record(300, Records.noBlock(4711, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:14:03Z"),
                new long[0], new RelFile[0], new long[0][], 0, null)));
        indexer.stored(SEGMENT, SEGMENT.startLsn().plus(500), false);
        assertEquals(SEGMENT.startLsn().plus(500), ChangeIndex.parseStored(store.get(LAYOUT.changeIndex(SEGMENT, true))).to());

        // a heartbeat's commit: nothing destroyed, so nothing new to list
        record(700, Records.noBlock(4712, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:19:03Z"),
                new long[0], new RelFile[0], new long[0][], 0, null)));
        indexer.stored(SEGMENT, SEGMENT.startLsn().plus(800), false);
        assertEquals(SEGMENT.startLsn().plus(500), ChangeIndex.parseStored(store.get(LAYOUT.changeIndex(SEGMENT, true))).to(),
                "not written again");

        record(900, Records.withBlock(4713, TransactionTracker.RM_HEAP, 0x10, ORDERS, Records.heapDelete(0)));
        record(950, Records.noBlock(4713, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:20:00Z"),
                new long[0], new RelFile[0], new long[0][], 0, null)));
        indexer.stored(SEGMENT, SEGMENT.startLsn().plus(1000), false);
        ChangeIndex third = ChangeIndex.parseStored(store.get(LAYOUT.changeIndex(SEGMENT, true)));
        assertEquals(SEGMENT.startLsn().plus(1000), third.to(), "a new transaction: written again");
        assertEquals(2, third.transactions().size());
        assertEquals(2, new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions().size());
    }

    /** Issue 18: a restarted replica's thousand session starts store no copies of unchanged catalogs. */
    @Test
    void aSessionStartStoresNoSnapshotThatNamesNothingNew() {
        catalogs.add(snapshot(SEGMENT.startLsn().plus(100), true));
        indexer.start();
        assertEquals(1, store.list(LAYOUT.catalogPrefix()).size());

        Deque<CatalogSnapshot> later = new ArrayDeque<>(List.of(snapshot(SEGMENT.startLsn().plus(900), true)));
        new ChangeIndexer(store, LAYOUT, 1, SEGMENT.startLsn().plus(900), later::pop, new ChangeIndexSettings(true, Duration.ofSeconds(10)),
                clock, Runnable::run).start();
        assertEquals(1, store.list(LAYOUT.catalogPrefix()).size(), "the same relations: the stored snapshot serves");

        Deque<CatalogSnapshot> changed = new ArrayDeque<>(List.of(snapshot(SEGMENT.startLsn().plus(1000), false)));
        new ChangeIndexer(store, LAYOUT, 1, SEGMENT.startLsn().plus(1000), changed::pop, new ChangeIndexSettings(true, Duration.ofSeconds(10)),
                clock, Runnable::run).start();
        assertEquals(2, store.list(LAYOUT.catalogPrefix()).size(), "a dropped table: stored");
    }

    @Test
    void aDroppedTableKeepsTheNameItHadBeforeTheDropAndATruncatedOneIsToldApart() {
        catalogs.add(snapshot(SEGMENT.startLsn().plus(100), true));
        catalogs.add(snapshot(SEGMENT.startLsn().plus(900), false)); // after the drop: orders is gone from the catalog
        indexer.start();
        record(500, Records.noBlock(5000, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:20:00Z"),
                new long[0], new RelFile[] {ORDERS, ORDERS_TOAST}, new long[][] {{2, 5, 16384}, {2, 5, 16386}}, 4, null)));
        record(600, Records.noBlock(5001, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:21:00Z"),
                new long[0], new RelFile[] {LOG}, new long[0][], 2, null)));
        clock.advance(Duration.ofSeconds(11)); // the catalog changed: a new snapshot is due
        indexer.stored(SEGMENT, SEGMENT.endLsn(), true);

        List<IndexedTransaction> read = new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions();
        assertEquals(2, read.size());
        assertEquals(List.of("dropped public.orders"), read.get(0).phrases(), "the TOAST table's drop is not shown on its own");
        assertEquals(DroppedRelation.Fate.DROPPED, read.get(0).droppedRelations().get(0).fate());
        assertEquals(List.of("truncated (or rewrote) public.log"), read.get(1).phrases());
        assertEquals(2, store.list(LAYOUT.catalogPrefix()).size(), "the refreshed snapshot is stored too");
    }

    @Test
    void aFileNoSnapshotKnewIsListedByNumber() {
        indexer.start();
        RelFile unknown = new RelFile(1663, 5, 17000);
        record(200, Records.withBlock(6000, TransactionTracker.RM_HEAP, 0x10, unknown, Records.heapDelete(0)));
        record(300, Records.noBlock(6000, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:30:00Z"),
                new long[0], new RelFile[0], new long[0][], 0, null)));
        indexer.stored(SEGMENT, SEGMENT.endLsn(), true);
        IndexedTransaction t = new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions().get(0);
        assertEquals(List.of("deleted 1 row of relation file 1663/5/17000 (name unknown)"), t.phrases());
    }

    @Test
    void snapshotsAreTakenOffTheStreamAndAnIndexWrittenBeforeOneNamedItIsWrittenAgain() {
        Deque<Runnable> later = new ArrayDeque<>();
        catalogs.add(snapshot(SEGMENT.startLsn().plus(100), false)); // taken at the start: orders does not exist yet
        catalogs.add(snapshot(SEGMENT.startLsn().plus(900), true));
        ChangeIndexer indexer = new ChangeIndexer(store, LAYOUT, 1, SEGMENT.startLsn(), catalogs::pop,
                new ChangeIndexSettings(true, Duration.ofSeconds(10)), clock, later::add);
        indexer.start();
        assertEquals(0, store.list(LAYOUT.catalogPrefix()).size(), "nothing taken on the stream's thread");
        later.pop().run();
        byte[] delete = Records.withBlock(8000, TransactionTracker.RM_HEAP, 0x10, ORDERS, Records.heapDelete(0));
        indexer.sink().record(SEGMENT.startLsn().plus(200), delete, delete.length);
        byte[] commit = Records.noBlock(8000, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:50:00Z"),
                new long[0], new RelFile[0], new long[0][], 0, null));
        indexer.sink().record(SEGMENT.startLsn().plus(300), commit, commit.length);
        clock.advance(Duration.ofSeconds(2));
        indexer.stored(SEGMENT, SEGMENT.endLsn(), true); // unknown file: a snapshot is asked for, not awaited
        assertEquals(List.of("deleted 1 row of relation file 1663/5/16384 (name unknown)"),
                new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions().get(0).phrases());
        later.pop().run();
        indexer.stored(SEGMENT.next(), SEGMENT.next().startLsn().plus(100), false);
        assertEquals(List.of("deleted 1 row of public.orders"),
                new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions().get(0).phrases(),
                "the complete segment's index is written again once a snapshot names the file");
    }

    @Test
    void aCatalogThatCannotBeReadCostsNamesNotTheIndex() {
        ChangeIndexer failing = new ChangeIndexer(store, LAYOUT, 1, SEGMENT.startLsn(), () -> {
            throw new java.sql.SQLException("connection refused");
        }, ChangeIndexSettings.defaults(), clock, Runnable::run);
        failing.start();
        byte[] del = Records.withBlock(7000, TransactionTracker.RM_HEAP, 0x10, ORDERS, Records.heapDelete(0));
        failing.sink().record(SEGMENT.startLsn().plus(20), del, del.length);
        byte[] commit = Records.noBlock(7000, TransactionTracker.RM_XACT, COMMIT, Records.xact(Instant.parse("2026-12-07T10:40:00Z"),
                new long[0], new RelFile[0], new long[0][], 0, null));
        failing.sink().record(SEGMENT.startLsn().plus(30), commit, commit.length);
        failing.stored(SEGMENT, SEGMENT.endLsn(), true);
        assertEquals(1, new ChangeIndexReader(LAYOUT).read(store, Optional.empty()).transactions().size());
    }
}
