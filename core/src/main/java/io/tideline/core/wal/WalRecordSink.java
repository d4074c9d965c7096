package io.tideline.core.wal;

/**
 * Takes whole WAL records from the scanner of a replication stream (the archiver's {@code CommitRecordScanner}):
 * only the kinds it {@link #wants}, only records whose CRC-32C checked, in WAL order. Called on the stream's thread.
 */
public interface WalRecordSink {

    /** Whether records of this resource manager ({@code xl_rmid}) and {@code xl_info} should be copied. */
    boolean wants(int resourceManager, int info);

    /**
     * A whole record: {@code record[0, length)} is its header ({@code XLogRecord}, 24 bytes) and body, the
     * array only valid during the call; {@code end} is where the record ends.
     */
    void record(Lsn end, byte[] record, int length);
}
