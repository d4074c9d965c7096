package io.tideline.restore;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code tideline.restore.recovery.*}: the server settings a restored instance recovers with, chosen for
 * replay speed, in force only until it has promoted ({@link io.tideline.core.instance.RecoverySettings#recoveryOnly});
 * then the provisioner puts the instance's own settings back, restarts it and syncs its data to disk
 * ({@link io.tideline.core.instance.InstanceProvisioner#finishRecovery}) before the restore is reported done.
 * Read by the restore service (local platform) and the restore agent alike.
 *
 * <p>{@code fsync=off} is safe here, unlike on a running database: a restore whose server crashes is failed and
 * its half-made instance removed, and a new restore starts from the backup again; nothing is handed out before
 * the sync. {@code full_page_writes} is left alone: recovery writes no WAL, and the promoted instance needs it.
 *
 * @param enabled                  false: recover with the instance's own settings (as before)
 * @param fsyncOff                 {@code fsync=off} while recovering: no fsync of the unpacked files at the start
 *                                 of recovery, none at restartpoints; one {@code initdb --sync-only} at the end instead
 * @param recoveryPrefetch         {@code recovery_prefetch}: read blocks that WAL will touch ahead of replay
 * @param maintenanceIoConcurrency {@code maintenance_io_concurrency}: how far ahead that prefetch goes
 * @param sharedBuffers            {@code shared_buffers} while recovering (fewer evictions and writes during replay)
 * @param checkpointTimeout        {@code checkpoint_timeout}: restartpoints at most this often
 * @param maxWalSize               {@code max_wal_size}: WAL replayed between restartpoints (and at most kept in
 *                                 {@code pg_wal} meanwhile: disk the restore may use on top of the data)
 */
@ConfigurationProperties(RecoveryTuning.PREFIX)
public record RecoveryTuning(@Bindable(defaultValue = "true") boolean enabled,
                             @Bindable(defaultValue = DEFAULT_FSYNC_OFF) boolean fsyncOff,
                             @Bindable(defaultValue = DEFAULT_RECOVERY_PREFETCH) String recoveryPrefetch,
                             @Bindable(defaultValue = DEFAULT_MAINTENANCE_IO_CONCURRENCY) int maintenanceIoConcurrency,
                             @Bindable(defaultValue = DEFAULT_SHARED_BUFFERS) String sharedBuffers,
                             @Bindable(defaultValue = DEFAULT_CHECKPOINT_TIMEOUT) Duration checkpointTimeout,
                             @Bindable(defaultValue = DEFAULT_MAX_WAL_SIZE) String maxWalSize) {

    public static final String PREFIX = "tideline.restore.recovery";

    static final String DEFAULT_FSYNC_OFF = "true";
    static final String DEFAULT_RECOVERY_PREFETCH = "try";
    static final String DEFAULT_MAINTENANCE_IO_CONCURRENCY = "64";
    static final String DEFAULT_SHARED_BUFFERS = "512MB";
    static final String DEFAULT_CHECKPOINT_TIMEOUT = "1h";
    static final String DEFAULT_MAX_WAL_SIZE = "4GB";

    private static final String SIZE = "[0-9]+(kB|MB|GB|TB)?";

    public RecoveryTuning {
        Require.that(recoveryPrefetch != null && recoveryPrefetch.matches("on|off|try"), PREFIX + ".recovery-prefetch",
                "on, off or try", recoveryPrefetch);
        Require.between(maintenanceIoConcurrency, 0, 1000, PREFIX + ".maintenance-io-concurrency");
        Require.that(sharedBuffers != null && sharedBuffers.matches(SIZE), PREFIX + ".shared-buffers",
                "a PostgreSQL size such as 512MB", sharedBuffers);
        Require.atLeast(checkpointTimeout, Duration.ofSeconds(30), PREFIX + ".checkpoint-timeout");
        Require.that(checkpointTimeout.compareTo(Duration.ofDays(1)) <= 0, PREFIX + ".checkpoint-timeout",
                "at most 1d (PostgreSQL's limit)", checkpointTimeout);
        Require.that(maxWalSize != null && maxWalSize.matches(SIZE), PREFIX + ".max-wal-size",
                "a PostgreSQL size such as 4GB", maxWalSize);
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static RecoveryTuning defaults() {
        return new RecoveryTuning(true, Defaults.read(DEFAULT_FSYNC_OFF, Boolean.class), DEFAULT_RECOVERY_PREFETCH,
                Defaults.read(DEFAULT_MAINTENANCE_IO_CONCURRENCY, Integer.class), DEFAULT_SHARED_BUFFERS,
                duration(DEFAULT_CHECKPOINT_TIMEOUT), DEFAULT_MAX_WAL_SIZE);
    }

    /** None: recovery with the instance's own settings. */
    public static RecoveryTuning none() {
        RecoveryTuning d = defaults();
        return new RecoveryTuning(false, d.fsyncOff, d.recoveryPrefetch, d.maintenanceIoConcurrency, d.sharedBuffers,
                d.checkpointTimeout, d.maxWalSize);
    }

    /** The server settings recovery runs with on top of the instance's own (empty when disabled). */
    public Map<String, String> serverSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        if (!enabled) {
            return s;
        }
        if (fsyncOff) {
            s.put("fsync", "off");
        }
        s.put("recovery_prefetch", recoveryPrefetch);
        s.put("maintenance_io_concurrency", Integer.toString(maintenanceIoConcurrency));
        s.put("shared_buffers", sharedBuffers);
        s.put("checkpoint_timeout", checkpointTimeout.toSeconds() + "s");
        s.put("max_wal_size", maxWalSize);
        return s;
    }
}
