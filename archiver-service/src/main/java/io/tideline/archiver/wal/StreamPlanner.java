package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides where streaming resumes, from what the bucket holds and the server's timeline history.
 * Pure: no I/O, so every timeline case is unit-tested.
 *
 * <ol>
 *   <li>Every stored object (complete or partial segment) on a timeline of the server's history
 *       reaches some position; on an older timeline at most to where that timeline forked (WAL an
 *       old primary wrote after the fork is not this server's history). Objects of timelines the
 *       server never had are ignored.</li>
 *   <li>The furthest-reaching object decides: after a complete segment, streaming resumes at the
 *       next segment; for a partial, at its segment's start (the stream re-sends the segment, and the
 *       partial is replaced only once the new one reaches further).</li>
 *   <li>With nothing stored, streaming starts at the segment holding the slot's restart LSN, i.e.
 *       the oldest WAL the server keeps for us (the current position for a new slot).</li>
 *   <li>The position is routed along the history: on an older timeline the stream stops where it
 *       forked; a position at or after the segment of a fork continues on the next timeline from that
 *       segment's start, as the server allows (the new timeline's copy of that segment holds the old
 *       timeline's bytes up to the fork).</li>
 * </ol>
 */
final class StreamPlanner {

    private StreamPlanner() {
    }

    /**
     * @param stored      what the bucket holds
     * @param history     the server's history (of its current timeline)
     * @param slotRestart the slot's restart LSN (used when nothing is stored)
     * @param skipTo      where streaming must go on after a gap, until the bucket holds WAL from there
     */
    static StreamPlan plan(StoredWal stored, TimelineHistory history, Lsn slotRestart, Optional<Lsn> skipTo,
                           long segmentSize) {
        Optional<Reach> furthest = furthest(stored, history, segmentSize);
        Lsn position;
        long timeline;
        Optional<Lsn> storedThrough;
        if (furthest.isPresent()) {
            Reach r = furthest.get();
            timeline = r.segment.timeline();
            if (r.partial && r.reach.isBefore(r.segment.endLsn())) {
                position = r.segment.startLsn();
                storedThrough = Optional.of(r.reach);
            } else {
                // A complete segment resumes at its end. One clamped at its timeline's fork resumes at
                // the fork's segment start, which routing moves on to the next timeline.
                position = segmentStart(r.reach, segmentSize);
                storedThrough = Optional.of(r.reach);
            }
        } else {
            position = segmentStart(slotRestart, segmentSize);
            timeline = history.timelineAt(slotRestart);
            storedThrough = Optional.empty();
        }
        if (skipTo.isPresent() && skipTo.get().isAfter(position)) {
            position = segmentStart(skipTo.get(), segmentSize);
            timeline = history.timelineAt(skipTo.get());
            storedThrough = Optional.empty();
        }
        return route(position, timeline, storedThrough, stored, history, segmentSize);
    }

    private static StreamPlan route(Lsn position, long timeline, Optional<Lsn> storedThrough, StoredWal stored,
                                    TimelineHistory history, long segmentSize) {
        List<Long> timelines = history.timelines();
        long current = timeline;
        while (current != history.timeline()) {
            Lsn fork = history.switchPointOf(current).orElseThrow();
            if (position.compareTo(segmentStart(fork, segmentSize)) >= 0) {
                current = timelines.get(timelines.indexOf(current) + 1);
                continue;
            }
            return new StreamPlan(current, position, Optional.of(fork), storedThrough,
                    partialOf(stored, current, position, segmentSize));
        }
        if (current != timeline) {
            // Moved on to a later timeline: its start segment holds WAL of the earlier one only up to
            // the fork, so what the bucket holds of that segment on the earlier timeline does not count.
            Optional<Lsn> partial = Optional.ofNullable(stored.partials().get(WalSegmentName.of(current, position, segmentSize)));
            storedThrough = partial.isPresent() ? partial : storedThrough.map(s -> position);
        }
        return new StreamPlan(current, position, Optional.empty(), storedThrough,
                partialOf(stored, current, position, segmentSize));
    }

    private static boolean partialOf(StoredWal stored, long timeline, Lsn position, long segmentSize) {
        return stored.partials().containsKey(WalSegmentName.of(timeline, position, segmentSize));
    }

    /** How far the WAL the bucket holds reaches along the server's history; empty if it holds none. */
    static Optional<Lsn> reach(StoredWal stored, TimelineHistory history, long segmentSize) {
        return furthest(stored, history, segmentSize).map(r -> r.reach);
    }

    private record Reach(WalSegmentName segment, Lsn reach, boolean partial) {
    }

    private static Optional<Reach> furthest(StoredWal stored, TimelineHistory history, long segmentSize) {
        Reach best = null;
        for (WalSegmentName segment : stored.complete()) {
            best = better(best, reach(segment, segment.endLsn(), false, history));
        }
        for (Map.Entry<WalSegmentName, Lsn> partial : stored.partials().entrySet()) {
            if (!stored.complete().contains(partial.getKey())) {
                best = better(best, reach(partial.getKey(), partial.getValue(), true, history));
            }
        }
        return Optional.ofNullable(best);
    }

    private static Reach reach(WalSegmentName segment, Lsn end, boolean partial, TimelineHistory history) {
        if (!history.contains(segment.timeline())) {
            return null;
        }
        Optional<Lsn> fork = history.switchPointOf(segment.timeline());
        if (fork.isPresent() && end.isAfter(fork.get())) {
            if (!segment.startLsn().isBefore(fork.get())) {
                return null; // wholly after the fork: another lineage's WAL
            }
            return new Reach(segment, fork.get(), partial);
        }
        return new Reach(segment, end, partial);
    }

    private static Reach better(Reach best, Reach candidate) {
        if (candidate == null) {
            return best;
        }
        if (best == null) {
            return candidate;
        }
        int byReach = candidate.reach.compareTo(best.reach);
        if (byReach != 0) {
            return byReach > 0 ? candidate : best;
        }
        return candidate.segment.timeline() > best.segment.timeline() ? candidate : best;
    }

    static Lsn segmentStart(Lsn lsn, long segmentSize) {
        return lsn.minus(lsn.segmentOffset(segmentSize));
    }
}
