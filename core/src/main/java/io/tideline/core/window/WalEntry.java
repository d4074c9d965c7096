package io.tideline.core.window;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored WAL object: a complete segment ({@code wal/<tl>/<segment>.zst}) or the partial segment
 * being filled ({@code wal/<tl>/<segment>.partial.zst}), which holds the bytes from the segment's start
 * up to {@code endLsn}.
 *
 * <p><b>Time.</b> WAL carries no wall-clock time the bucket can see, so {@code storedAt} stands in for
 * it: the entry holds every commit made before {@code storedAt}, so a restore to any moment up to it finds
 * all the commits it needs. Read from the bucket, it is the {@code stored-at} the writer records in the
 * object's metadata ({@link io.tideline.core.storage.WalObjectMetadata}): on the archiver, the primary's
 * time of the newest commit record the object holds (or a quiet server's send time less an allowance) —
 * never the time of the upload, which would claim the whole archive lag. Objects written before {@code stored-at}
 * existed fall back to the store's Last-Modified (whole seconds, the time of the upload: a known overclaim
 * for those old objects, docs/decisions.md).
 *
 * @param segment  segment name (timeline, number, segment size)
 * @param partial  true for the {@code .partial} object of the segment being filled
 * @param endLsn   first byte not held: the segment's end when complete, the flushed position when partial
 * @param storedAt see above
 * @param object   the object in the bucket
 */
public record WalEntry(WalSegmentName segment, boolean partial, Lsn endLsn, Instant storedAt, ListedObject object) {

    public WalEntry {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(endLsn, () -> segment + ": endLsn");
        Objects.requireNonNull(storedAt, () -> segment + ": storedAt");
        Objects.requireNonNull(object, () -> segment + ": object");
        if (!partial && !endLsn.equals(segment.endLsn())) {
            throw new IllegalArgumentException("complete segment " + segment + " must end at " + segment.endLsn() + ", not " + endLsn);
        }
        if (partial && (!endLsn.isAfter(segment.startLsn()) || endLsn.isAfter(segment.endLsn()))) {
            throw new IllegalArgumentException("partial segment " + segment + " must end inside ("
                    + segment.startLsn() + ", " + segment.endLsn() + "], not at " + endLsn);
        }
    }

    public static WalEntry complete(WalSegmentName segment, Instant storedAt, ListedObject object) {
        return new WalEntry(segment, false, segment.endLsn(), storedAt, object);
    }

    public static WalEntry partial(WalSegmentName segment, Lsn endLsn, Instant storedAt, ListedObject object) {
        return new WalEntry(segment, true, endLsn, storedAt, object);
    }

    public long timeline() {
        return segment.timeline();
    }

    public Lsn startLsn() {
        return segment.startLsn();
    }

    @Override
    public String toString() {
        return segment + (partial ? ".partial(→" + endLsn + ")" : "") + "@" + storedAt;
    }
}
