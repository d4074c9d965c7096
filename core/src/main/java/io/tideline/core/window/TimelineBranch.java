package io.tideline.core.window;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Timeline {@code timeline} branched from {@code parent} at {@code branchPoint}: WAL before the branch
 * point is shared history, read on the parent; from the branch point on the child has its own WAL. This
 * is one line of a PostgreSQL {@code <timeline>.history} file (the parent's number and the LSN where it
 * was switched away from), kept as a minimal record so the window does not depend on how the files are
 * parsed: {@link #allOf(TimelineHistory)} turns a history file of timeline N into one branch per
 * line, for N and each of its ancestors.
 */
public record TimelineBranch(long timeline, long parent, Lsn branchPoint) {

    public TimelineBranch {
        if (parent < 1 || timeline <= parent || timeline > 0xFFFFFFFFL) {
            // PostgreSQL always gives a new timeline a number above every one it knows of.
            throw new IllegalArgumentException("timeline " + timeline + " cannot branch from timeline " + parent);
        }
        Objects.requireNonNull(branchPoint, "branch point");
    }

    /** Every branch a history file records: its timeline's own and each ancestor's, oldest first. */
    public static List<TimelineBranch> allOf(TimelineHistory history) {
        List<TimelineHistory.Entry> entries = history.entries();
        List<TimelineBranch> branches = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            long child = i + 1 < entries.size() ? entries.get(i + 1).parentTimeline() : history.timeline();
            branches.add(new TimelineBranch(child, entries.get(i).parentTimeline(), entries.get(i).switchPoint()));
        }
        return branches;
    }
}
