package io.tideline.core.window;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;

import java.util.List;

/**
 * A stretch of the history no usable stored WAL object holds ({@link RestorableWindow#holesBetween}).
 *
 * @param from     the first position missing
 * @param resumes  where stored WAL resumes (or the end asked about)
 * @param segment  the segment the history reads {@code from} from: the object that is missing
 * @param damaged  the damaged objects of that segment, each with its reason; empty when it is simply not stored
 */
public record WalHole(Lsn from, Lsn resumes, WalSegmentName segment, List<String> damaged) {

    public WalHole {
        damaged = List.copyOf(damaged);
    }

    @Override
    public String toString() {
        return "WAL missing from " + from + " to " + resumes + " (" + segment
                + (damaged.isEmpty() ? ", not stored" : "; " + String.join("; ", damaged)) + ")";
    }
}
