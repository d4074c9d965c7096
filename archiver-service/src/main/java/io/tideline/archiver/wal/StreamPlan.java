package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Objects;
import java.util.Optional;

/**
 * Where one stream session starts and ends.
 *
 * @param timeline      the timeline to stream ({@code START_REPLICATION … TIMELINE})
 * @param start         a segment start: streams never begin mid-segment, so every stored segment is whole
 * @param stopAt        for an older timeline of the server's history, where it forked off (the stream
 *                      ends there and the next session follows the next timeline); empty for the
 *                      server's current timeline
 * @param storedThrough how far the bucket already holds WAL from {@code start} on (a partial of the
 *                      start segment reaches past {@code start}), when it holds the WAL before
 *                      {@code start}; empty when nothing is stored yet, then nothing is confirmed to the
 *                      slot before the first upload
 * @param partialStored whether a partial of the start segment is in the bucket (to remove once complete)
 */
record StreamPlan(long timeline, Lsn start, Optional<Lsn> stopAt, Optional<Lsn> storedThrough, boolean partialStored) {

    StreamPlan {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(stopAt, "stopAt");
        Objects.requireNonNull(storedThrough, "storedThrough");
        stopAt.ifPresent(s -> {
            if (!s.isAfter(start)) {
                throw new IllegalArgumentException("a stream of timeline " + timeline + " from " + start + " cannot stop at " + s);
            }
        });
    }

    WalSegmentName firstSegment(long segmentSize) {
        return WalSegmentName.of(timeline, start, segmentSize);
    }
}
