package io.tideline.archiver.changes;

import io.tideline.archiver.wal.ServerConnections;
import io.tideline.archiver.wal.WalIndex;
import io.tideline.core.changes.CatalogSnapshot;
import io.tideline.core.changes.ChangeIndex;
import io.tideline.core.changes.DroppedDatabase;
import io.tideline.core.changes.DroppedRelation;
import io.tideline.core.changes.IndexedTransaction;
import io.tideline.core.changes.RelationRows;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalRecordSink;
import io.tideline.core.wal.WalSegmentName;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The undo finder's side of one stream session: takes the records the WAL scan copies for it
 * ({@link #sink()}), and each time the pump has stored a WAL object, stores that object's change index
 * ({@code changes/<timeline>/<segment>[.partial].json}) naming what the transactions committed in it destroyed.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A transaction belongs to the WAL object that holds the end of its commit record; it is written into
 *       the partial indexes of that segment from then on and into the complete segment's index, which replaces
 *       the partial's (removed). A partial that brings no new transaction (nor better names) keeps the partial
 *       index already stored in this session: it is not written again.</li>
 *   <li>The index follows its WAL object, never precedes it: it is written only after the pump's upload was
 *       confirmed. Its failure is logged and never holds the WAL back; the next object's index is written as usual
 *       (a complete segment whose index could not be written stays without one: {@code changes} says so).</li>
 *   <li>Names come from {@link RelationNames}: the newest stored snapshot when the session starts, a fresh one
 *       at once, one after each base backup (its {@code XLOG_BACKUP_END} record), and another after a commit that changed the catalog (it carried invalidation messages: DDL)
 *       at most every {@link ChangeIndexSettings#catalogRefreshInterval()}, or when a file to name is unknown, at most
 *       every second.
 *       Every snapshot taken is stored in the bucket ({@code catalog/<lsn>.json}), unless it names the same
 *       relations as the newest one there.</li>
 *   <li>A stream resumed inside a segment carries over the transactions of that segment's stored partial
 *       index that end before the resume point.</li>
 * </ul>
 * Used by the stream's thread only.
 */
public final class ChangeIndexer implements WalIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeIndexer.class);
    /** The shortest time between two snapshots taken because a file to name is unknown. */
    static final Duration UNKNOWN_FILE_REFRESH = Duration.ofSeconds(1);
    /** How many complete segments with unnamed files are kept to be written again (older ones keep their numbers). */
    static final int MAX_UNNAMED_SEGMENTS = 8;

    /** What a complete segment's index was made of, to write it again with better names. */
    private record Written(Lsn from, Lsn upTo, List<IndexedTransaction> carried, List<CommittedTransaction> transactions, int unknown) {
        Written withUnknown(int fewer) {
            return new Written(from, upTo, carried, transactions, fewer);
        }
    }

    /**
     * What this session last stored as a segment's partial index. A later partial of the same segment with no new
     * transaction (an idle instance's heartbeat, a checkpoint) needs no new index: readers take the transactions
     * of a partial index and only ask whether a stored partial has one (issue 18: an idle instance's S3 requests).
     */
    private record PartialIndexed(WalSegmentName segment, int transactions, int unknown) {
    }

    /** Reads the server's catalog. */
    public interface Catalog {
        CatalogSnapshot take() throws SQLException;
    }

    private final ObjectStore store;
    private final BucketLayout layout;
    private final long timeline;
    private final Lsn sessionStart;
    private final Catalog catalog;
    private final ChangeIndexSettings settings;
    private final Clock clock;
    private final TransactionTracker tracker = new TransactionTracker(this::committed, () -> backupEnded = true);
    private final NavigableMap<Lsn, CommittedTransaction> waiting = new TreeMap<>();
    private final RelationNames names = new RelationNames();
    private final Executor snapshots;
    /** Snapshots taken by {@link #snapshots}, for the stream's thread to add to {@link #names}. */
    private final Queue<CatalogSnapshot> taken = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean snapshotRunning = new AtomicBoolean();
    /** Complete segments indexed with files no snapshot knew yet: written again once a snapshot names them. */
    private final Map<WalSegmentName, Written> unnamed = new LinkedHashMap<>();
    private List<IndexedTransaction> carried;
    /** Where the scan of the resumed segment began: the stored partial index's own start, if there was one. */
    private Lsn carriedFrom;
    private Lsn catalogChangedAt;
    private PartialIndexed partialIndexed;
    /** The newest snapshot in the bucket, as read at the start or stored since; written by the snapshot thread. */
    private volatile CatalogSnapshot newestStored;
    private Instant lastRefresh;
    /** A base backup ended since the last snapshot: the next store takes one, whatever the interval. */
    private boolean backupEnded;

    /**
     * @param snapshots runs catalog snapshots off the stream's thread (each costs a connection per database);
     *                  {@code Runnable::run} in tests
     */
    public ChangeIndexer(ObjectStore store, BucketLayout layout, long timeline, Lsn sessionStart, Catalog catalog,
                         ChangeIndexSettings settings, Clock clock, Executor snapshots) {
        this.snapshots = snapshots;
        this.store = store;
        this.layout = layout;
        this.timeline = timeline;
        this.sessionStart = sessionStart;
        this.catalog = catalog;
        this.settings = settings;
        this.clock = clock;
    }

    /** The production catalog: the instance's own server, read with the stream's role. */
    public static Catalog serverCatalog(ServerConnections connections, Clock clock) {
        return new CatalogReader(connections, clock);
    }

    /** What the WAL scan hands the records it copies for the index to. */
    @Override
    public WalRecordSink sink() {
        return tracker;
    }

    /** Loads the newest stored catalog snapshot and asks for a fresh one; neither failing stops the stream. */
    public void start() {
        try {
            List<StoredObject> stored = store.list(layout.catalogPrefix());
            for (int i = stored.size() - 1; i >= 0; i--) {
                if (layout.parse(stored.get(i).key()) instanceof ObjectKind.CatalogSnapshot) {
                    newestStored = CatalogSnapshot.parse(store.getVerified(stored.get(i).key()));
                    names.add(newestStored);
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: stored catalog snapshot not read (names start from a fresh one): {}", store.bucket(), e.getMessage());
        }
        requestSnapshot();
    }

    /** Asks for a catalog snapshot, taken and stored off the stream's thread; at most one at a time. */
    private void requestSnapshot() {
        lastRefresh = clock.instant();
        if (!snapshotRunning.compareAndSet(false, true)) {
            return;
        }
        try {
            snapshots.execute(() -> {
                try {
                    CatalogSnapshot snapshot = catalog.take();
                    CatalogSnapshot before = newestStored;
                    if (before == null || !sameCatalog(before, snapshot)) {
                        store.put(layout.catalogSnapshot(snapshot.lsn()), snapshot.toJson(), Map.of());
                        newestStored = snapshot;
                    }
                    taken.add(snapshot);
                } catch (SQLException | RuntimeException e) {
                    LOG.warn("{}: catalog snapshot failed (relations stay unnamed until the next one): {}", store.bucket(), e.getMessage());
                } finally {
                    snapshotRunning.set(false);
                }
            });
        } catch (RejectedExecutionException e) {
            snapshotRunning.set(false); // shutting down
        }
    }

    /**
     * Whether two snapshots name the same relations: then the stored one serves as well, and a stream session's
     * start (every stream of a restarted replica) stores no copy of it (issue 18). Only the archiver reads snapshots
     * back (the newest), and retention always keeps the newest.
     */
    static boolean sameCatalog(CatalogSnapshot a, CatalogSnapshot b) {
        if (a.databases().size() != b.databases().size()) {
            return false;
        }
        for (int i = 0; i < a.databases().size(); i++) {
            CatalogSnapshot.Database x = a.databases().get(i);
            CatalogSnapshot.Database y = b.databases().get(i);
            if (x.oid() != y.oid() || !x.name().equals(y.name())
                    || !new java.util.HashSet<>(x.relations()).equals(new java.util.HashSet<>(y.relations()))) {
                return false;
            }
        }
        return true;
    }

    /** Adds the snapshots taken since, and writes again the indexes they name better. */
    private void addTakenSnapshots() {
        boolean added = false;
        for (CatalogSnapshot s = taken.poll(); s != null; s = taken.poll()) {
            names.add(s);
            added = true;
        }
        if (added && !unnamed.isEmpty()) {
            for (WalSegmentName segment : List.copyOf(unnamed.keySet())) {
                Written w = unnamed.get(segment);
                int unknown = unknownFiles(w.transactions());
                if (unknown < w.unknown()) {
                    store.put(layout.changeIndex(segment, false), build(segment, w, false).toStored(), Map.of());
                    unnamed.put(segment, w.withUnknown(unknown));
                }
                if (unknown == 0) {
                    unnamed.remove(segment);
                }
            }
        }
    }

    /**
     * The pump stored {@code segment} up to {@code end} (complete: its whole length): store the index of the
     * transactions committed in it. Never throws.
     */
    @Override
    public void stored(WalSegmentName segment, Lsn end, boolean complete) {
        try {
            addTakenSnapshots();
            Lsn upTo = complete ? segment.endLsn() : Lsn.min(end, segment.endLsn());
            NavigableMap<Lsn, CommittedTransaction> in = waiting.subMap(segment.startLsn(), false, upTo, true);
            refreshIfDue(in);
            addTakenSnapshots();
            List<CommittedTransaction> transactions = List.copyOf(in.values());
            Written written = new Written(segment.contains(sessionStart) ? null : segment.startLsn(), upTo, carriedOver(segment),
                    transactions, unknownFiles(transactions));
            PartialIndexed now = new PartialIndexed(segment, transactions.size(), written.unknown());
            if (!complete && now.equals(partialIndexed)) {
                return; // the stored partial index already lists every transaction of the segment, as well named
            }
            store.put(layout.changeIndex(segment, !complete), build(segment, written, !complete).toStored(), Map.of());
            partialIndexed = complete ? null : now;
            if (complete) {
                in.clear();
                store.delete(layout.changeIndex(segment, true));
                if (written.unknown() > 0) {
                    unnamed.put(segment, written);
                    if (unnamed.size() > MAX_UNNAMED_SEGMENTS) {
                        unnamed.remove(unnamed.keySet().iterator().next());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: change index of {} not stored (the WAL is): {}", store.bucket(), segment, e.getMessage());
        }
    }

    private ChangeIndex build(WalSegmentName segment, Written w, boolean partial) {
        List<IndexedTransaction> indexed = new ArrayList<>(w.carried());
        w.transactions().forEach(t -> indexed.add(index(t)));
        indexed.sort(Comparator.comparing(IndexedTransaction::commitEnd));
        Lsn from = w.from() != null ? w.from() : carriedFrom;
        return ChangeIndex.of(timeline, segment.toString(), partial, from, w.upTo(), indexed);
    }

    /** How many files of these transactions' rows and drops no snapshot has named. */
    private int unknownFiles(List<CommittedTransaction> transactions) {
        int unknown = 0;
        for (CommittedTransaction t : transactions) {
            unknown += (int) t.deleted().keySet().stream().filter(f -> !names.knows(f)).count();
            unknown += (int) t.updated().keySet().stream().filter(f -> !names.knows(f)).count();
            unknown += (int) t.droppedFiles().stream().filter(f -> !names.knows(f)).count();
        }
        return unknown;
    }

    private void committed(CommittedTransaction t) {
        if (t.catalogChanged()) {
            catalogChangedAt = t.commitEnd();
        }
        if (t.destructive()) {
            waiting.put(t.commitEnd(), t);
        }
    }

    private void refreshIfDue(Map<Lsn, CommittedTransaction> toWrite) {
        boolean changed = catalogChangedAt != null && (names.newest().isEmpty() || catalogChangedAt.isAfter(names.newest().get()));
        boolean unknown = toWrite.values().stream().anyMatch(t -> t.deleted().keySet().stream().anyMatch(f -> !names.knows(f))
                || t.updated().keySet().stream().anyMatch(f -> !names.knows(f)))
                || !unnamed.isEmpty();
        // A file to name that no snapshot knows is a relation created since the last one: worth a snapshot sooner
        // than a mere catalog change (whose new relations may never see a DELETE).
        Duration wait = unknown ? UNKNOWN_FILE_REFRESH.compareTo(settings.catalogRefreshInterval()) < 0
                ? UNKNOWN_FILE_REFRESH : settings.catalogRefreshInterval() : settings.catalogRefreshInterval();
        if (backupEnded || (changed || unknown) && !clock.instant().isBefore(lastRefresh.plus(wait))) {
            backupEnded = false;
            requestSnapshot();
        }
    }

    /** On the first store of the segment the session resumed in: what its stored partial index held before the resume point. */
    private List<IndexedTransaction> carriedOver(WalSegmentName segment) {
        if (!segment.contains(sessionStart)) {
            return List.of();
        }
        if (carried == null) {
            carried = List.of();
            carriedFrom = sessionStart;
            if (sessionStart.equals(segment.startLsn())) {
                return carried;
            }
            try {
                ChangeIndex before = ChangeIndex.parseStored(store.getVerified(layout.changeIndex(segment, true)));
                carried = before.transactions().stream().filter(t -> !t.commitEnd().isAfter(sessionStart)).toList();
                carriedFrom = before.from();
            } catch (NoSuchObjectException e) {
                // nothing was indexed in this segment before
            } catch (RuntimeException e) {
                LOG.warn("{}: partial change index of {} not read; its transactions before {} are not carried over: {}",
                        store.bucket(), segment, sessionStart, e.getMessage());
            }
        }
        return carried;
    }

    private IndexedTransaction index(CommittedTransaction t) {
        List<RelationRows> deleted = rows(t.deleted());
        List<RelationRows> updated = rows(t.updated());
        List<DroppedRelation> dropped = t.droppedFiles().stream().map(f -> new DroppedRelation(names.resolve(f), fate(t, f))).toList();
        List<DroppedDatabase> databases = t.droppedDatabases().stream()
                .map(oid -> new DroppedDatabase(oid, names.databaseName(oid).orElse(null))).toList();
        return new IndexedTransaction(timeline, t.xid(), t.commitEnd(), t.committedAt(), t.countsComplete(), deleted, updated,
                dropped, databases);
    }

    private List<RelationRows> rows(Map<RelFile, Long> counts) {
        return counts.entrySet().stream()
                .map(e -> new RelationRows(names.resolve(e.getKey()), e.getValue()))
                .sorted(Comparator.comparingLong(RelationRows::rows).reversed())
                .toList();
    }

    /**
     * PostgreSQL 15 commit records list the statistics of the relations that ceased to exist: a removed file
     * whose relation is among them was dropped; one whose relation is not lives on in a new file (TRUNCATE or
     * a rewrite). A file no snapshot named is judged by its number (a relation's first file has its oid).
     */
    private DroppedRelation.Fate fate(CommittedTransaction t, RelFile f) {
        Optional<Long> oid = names.oidOf(f);
        long relation = oid.orElse(f.relfilenode());
        if (t.droppedRelationOids().contains(new CommittedTransaction.DatabaseObject(f.database(), relation))) {
            return DroppedRelation.Fate.DROPPED;
        }
        return oid.isPresent() ? DroppedRelation.Fate.TRUNCATED : DroppedRelation.Fate.DROPPED_OR_TRUNCATED;
    }
}
