package io.tideline.core.window;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A stretch between two restorable ranges: the moments from {@code lastBefore} (exclusive) to
 * {@code firstAfter} (exclusive) cannot be restored now. Right after a backup the WAL of the moments
 * just before it is often still on its way to the bucket (the segment a backup switches away from is
 * uploaded complete after the backup's own WAL), so a recent break is reported as WAL not uploaded yet;
 * only a break older than {@link #UPLOAD_GRACE} is a WAL gap. Either way those moments are not offered.
 *
 * @param awaitingUpload true while the break is younger than {@link #UPLOAD_GRACE}
 */
public record WindowBreak(Instant lastBefore, Instant firstAfter, boolean awaitingUpload) {

    /**
     * How long missing WAL counts as on its way rather than lost: the archive-lag alert's threshold
     * (deploy/monitoring), the lag past which someone is told.
     */
    public static final Duration UPLOAD_GRACE = Duration.ofMinutes(2);

    /** The breaks between {@code ranges} (disjoint, oldest first, as {@link RestorableWindow#ranges()}), oldest first. */
    public static List<WindowBreak> between(List<TimeRange> ranges, Instant now) {
        List<WindowBreak> breaks = new ArrayList<>();
        for (int i = 1; i < ranges.size(); i++) {
            Instant before = ranges.get(i - 1).to();
            Instant after = ranges.get(i).from();
            breaks.add(new WindowBreak(before, after, !before.plus(UPLOAD_GRACE).isBefore(now)));
        }
        return List.copyOf(breaks);
    }

    /** "WAL not uploaded yet" or "WAL gap", for people. */
    public String describe() {
        return awaitingUpload ? "WAL not uploaded yet" : "WAL gap";
    }
}
