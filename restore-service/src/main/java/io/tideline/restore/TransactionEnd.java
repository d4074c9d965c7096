package io.tideline.restore;

import io.tideline.core.wal.Lsn;
import java.time.Instant;
import java.util.Objects;

/**
 * Where a transaction ended in the stored WAL: its commit or abort record.
 *
 * @param xid       the 32-bit transaction id the record carries
 * @param committed true for a commit record, false for an abort
 * @param recordEnd the first byte after the record: a backup consistent at or before the record ends
 *                  strictly before this
 * @param at        the record's {@code xact_time} (the primary's clock)
 */
public record TransactionEnd(long xid, boolean committed, Lsn recordEnd, Instant at) {

    public TransactionEnd {
        Objects.requireNonNull(recordEnd, "recordEnd");
        Objects.requireNonNull(at, "at");
    }
}
