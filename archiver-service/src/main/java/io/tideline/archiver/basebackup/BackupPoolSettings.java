package io.tideline.archiver.basebackup;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * How many base backups one archiver replica takes at once, bound from {@code tideline.archiver.backup.pool.*}
 * (issue 18). Backups run on a pool of their own, off the thread that consumes the commands, so a long
 * backup neither holds the commands behind it nor the consumer's poll loop.
 *
 * @param maxConcurrent         backups running at once in this replica
 * @param maxConcurrentPerStore backups running at once in this replica against one object-store endpoint
 *                              (their part uploads share its connection pool and bandwidth)
 * @param maxConcurrentPerServer backups running at once in this replica from one PostgreSQL server
 *                              ({@code host:port}; instances sharing a server share its disks)
 * @param maxQueued             commands accepted but waiting for a free slot; past this the consumer pauses
 *                              (the rest wait in Kafka, uncommitted), so memory stays bounded
 * @param pollTimeout           the consumer's poll: how soon finished backups are committed and a paused
 *                              consumer resumes
 * @param shutdownTimeout       on shutdown, how long running backups may take to end (their WAL waits are
 *                              ended at once) before they are interrupted; what did not end is not
 *                              committed, so the command comes back to the next owner
 */
@ConfigurationProperties(BackupPoolSettings.PREFIX)
public record BackupPoolSettings(@Bindable(defaultValue = DEFAULT_MAX_CONCURRENT) int maxConcurrent,
                                 @Bindable(defaultValue = DEFAULT_MAX_CONCURRENT_PER_STORE) int maxConcurrentPerStore,
                                 @Bindable(defaultValue = DEFAULT_MAX_CONCURRENT_PER_SERVER) int maxConcurrentPerServer,
                                 @Bindable(defaultValue = DEFAULT_MAX_QUEUED) int maxQueued,
                                 @Bindable(defaultValue = DEFAULT_POLL_TIMEOUT) Duration pollTimeout,
                                 @Bindable(defaultValue = DEFAULT_SHUTDOWN_TIMEOUT) Duration shutdownTimeout) {

    public static final String PREFIX = BackupSettings.PREFIX + ".pool";

    /**
     * Four: a backup is bound by the source's disk and by compression (one core at level 1), so on a
     * 2-core replica four keep the cores busy while some wait for their WAL; with 10 replicas that is 40
     * at once fleet-wide, ~1,650 a day at 35 min each (docs/deploy.md sizes it).
     */
    static final String DEFAULT_MAX_CONCURRENT = "4";
    static final String DEFAULT_MAX_CONCURRENT_PER_STORE = "4";
    static final String DEFAULT_MAX_CONCURRENT_PER_SERVER = "2";
    static final String DEFAULT_MAX_QUEUED = "100";
    static final String DEFAULT_POLL_TIMEOUT = "1s";
    static final String DEFAULT_SHUTDOWN_TIMEOUT = "30s";

    public BackupPoolSettings {
        Require.between(maxConcurrent, 1, 256, PREFIX + ".max-concurrent");
        Require.between(maxConcurrentPerStore, 1, 256, PREFIX + ".max-concurrent-per-store");
        Require.between(maxConcurrentPerServer, 1, 256, PREFIX + ".max-concurrent-per-server");
        Require.between(maxQueued, 1, 100_000, PREFIX + ".max-queued");
        Require.positive(pollTimeout, PREFIX + ".poll-timeout");
        Require.positive(shutdownTimeout, PREFIX + ".shutdown-timeout");
    }

    public static BackupPoolSettings defaults() {
        return new BackupPoolSettings(Defaults.read(DEFAULT_MAX_CONCURRENT, Integer.class),
                Defaults.read(DEFAULT_MAX_CONCURRENT_PER_STORE, Integer.class),
                Defaults.read(DEFAULT_MAX_CONCURRENT_PER_SERVER, Integer.class),
                Defaults.read(DEFAULT_MAX_QUEUED, Integer.class), Defaults.read(DEFAULT_POLL_TIMEOUT, Duration.class),
                Defaults.read(DEFAULT_SHUTDOWN_TIMEOUT, Duration.class));
    }
}
