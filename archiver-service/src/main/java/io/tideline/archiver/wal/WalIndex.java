package io.tideline.archiver.wal;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalRecordSink;
import io.tideline.core.wal.WalSegmentName;

/**
 * Something that indexes the WAL of one stream session beside the stored WAL (the undo finder,
 * {@code io.tideline.archiver.changes}): the pump's scan hands it the records it wants, and the pump tells it
 * each WAL object it stored, after the store confirmed it. It must never throw into the pump.
 */
public interface WalIndex {

    WalRecordSink sink();

    /** {@code segment} is stored up to {@code end} (as its partial), or whole ({@code complete}). */
    void stored(WalSegmentName segment, Lsn end, boolean complete);

    /** Opens the index of each stream session; {@code null} when indexing is off. */
    interface Factory {
        WalIndex open(ObjectStore bucket, BucketLayout layout, long timeline, Lsn start, ServerConnections server);
    }
}
