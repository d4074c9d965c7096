package io.tideline.archiver.basebackup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * How base backups are taken, validated once when the configuration is bound
 * ({@link BackupConfiguration#toSettings()}).
 *
 * @param postgresBinDir           where {@code pg_basebackup} lives
 * @param compressionLevel         zstd level of the data stream (1 is fastest; 3 is zstd's default)
 * @param compressionWorkers       zstd worker threads; 0 compresses on the reading thread itself
 * @param partRawBytes             uncompressed bytes per part object: each part is one zstd frame, so a
 *                                 restore can download and decompress parts in parallel
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
public record BackupSettings(Path postgresBinDir, int compressionLevel, int compressionWorkers, long partRawBytes,
                             OptionalLong maxRateKbPerSecond, boolean fastCheckpoint, Duration walWaitTimeout,
                             Duration walPollInitial, Duration walPollMax, Duration progressInterval,
                             Duration registryCatchUpTimeout, Duration unknownInstanceGrace, Duration connectTimeout) {

    public static final Path DEFAULT_POSTGRES_BIN_DIR = Path.of("/usr/lib/postgresql/15/bin");
    /** Level 1: on a busy 2-core host compression is the bottleneck and level 1 already shrinks pages ~5-10x. */
    public static final int DEFAULT_COMPRESSION_LEVEL = 1;
    public static final int DEFAULT_COMPRESSION_WORKERS = 0;
    public static final long DEFAULT_PART_RAW_BYTES = 256L * 1024 * 1024;
    /** Small enough for tests to cut many parts, large enough that a part is worth a request. */
    public static final long MIN_PART_RAW_BYTES = 1024L * 1024;
    public static final boolean DEFAULT_FAST_CHECKPOINT = true;
    public static final Duration DEFAULT_WAL_WAIT_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_WAL_POLL_INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_WAL_POLL_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REGISTRY_CATCH_UP_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_UNKNOWN_INSTANCE_GRACE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

    public BackupSettings {
        Objects.requireNonNull(postgresBinDir, "postgresBinDir");
        if (compressionLevel < 1 || compressionLevel > 19) {
            throw new IllegalArgumentException("backup compression-level must be 1..19, not " + compressionLevel);
        }
        if (compressionWorkers < 0 || compressionWorkers > 64) {
            throw new IllegalArgumentException("backup compression-workers must be 0..64, not " + compressionWorkers);
        }
        if (partRawBytes < MIN_PART_RAW_BYTES) {
            throw new IllegalArgumentException("backup part-raw-bytes must be at least " + MIN_PART_RAW_BYTES + ", not " + partRawBytes);
        }
        Objects.requireNonNull(maxRateKbPerSecond, "maxRateKbPerSecond");
        // pg_basebackup's own bounds for --max-rate (32 kB/s .. 1 GB/s)
        if (maxRateKbPerSecond.isPresent() && (maxRateKbPerSecond.getAsLong() < 32 || maxRateKbPerSecond.getAsLong() > 1024 * 1024)) {
            throw new IllegalArgumentException("backup max-rate must be 32..1048576 kB/s, not " + maxRateKbPerSecond.getAsLong());
        }
        requirePositive(walWaitTimeout, "wal-wait-timeout");
        requirePositive(walPollInitial, "wal-poll-initial");
        requirePositive(walPollMax, "wal-poll-max");
        if (walPollMax.compareTo(walPollInitial) < 0) {
            throw new IllegalArgumentException("backup wal-poll-max (" + walPollMax + ") is shorter than wal-poll-initial (" + walPollInitial + ")");
        }
        requirePositive(progressInterval, "progress-interval");
        requirePositive(registryCatchUpTimeout, "registry-catch-up-timeout");
        Objects.requireNonNull(unknownInstanceGrace, "unknownInstanceGrace");
        if (unknownInstanceGrace.isNegative()) {
            throw new IllegalArgumentException("backup unknown-instance-grace must not be negative: " + unknownInstanceGrace);
        }
        requirePositive(connectTimeout, "connect-timeout");
    }

    public static BackupSettings defaults() {
        return new BackupSettings(DEFAULT_POSTGRES_BIN_DIR, DEFAULT_COMPRESSION_LEVEL, DEFAULT_COMPRESSION_WORKERS,
                DEFAULT_PART_RAW_BYTES, OptionalLong.empty(), DEFAULT_FAST_CHECKPOINT, DEFAULT_WAL_WAIT_TIMEOUT,
                DEFAULT_WAL_POLL_INITIAL, DEFAULT_WAL_POLL_MAX, DEFAULT_PROGRESS_INTERVAL,
                DEFAULT_REGISTRY_CATCH_UP_TIMEOUT, DEFAULT_UNKNOWN_INSTANCE_GRACE, DEFAULT_CONNECT_TIMEOUT);
    }

    public Path pgBaseBackup() {
        return postgresBinDir.resolve("pg_basebackup");
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("backup " + name + " must be positive, not " + d);
        }
    }
}
