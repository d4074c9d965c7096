package io.tideline.retention;

import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.WalEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Consecutive WAL segments of one timeline, both ends inclusive: how {@code ArtifactsExpired} reports
 * expired WAL without listing thousands of names.
 */
public record WalRun(long timeline, WalSegmentName first, WalSegmentName last) {
    public WalRun {
        if (first.timeline() != timeline || last.timeline() != timeline) {
            throw new IllegalArgumentException("a WAL run stays on timeline " + timeline + ": " + first + ".." + last);
        }
        if (last.segmentNo() < first.segmentNo()) {
            throw new IllegalArgumentException("a WAL run ends before it starts: " + first + ".." + last);
        }
    }

    /** {@code wal} as runs of consecutive segments per timeline, lowest first (a partial counts as its segment). */
    public static List<WalRun> runsOf(Collection<WalEntry> wal) {
        TreeMap<Long, TreeSet<Long>> byTimeline = new TreeMap<>();
        Map<Long, Long> sizes = new HashMap<>();
        for (WalEntry w : wal) {
            byTimeline.computeIfAbsent(w.timeline(), t -> new TreeSet<>()).add(w.segment().segmentNo());
            sizes.put(w.timeline(), w.segment().segmentSize());
        }
        List<WalRun> runs = new ArrayList<>();
        byTimeline.forEach((timeline, numbers) -> {
            long size = sizes.get(timeline);
            long first = numbers.first();
            long previous = first;
            for (long n : numbers.tailSet(first, false)) {
                if (n != previous + 1) {
                    runs.add(run(timeline, first, previous, size));
                    first = n;
                }
                previous = n;
            }
            runs.add(run(timeline, first, previous, size));
        });
        return runs;
    }

    private static WalRun run(long timeline, long first, long last, long size) {
        return new WalRun(timeline, new WalSegmentName(timeline, first, size), new WalSegmentName(timeline, last, size));
    }
}
