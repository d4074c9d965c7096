package io.tideline.archiver.wal;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an instance's bucket says is stored of its WAL: complete segments, partial segments with
 * how far each reaches (from its metadata), and timeline history files. Read from the bucket at
 * the start of every stream session, because the bucket, not the archiver's memory, is the truth.
 *
 * @param complete  complete segments
 * @param partials  partial segments and the end of the WAL each holds
 * @param histories timelines whose history file is stored
 */
record StoredWal(NavigableSet<WalSegmentName> complete, Map<WalSegmentName, Lsn> partials, Set<Long> histories) {

    StoredWal {
        complete = new TreeSet<>(complete);
        partials = new TreeMap<>(partials);
        histories = Set.copyOf(histories);
    }

    static StoredWal empty() {
        return new StoredWal(new TreeSet<>(), Map.of(), Set.of());
    }

    /**
     * Lists {@code wal/} and reads the metadata of every partial object (there is normally one per
     * timeline). A partial without readable WAL metadata was not written by this archiver and is ignored.
     */
    static StoredWal read(ObjectStore store, BucketLayout layout) {
        return of(store, layout, store.list(layout.walPrefix()));
    }

    /**
     * What a resuming stream needs, without listing the whole {@code wal/} prefix (issue 18: seven days
     * of WAL is thousands of keys, listed at every session start of every stream). The slot says where
     * the server's WAL begins, and it is only ever moved to what the bucket confirmed; so the bucket is
     * listed from the segment before the slot's restart segment on ({@code start-after}), and the
     * history files of the server's timelines are looked up one by one. Objects left out of that listing
     * reach at most the start of the segment before the restart segment, so whenever the listed ones
     * reach the restart segment, the plan is the one a whole listing gives. When they do not (a new
     * slot, one made again after invalidation, a gap, a bucket emptied) this falls back to the whole
     * listing, which also finds the gap. Partials left stale before the listed range are not seen (they
     * are harmless; the whole listing of a later fallback or retention removes them).
     */
    static StoredWal readFrom(ObjectStore store, BucketLayout layout, TimelineHistory history, Lsn slotRestart) {
        long segmentSize = layout.walSegmentSize();
        Lsn restartSegment = StreamPlanner.segmentStart(slotRestart, segmentSize);
        if (restartSegment.compareTo(new Lsn(2 * segmentSize)) < 0) {
            return read(store, layout); // nothing before it worth skipping
        }
        Lsn previous = restartSegment.minus(segmentSize);
        WalSegmentName from = WalSegmentName.of(history.timelineAt(previous), previous, segmentSize);
        // Every key of segment `from` (complete or partial) and after sorts after its bare name.
        String startAfter = layout.walTimelinePrefix(from.timeline()) + from;
        StoredWal listed = of(store, layout, store.listAfter(layout.walPrefix(), startAfter));
        if (StreamPlanner.reach(listed, history, segmentSize).filter(r -> r.compareTo(restartSegment) >= 0).isEmpty()) {
            return read(store, layout);
        }
        Set<Long> histories = new java.util.HashSet<>(listed.histories());
        for (long tli : history.timelines()) {
            if (tli > 1 && !histories.contains(tli) && store.head(layout.timelineHistory(tli)).isPresent()) {
                histories.add(tli);
            }
        }
        return new StoredWal(listed.complete(), listed.partials(), histories);
    }

    private static StoredWal of(ObjectStore store, BucketLayout layout, java.util.List<StoredObject> objects) {
        TreeSet<WalSegmentName> complete = new TreeSet<>();
        TreeMap<WalSegmentName, Lsn> partials = new TreeMap<>();
        Set<Long> histories = new java.util.HashSet<>();
        for (StoredObject listed : objects) {
            ObjectKind kind = layout.parse(listed.key());
            if (kind instanceof ObjectKind.WalSegment s) {
                complete.add(s.segment());
            } else if (kind instanceof ObjectKind.WalPartial p) {
                store.head(listed.key()).flatMap(StoredWal::partialEnd).ifPresent(end -> partials.put(p.segment(), end));
            } else if (kind instanceof ObjectKind.TimelineHistory h) {
                histories.add(h.timeline());
            }
        }
        return new StoredWal(complete, partials, histories);
    }

    private static Optional<Lsn> partialEnd(StoredObject object) {
        try {
            return Optional.of(WalObjectMetadata.from(object).endLsn());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Partials whose complete segment is stored too: left over by a crash between the two writes. */
    Set<WalSegmentName> stalePartials() {
        Set<WalSegmentName> stale = new TreeSet<>();
        for (WalSegmentName partial : partials.keySet()) {
            if (complete.contains(partial)) {
                stale.add(partial);
            }
        }
        return stale;
    }

    StoredWal withComplete(WalSegmentName segment) {
        TreeSet<WalSegmentName> more = new TreeSet<>(complete);
        more.add(Objects.requireNonNull(segment));
        return new StoredWal(more, partials, histories);
    }

    StoredWal withPartial(WalSegmentName segment, Lsn end) {
        TreeMap<WalSegmentName, Lsn> more = new TreeMap<>(partials);
        more.put(segment, end);
        return new StoredWal(complete, more, histories);
    }
}
