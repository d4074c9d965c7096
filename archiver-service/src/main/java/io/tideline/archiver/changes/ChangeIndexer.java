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
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
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
 *       every partial of that segment from then on and into the complete segment's index, which replaces
 *       the partial's (removed).</li>
 *   <li>The index follows its WAL object, never precedes it: it is written only after the pump's upload was
 *       confirmed. Its failure is logged and never holds the WAL back; the next object's index is written as usual
 *       (a complete segment whose index could not be written stays without one: {@code changes} says so).</li>
 *   <li>Names come from {@link RelationNames}: the newest stored snapshot when the session starts, a fresh one
 *       at once, one after each base backup (its {@code XLOG_BACKUP_END} record), and another after a commit that changed the catalog (it carried invalidation messages: DDL)
 *       at most every {@link ChangeIndexSettings#catalogRefreshInterval()}, or when a file to name is unknown, at most
 *       every second.
 *       Every snapshot taken is stored in the bucket ({@code catalog/<lsn>.json}).</li>
 *   <li>A stream resumed inside a segment carries over the transactions of that segment's stored partial
 *       index that end before the resume point.</li>
 * </ul>
 * Used by the stream's thread only.
 */
public final class ChangeIndexer implements WalIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ChangeIndexer.class);
    /** The shortest time between two snapshots taken because a file to name is unknown. */
    static final Duration UNKNOWN_FILE_REFRESH = Duration.ofSeconds(1);

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
    private List<IndexedTransaction> carried;
    /** Where the scan of the resumed segment began: the stored partial index's own start, if there was one. */
    private Lsn carriedFrom;
    private Lsn catalogChangedAt;
    private Instant lastRefresh;
    /** A base backup ended since the last snapshot: the next store takes one, whatever the interval. */
    private boolean backupEnded;

    public ChangeIndexer(ObjectStore store, BucketLayout layout, long timeline, Lsn sessionStart, Catalog catalog,
                         ChangeIndexSettings settings, Clock clock) {
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

    /** Loads the newest stored catalog snapshot and takes a fresh one; neither failing stops the stream. */
    public void start() {
        try {
            List<StoredObject> stored = store.list(layout.catalogPrefix());
            for (int i = stored.size() - 1; i >= 0; i--) {
                if (layout.parse(stored.get(i).key()) instanceof ObjectKind.CatalogSnapshot) {
                    names.add(CatalogSnapshot.parse(store.getVerified(stored.get(i).key())));
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: stored catalog snapshot not read (names start from a fresh one): {}", store.bucket(), e.getMessage());
        }
        refreshCatalog();
    }

    /** Takes, stores and adds a catalog snapshot (as at a base backup); false (logged) if the server could not be read. */
    public boolean refreshCatalog() {
        lastRefresh = clock.instant();
        try {
            CatalogSnapshot snapshot = catalog.take();
            store.put(layout.catalogSnapshot(snapshot.lsn()), snapshot.toJson(), Map.of());
            names.add(snapshot);
            return true;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("{}: catalog snapshot failed (relations stay unnamed until the next one): {}", store.bucket(), e.getMessage());
            return false;
        }
    }

    /**
     * The pump stored {@code segment} up to {@code end} (complete: its whole length): store the index of the
     * transactions committed in it. Never throws.
     */
    @Override
    public void stored(WalSegmentName segment, Lsn end, boolean complete) {
        try {
            Lsn upTo = complete ? segment.endLsn() : Lsn.min(end, segment.endLsn());
            NavigableMap<Lsn, CommittedTransaction> in = waiting.subMap(segment.startLsn(), false, upTo, true);
            refreshIfDue(in);
            List<IndexedTransaction> indexed = new ArrayList<>(carriedOver(segment));
            in.values().forEach(t -> indexed.add(index(t)));
            indexed.sort(Comparator.comparing(IndexedTransaction::commitEnd));
            Lsn from = segment.contains(sessionStart) ? carriedFrom : segment.startLsn();
            ChangeIndex index = ChangeIndex.of(timeline, segment.toString(), !complete, from, upTo, indexed);
            store.put(layout.changeIndex(segment, !complete), index.toStored(), Map.of());
            if (complete) {
                in.clear();
                store.delete(layout.changeIndex(segment, true));
            }
        } catch (RuntimeException e) {
            LOG.warn("{}: change index of {} not stored (the WAL is): {}", store.bucket(), segment, e.getMessage());
        }
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
                || t.updated().keySet().stream().anyMatch(f -> !names.knows(f)));
        // A file to name that no snapshot knows is a relation created since the last one: worth a snapshot sooner
        // than a mere catalog change (whose new relations may never see a DELETE).
        Duration wait = unknown ? UNKNOWN_FILE_REFRESH.compareTo(settings.catalogRefreshInterval()) < 0
                ? UNKNOWN_FILE_REFRESH : settings.catalogRefreshInterval() : settings.catalogRefreshInterval();
        if (backupEnded || (changed || unknown) && !clock.instant().isBefore(lastRefresh.plus(wait))) {
            backupEnded = false;
            refreshCatalog();
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
