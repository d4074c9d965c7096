package io.tideline.core.window;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * THE computation of what an instance's bucket can restore. Retention, restore validation and the
 * Backups view all use it, so they never disagree.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>History.</b> Restores replay along {@link TimelinePath}: the newest timeline and its
 *       ancestors. A backup counts only if its start LSN lies on that path.</li>
 *   <li><b>Which WAL object holds a position.</b> A stored WAL object of timeline T and segment S holds
 *       the bytes from S's start up to the lesser of its own end (the flushed end for a partial) and
 *       the LSN where T stops being the history (its child's branch point). It holds nothing if T is
 *       off the path, or if S lies wholly before T began (PostgreSQL never reads such a file). So the
 *       segment in which a timeline switch happens is read from the new timeline's copy (which starts
 *       with the parent's bytes), or, up to the branch point only, from the parent's copy. Where
 *       several objects hold a position the one reaching furthest is used (a complete segment beats
 *       its partial).</li>
 *   <li><b>Contiguity.</b> From a backup's start LSN the stored WAL is followed object by object; the
 *       first position no object holds ends it (a gap, a missing segment, the end of a partial).</li>
 *   <li><b>Restorable backup.</b> Complete (manifest stored), on the path, and its contiguous WAL
 *       reaches its end LSN. It restores every moment from its {@code finishedAt} to the
 *       {@code storedAt} of the WAL object where its contiguous WAL ends (see {@link WalEntry} for what
 *       that time means). The last object, not the latest-stored one, bounds it: a late re-upload of an
 *       old segment says nothing about newer commits.</li>
 *   <li><b>Window.</b> A moment is restorable if some restorable backup's interval contains it. The
 *       window is the union of those intervals: {@link #from()} is the end time of the oldest
 *       restorable backup, {@link #to()} the time of the newest WAL contiguously reachable from one. A
 *       WAL gap splits it into several {@link #ranges()}: after a gap only a backup taken after the gap
 *       restores.</li>
 * </ol>
 * Times are upper bounds taken from storage (see {@link WalEntry}), so the last seconds of the window
 * are best effort: a restore to {@link #to()} may end a little earlier than asked.
 *
 * <p><b>Damage.</b> {@link #of(BucketInventory, Damage)} treats every damaged object as absent: a backup
 * with a damaged manifest or part is unusable (the reason names the object), and a damaged WAL object holds
 * nothing, so contiguous WAL — and with it the window — is cut where it lies. Reasons name it too.
 */
public final class RestorableWindow {

    /** Intervals that touch to the nanosecond cover every moment between them and are merged. */
    private static final long ADJACENT_NANOS = 1;

    private final TimelinePath path;
    private final List<RestorableBackup> restorable;
    private final List<UnusableBackup> unusable;
    private final List<TimeRange> ranges;
    private final Damage damage;
    private final WalChains chains;

    private RestorableWindow(TimelinePath path, List<RestorableBackup> restorable, List<UnusableBackup> unusable,
                             Damage damage, WalChains chains) {
        this.path = path;
        this.damage = damage;
        this.chains = chains;
        this.restorable = List.copyOf(restorable);
        this.unusable = List.copyOf(unusable);
        this.ranges = merge(restorable.stream().map(RestorableBackup::interval).toList());
    }

    public static RestorableWindow of(BucketInventory inventory) {
        return of(inventory, Damage.none());
    }

    /** The window with every object of {@code damage} treated as absent (see the type's javadoc). */
    public static RestorableWindow of(BucketInventory inventory, Damage damage) {
        TimelinePath path = TimelinePath.of(inventory);
        WalChains chains = new WalChains(inventory, path, damage);
        List<RestorableBackup> ok = new ArrayList<>();
        List<UnusableBackup> not = new ArrayList<>();
        for (BackupEntry b : inventory.backups().stream().sorted(BackupEntry.OLDEST_FIRST).toList()) {
            if (!path.contains(b.timeline(), b.startLsn())) {
                not.add(new UnusableBackup(b, "taken on timeline " + b.timeline() + " at " + b.startLsn()
                        + ", which is not on the history of the newest timeline " + path.newest()));
                continue;
            }
            Optional<String> damaged = b.objectsInDeletionOrder().stream().map(ListedObject::key)
                    .filter(damage::contains).findFirst();
            if (damaged.isPresent()) {
                not.add(new UnusableBackup(b, "its object " + damaged.get() + " is damaged: "
                        + damage.reasonFor(damaged.get()).orElseThrow()));
                continue;
            }
            Optional<WalChains.Chain> chain = chains.from(b.startLsn());
            Lsn reached = chain.map(WalChains.Chain::reached).orElse(b.startLsn());
            if (chain.isEmpty() || reached.isBefore(b.endLsn())) {
                not.add(new UnusableBackup(b, "WAL from its start " + b.startLsn() + " to its end " + b.endLsn()
                        + " is not all stored: missing from " + reached + " (" + chains.describe(reached) + ")"));
                continue;
            }
            WalEntry last = chain.get().last();
            Instant until = last.storedAt().isAfter(b.finishedAt()) ? last.storedAt() : b.finishedAt();
            ok.add(new RestorableBackup(b, reached, last, until));
        }
        return new RestorableWindow(path, ok, not, damage, chains);
    }

    /** The damage this window was computed with (empty for {@link #of(BucketInventory)}). */
    public Damage damage() {
        return damage;
    }

    /**
     * Every place between {@code from} and {@code to} where the stored WAL along the history is not
     * contiguous, oldest first: what a restore replaying from {@code from} to {@code to} would miss.
     * Damaged objects count as missing and are named.
     */
    public List<WalHole> holesBetween(Lsn from, Lsn to) {
        List<WalHole> holes = new ArrayList<>();
        Lsn at = from;
        while (at.isBefore(to)) {
            Optional<WalChains.Chain> chain = chains.from(at);
            if (chain.isPresent()) {
                at = chain.get().reached();
                continue;
            }
            Lsn resumes = chains.nextSupplyAfter(at).filter(l -> l.isBefore(to)).orElse(to);
            holes.add(new WalHole(at, resumes, chains.segmentAt(at), chains.damagedAt(at)));
            at = resumes;
        }
        return List.copyOf(holes);
    }

    /** The end time of the oldest restorable backup; empty when nothing is restorable. */
    public Optional<Instant> from() {
        return ranges.isEmpty() ? Optional.empty() : Optional.of(ranges.get(0).from());
    }

    /** The newest moment restorable (what {@code latest} means); empty when nothing is restorable. */
    public Optional<Instant> to() {
        return ranges.isEmpty() ? Optional.empty() : Optional.of(ranges.get(ranges.size() - 1).to());
    }

    /** The restorable moments as disjoint ranges, oldest first; more than one means WAL gaps. */
    public List<TimeRange> ranges() {
        return ranges;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    public boolean isRestorable(Instant t) {
        return ranges.stream().anyMatch(r -> r.contains(t));
    }

    /** True when every moment of {@code range} is restorable. */
    public boolean covers(TimeRange range) {
        return ranges.stream().anyMatch(r -> r.contains(range));
    }

    /**
     * The backup to restore {@code target} from: the newest restorable backup (by {@link BackupEntry#OLDEST_FIRST})
     * that became consistent at or before the target and whose contiguous WAL reaches it.
     */
    public Optional<BackupEntry> backupFor(Instant target) {
        return restorableBackupFor(target).map(RestorableBackup::backup);
    }

    /** As {@link #backupFor(Instant)}, with how far that backup's WAL reaches. */
    public Optional<RestorableBackup> restorableBackupFor(Instant target) {
        return restorable.stream()
                .filter(r -> r.interval().contains(target))
                .max(Comparator.comparing(RestorableBackup::backup, BackupEntry.OLDEST_FIRST));
    }

    /** Restorable backups, oldest first. */
    public List<RestorableBackup> restorableBackups() {
        return restorable;
    }

    /** Complete backups that restore nothing, with the reason, oldest first. */
    public List<UnusableBackup> unusableBackups() {
        return unusable;
    }

    public TimelinePath timelinePath() {
        return path;
    }

    @Override
    public String toString() {
        return "RestorableWindow" + ranges;
    }

    private static List<TimeRange> merge(List<TimeRange> intervals) {
        List<TimeRange> sorted = intervals.stream().sorted(Comparator.comparing(TimeRange::from)).toList();
        List<TimeRange> merged = new ArrayList<>();
        for (TimeRange r : sorted) {
            if (!merged.isEmpty()) {
                TimeRange last = merged.get(merged.size() - 1);
                if (!r.from().isAfter(last.to().plusNanos(ADJACENT_NANOS))) {
                    if (r.to().isAfter(last.to())) {
                        merged.set(merged.size() - 1, new TimeRange(last.from(), r.to()));
                    }
                    continue;
                }
            }
            merged.add(r);
        }
        return List.copyOf(merged);
    }

    /**
     * Contiguous stored WAL along the path. For each segment number the object reaching furthest is the
     * one every chain uses (objects all hold a segment from its start, so the choice does not depend on
     * where in the segment a chain arrives); chains therefore merge, and where each chain starting in a
     * segment ends is computed once, newest segment first.
     */
    private static final class WalChains {

        record Chain(Lsn reached, WalEntry last) {
        }

        private record Supply(WalEntry entry, Lsn end) {
        }

        private final TimelinePath path;
        private final long segmentSize;
        private final TreeMap<Long, Supply> best = new TreeMap<>();
        private final Map<Long, Chain> endFrom = new HashMap<>();

        private final Damage damage;
        private final Map<Long, List<WalEntry>> damagedBySegment = new HashMap<>();

        WalChains(BucketInventory inventory, TimelinePath path, Damage damage) {
            this.path = path;
            this.damage = damage;
            this.segmentSize = inventory.segmentSize().orElse(WalSegmentName.DEFAULT_SEGMENT_SIZE);
            for (WalEntry w : inventory.wal()) {
                if (damage.contains(w.object().key())) {
                    // A damaged object holds nothing a restore could use: the chain stops before it.
                    damagedBySegment.computeIfAbsent(w.segment().segmentNo(), n -> new ArrayList<>()).add(w);
                    continue;
                }
                supplyEnd(w).ifPresent(end -> best.merge(w.segment().segmentNo(), new Supply(w, end), WalChains::better));
            }
            for (Map.Entry<Long, Supply> e : best.descendingMap().entrySet()) {
                Supply s = e.getValue();
                Chain next = s.end().equals(s.entry().segment().endLsn()) ? endFrom.get(e.getKey() + 1) : null;
                endFrom.put(e.getKey(), next != null ? next : new Chain(s.end(), s.entry()));
            }
        }

        /** Where the stored WAL contiguous from {@code start} ends; empty if no object holds {@code start}. */
        Optional<Chain> from(Lsn start) {
            long segNo = Long.divideUnsigned(start.value(), segmentSize);
            Supply s = best.get(segNo);
            if (s == null || !s.end().isAfter(start)) {
                return Optional.empty();
            }
            return Optional.of(endFrom.get(segNo));
        }

        /** The first position after {@code lsn}'s segment that some object holds (where WAL resumes after a hole). */
        Optional<Lsn> nextSupplyAfter(Lsn lsn) {
            long segNo = Long.divideUnsigned(lsn.value(), segmentSize);
            Map.Entry<Long, Supply> next = best.higherEntry(segNo);
            return next == null ? Optional.empty() : Optional.of(next.getValue().entry().segment().startLsn());
        }

        /** The damaged objects of the segment holding {@code lsn}, with their reasons. */
        List<String> damagedAt(Lsn lsn) {
            long segNo = Long.divideUnsigned(lsn.value(), segmentSize);
            return damagedBySegment.getOrDefault(segNo, List.of()).stream()
                    .map(w -> w.object().key() + " is damaged: " + damage.reasonFor(w.object().key()).orElseThrow())
                    .toList();
        }

        /** The segment holding {@code lsn} and, where it is damaged, why: for messages. */
        String describe(Lsn lsn) {
            List<String> damaged = damagedAt(lsn);
            return segmentAt(lsn) + (damaged.isEmpty() ? "" : "; " + String.join("; ", damaged));
        }

        /** The segment the history reads {@code lsn} from, for messages. */
        WalSegmentName segmentAt(Lsn lsn) {
            long timeline = path.spans().stream().filter(s -> s.contains(lsn))
                    .map(TimelinePath.Span::timeline).findFirst().orElse(path.newest());
            return WalSegmentName.of(timeline, lsn, segmentSize);
        }

        private Optional<Lsn> supplyEnd(WalEntry w) {
            Optional<TimelinePath.Span> span = path.span(w.timeline());
            if (span.isEmpty()) {
                return Optional.empty();
            }
            long beginSeg = Long.divideUnsigned(span.get().begin().value(), segmentSize);
            if (w.segment().segmentNo() < beginSeg) {
                return Optional.empty();
            }
            Lsn end = span.get().end().filter(e -> e.isBefore(w.endLsn())).orElse(w.endLsn());
            return end.isAfter(w.segment().startLsn()) ? Optional.of(end) : Optional.empty();
        }

        private static Supply better(Supply a, Supply b) {
            int byEnd = a.end().compareTo(b.end());
            if (byEnd != 0) {
                return byEnd > 0 ? a : b;
            }
            if (a.entry().partial() != b.entry().partial()) {
                return a.entry().partial() ? b : a;
            }
            return a.entry().timeline() >= b.entry().timeline() ? a : b;
        }
    }
}
