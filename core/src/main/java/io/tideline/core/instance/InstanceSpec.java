package io.tideline.core.instance;

import io.tideline.core.wal.WalSegmentName;

/**
 * What a new instance is made with, beyond its id: choices fixed at initdb time.
 *
 * @param walSegmentSize bytes per WAL segment, a power of two from 1 MB to 1 GB ({@code initdb --wal-segsize})
 */
public record InstanceSpec(long walSegmentSize) {

    public InstanceSpec {
        // Validated here and not only by initdb, so a bad request fails before anything is created.
        WalSegmentName.requireValidSize(walSegmentSize);
    }

    /** PostgreSQL's defaults: 16 MB segments. */
    public static InstanceSpec defaults() {
        return new InstanceSpec(WalSegmentName.DEFAULT_SEGMENT_SIZE);
    }

    /** The segment size in MiB, as {@code initdb --wal-segsize} takes it. */
    public int walSegmentSizeMb() {
        return (int) (walSegmentSize >> 20);
    }
}
