package io.tideline.core.window;

import io.tideline.core.wal.Lsn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The instance's history as recovery follows it: the newest timeline the bucket knows of and its
 * ancestors, each with the LSN range in which it is the instance's history. This is what
 * {@code recovery_target_timeline = 'latest'} (PostgreSQL's default) replays along. WAL off this path
 * (the tail a timeline wrote after its child branched away, or a sibling branch) is not part of the
 * restorable history.
 *
 * <p>The walk from the newest timeline stops at a timeline with no known branch: that one is taken as
 * the root, beginning at LSN 0. That is right for the first timeline of a bucket (1 for a new instance,
 * N+1 for an instance made by a restore, whose parent's WAL lives in another bucket) and conservative
 * when a history file is missing: older timelines then fall off the path and do not count.
 *
 * @param spans root first, newest last
 */
public record TimelinePath(List<Span> spans) {

    /**
     * Timeline {@code timeline} is the history from {@code begin} (inclusive) to {@code end}
     * (exclusive; empty for the newest timeline, whose history is still being written).
     */
    public record Span(long timeline, Lsn begin, Optional<Lsn> end) {
        public Span {
            Objects.requireNonNull(begin, "begin");
            Objects.requireNonNull(end, "end");
            if (end.isPresent() && end.get().isBefore(begin)) {
                throw new IllegalArgumentException("timeline " + timeline + " ends at " + end.get() + " before it begins at " + begin);
            }
        }

        public boolean contains(Lsn lsn) {
            return !lsn.isBefore(begin) && end.map(lsn::isBefore).orElse(true);
        }
    }

    public TimelinePath {
        spans = List.copyOf(spans);
        if (spans.isEmpty()) {
            throw new IllegalArgumentException("a timeline path has at least one timeline");
        }
    }

    /** The path of the newest timeline the inventory knows of (by data or by history). */
    public static TimelinePath of(BucketInventory inventory) {
        long newest = 1;
        if (!inventory.timelinesWithData().isEmpty()) {
            newest = inventory.timelinesWithData().last();
        }
        for (TimelineBranch b : inventory.branches()) {
            newest = Math.max(newest, b.timeline());
        }
        List<Span> reversed = new ArrayList<>();
        long current = newest;
        Optional<Lsn> end = Optional.empty();
        while (true) {
            Optional<TimelineBranch> branch = inventory.branchOf(current);
            Lsn begin = branch.map(TimelineBranch::branchPoint).orElse(Lsn.ZERO);
            reversed.add(new Span(current, begin, end));
            if (branch.isEmpty()) {
                break;
            }
            end = Optional.of(begin);
            current = branch.get().parent();
        }
        Collections.reverse(reversed);
        return new TimelinePath(reversed);
    }

    public Optional<Span> span(long timeline) {
        return spans.stream().filter(s -> s.timeline() == timeline).findFirst();
    }

    /** True when {@code lsn} on {@code timeline} is part of the instance's history. */
    public boolean contains(long timeline, Lsn lsn) {
        return span(timeline).map(s -> s.contains(lsn)).orElse(false);
    }

    public long newest() {
        return spans.get(spans.size() - 1).timeline();
    }
}
