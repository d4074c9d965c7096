package io.tideline.archiver.wal;

import io.tideline.core.ids.InstanceId;

/** What WAL streaming tells the rest of Tideline. */
interface WalEvents {

    /** {@code WalSegmentStored}, after the store confirmed the object; does not wait for Kafka. */
    void segmentStored(InstanceId instance, StoredWalObject object);

    /**
     * {@code WalGapDetected} and a {@code BackupCommand} for an immediate base backup; returns once
     * Kafka acknowledged both, throws if it did not (the gap is then detected and sent again).
     */
    void gapDetected(WalGap gap);
}
