package io.tideline.retention;

import io.tideline.core.wal.WalSegmentName;

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
}
