package io.tideline.archiver;

/**
 * The archiver's switch and consumer group, {@code tideline.archiver.*}. Its settings are the records
 * {@link io.tideline.archiver.wal.WalSettings} ({@code tideline.archiver.wal.*}) and
 * {@link io.tideline.archiver.basebackup.BackupSettings} ({@code tideline.archiver.backup.*}).
 */
public final class ArchiverConfig {

    public static final String PREFIX = "tideline.archiver";
    /** {@code false} switches every bean of the archiver off (the embedded runtime may run without it). */
    public static final String ENABLED = PREFIX + ".enabled";
    /** The archiver's consumer group: its replicas share the partitions of the instances topic. */
    public static final String GROUP_ID = "tideline-archiver";

    private ArchiverConfig() {
    }
}
