package io.tideline.archiver.basebackup;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How base backups are taken, bound from {@code tideline.archiver.backup.*}.
 *
 * @param postgresBinDir           where {@code pg_basebackup} lives
 * @param compressionLevel         zstd level of the data stream (1 is fastest; 3 is zstd's default)
 * @param compressionWorkers       threads of the replica that compress and hash backup parts, all backups
 *                                 together ({@link PartPipeline}); 0 (the default) = one per core
 * @param partRawBytes             uncompressed bytes per part object: each part is one zstd frame, so a
 *                                 restore can download and decompress parts in parallel; a number of
 *                                 bytes, or readable: {@code 64MB} (units of 1024); at most 1 GiB
 * @param partsInFlight            parts held in memory at once by the replica, all backups together, from
 *                                 the first byte read until the store confirmed them: memory of base
 *                                 backups ≤ partsInFlight × part size (raw) plus their compressed copies
 * @param maxRateKbPerSecond       {@code pg_basebackup --max-rate}, to spare the instance's disks; empty = unthrottled
 * @param fastCheckpoint           {@code --checkpoint=fast} (start at once) rather than a spread checkpoint
 * @param walWaitTimeout           how long a backup whose data is stored may wait for its WAL before it fails
 * @param walPollInitial           first pause between two looks at the bucket for that WAL
 * @param walPollMax               longest pause between two looks (the pause doubles up to this)
 * @param progressInterval         how often a running backup logs and publishes its progress
 * @param registryCatchUpTimeout   how long to wait for the instance registry to have read the instances topic
 * @param unknownInstanceGrace     how long an instance the caught-up registry does not know may take to
 *                                 appear (a registration published just before the command) before the
 *                                 command is dead-lettered as unknown
 * @param connectTimeout           connecting to the instance (identity query and pg_basebackup)
 */
@ConfigurationProperties(BackupSettings.PREFIX)
public record BackupSettings(@Bindable(defaultValue = DEFAULT_POSTGRES_BIN_DIR) Path postgresBinDir,
                             @Bindable(defaultValue = DEFAULT_COMPRESSION_LEVEL) int compressionLevel,
                             @Bindable(defaultValue = DEFAULT_COMPRESSION_WORKERS) int compressionWorkers,
                             @Bindable(defaultValue = DEFAULT_PART_RAW_BYTES) @ReadableBytes long partRawBytes,
                             @Bindable(defaultValue = DEFAULT_PARTS_IN_FLIGHT) int partsInFlight,
                             OptionalLong maxRateKbPerSecond,
                             @Bindable(defaultValue = DEFAULT_FAST_CHECKPOINT) boolean fastCheckpoint,
                             @Bindable(defaultValue = DEFAULT_WAL_WAIT_TIMEOUT) Duration walWaitTimeout,
                             @Bindable(defaultValue = DEFAULT_WAL_POLL_INITIAL) Duration walPollInitial,
                             @Bindable(defaultValue = DEFAULT_WAL_POLL_MAX) Duration walPollMax,
                             @Bindable(defaultValue = DEFAULT_PROGRESS_INTERVAL) Duration progressInterval,
                             @Bindable(defaultValue = DEFAULT_REGISTRY_CATCH_UP_TIMEOUT) Duration registryCatchUpTimeout,
                             @Bindable(defaultValue = DEFAULT_UNKNOWN_INSTANCE_GRACE) Duration unknownInstanceGrace,
                             @Bindable(defaultValue = DEFAULT_CONNECT_TIMEOUT) Duration connectTimeout) {

    public static final String PREFIX = ArchiverConfig.PREFIX + ".backup";
    /** {@code false} switches base backups off (the WAL streamer of the same service keeps running). */
    public static final String ENABLED = PREFIX + ".enabled";
    /**
     * The consumer group of backup commands. Not the WAL streamer's group: a member busy with a
     * backup for minutes would hold up every rebalance of the group, and with it the hand-over of WAL
     * streams when a replica dies.
     */
    public static final String GROUP_ID = "tideline-archiver-backups";
    /** Small enough for tests to cut many parts, large enough that a part is worth a request. */
    public static final long MIN_PART_RAW_BYTES = 1024L * 1024;
    /** A part is held in one Java array while it is compressed. */
    public static final long MAX_PART_RAW_BYTES = 1024L * 1024 * 1024;

    static final String DEFAULT_POSTGRES_BIN_DIR = "/usr/lib/postgresql/15/bin";
    /** Level 1: on a busy 2-core host compression is the bottleneck and level 1 already shrinks pages ~5-10x. */
    static final String DEFAULT_COMPRESSION_LEVEL = "1";
    /** 0: one thread per core; parts are independent zstd frames, so they compress in parallel (issue 18). */
    static final String DEFAULT_COMPRESSION_WORKERS = "0";
    /**
     * 64 MiB: small enough that {@link #DEFAULT_PARTS_IN_FLIGHT} of them keep every core busy within a
     * few hundred MiB of heap, large enough that a part is few requests (a 1.5 GB backup is ~24 parts,
     * which a restore fetches in parallel).
     */
    static final String DEFAULT_PART_RAW_BYTES = "64MB";
    /** Four: one compressing per core of a 2-core replica while two more upload; 256 MiB of raw parts at most. */
    static final String DEFAULT_PARTS_IN_FLIGHT = "4";
    static final String DEFAULT_FAST_CHECKPOINT = "true";
    static final String DEFAULT_WAL_WAIT_TIMEOUT = "15m";
    static final String DEFAULT_WAL_POLL_INITIAL = "1s";
    static final String DEFAULT_WAL_POLL_MAX = "30s";
    static final String DEFAULT_PROGRESS_INTERVAL = "5s";
    static final String DEFAULT_REGISTRY_CATCH_UP_TIMEOUT = "30s";
    static final String DEFAULT_UNKNOWN_INSTANCE_GRACE = "10s";
    static final String DEFAULT_CONNECT_TIMEOUT = "10s";

    public BackupSettings {
        Require.present(postgresBinDir, PREFIX + ".postgres-bin-dir");
        Require.between(compressionLevel, 1, 19, PREFIX + ".compression-level");
        Require.between(compressionWorkers, 0, 64, PREFIX + ".compression-workers");
        Require.between(partRawBytes, MIN_PART_RAW_BYTES, MAX_PART_RAW_BYTES, PREFIX + ".part-raw-bytes");
        Require.between(partsInFlight, 1, 256, PREFIX + ".parts-in-flight");
        Objects.requireNonNull(maxRateKbPerSecond, "maxRateKbPerSecond");
        // pg_basebackup's own bounds for --max-rate (32 kB/s .. 1 GB/s)
        maxRateKbPerSecond.ifPresent(rate -> Require.between(rate, 32, 1024 * 1024, PREFIX + ".max-rate-kb-per-second"));
        Require.positive(walWaitTimeout, PREFIX + ".wal-wait-timeout");
        Require.positive(walPollInitial, PREFIX + ".wal-poll-initial");
        Require.atLeast(walPollMax, PREFIX + ".wal-poll-initial", walPollInitial, PREFIX + ".wal-poll-max");
        Require.positive(progressInterval, PREFIX + ".progress-interval");
        Require.positive(registryCatchUpTimeout, PREFIX + ".registry-catch-up-timeout");
        Require.notNegative(unknownInstanceGrace, PREFIX + ".unknown-instance-grace");
        Require.positive(connectTimeout, PREFIX + ".connect-timeout");
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static BackupSettings defaults() {
        return new BackupSettings(Path.of(DEFAULT_POSTGRES_BIN_DIR), Defaults.read(DEFAULT_COMPRESSION_LEVEL, Integer.class),
                Defaults.read(DEFAULT_COMPRESSION_WORKERS, Integer.class), Defaults.bytes(DEFAULT_PART_RAW_BYTES),
                Defaults.read(DEFAULT_PARTS_IN_FLIGHT, Integer.class),
                OptionalLong.empty(), Defaults.read(DEFAULT_FAST_CHECKPOINT, Boolean.class), duration(DEFAULT_WAL_WAIT_TIMEOUT),
                duration(DEFAULT_WAL_POLL_INITIAL), duration(DEFAULT_WAL_POLL_MAX), duration(DEFAULT_PROGRESS_INTERVAL),
                duration(DEFAULT_REGISTRY_CATCH_UP_TIMEOUT), duration(DEFAULT_UNKNOWN_INSTANCE_GRACE),
                duration(DEFAULT_CONNECT_TIMEOUT));
    }

    /** The threads compressing parts: {@code compression-workers}, or one per core when it is 0. */
    public int compressionThreads() {
        return compressionWorkers > 0 ? compressionWorkers : Runtime.getRuntime().availableProcessors();
    }

    public Path pgBaseBackup() {
        return postgresBinDir.resolve("pg_basebackup");
    }
}
