package io.tideline.restore.drill;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code tideline.restore.drill.*}: how the restore service runs restore drills. Which instances are drilled
 * and how often is each instance's own policy (its registration's {@code restoreDrill}, default weekly).
 *
 * @param enabled        false: this replica runs no drills (the policies still hold: {@code tideline audit}
 *                       reports instances overdue)
 * @param checkInterval  how often the scheduler looks for instances due a drill
 * @param pgBinDir       where {@code pg_amcheck} and {@code pg_checksums} are (the same major version as the
 *                       instances)
 * @param checkTimeout   the longest {@code pg_amcheck} or {@code pg_checksums} may run on one copy
 */
@ConfigurationProperties(DrillConfiguration.PREFIX)
public record DrillConfiguration(@Bindable(defaultValue = "true") boolean enabled,
                                 @Bindable(defaultValue = DEFAULT_CHECK_INTERVAL) Duration checkInterval,
                                 @Bindable(defaultValue = DEFAULT_PG_BIN_DIR) Path pgBinDir,
                                 @Bindable(defaultValue = DEFAULT_CHECK_TIMEOUT) Duration checkTimeout) {

    public static final String PREFIX = "tideline.restore.drill";
    public static final String ENABLED = PREFIX + ".enabled";
    static final String DEFAULT_CHECK_INTERVAL = "1m";
    static final String DEFAULT_PG_BIN_DIR = "/usr/lib/postgresql/15/bin";
    static final String DEFAULT_CHECK_TIMEOUT = "2h";

    public DrillConfiguration {
        Require.positive(checkInterval, PREFIX + ".check-interval");
        Require.positive(checkTimeout, PREFIX + ".check-timeout");
        java.util.Objects.requireNonNull(pgBinDir, PREFIX + ".pg-bin-dir");
    }

    public static DrillConfiguration defaults() {
        return new DrillConfiguration(true, duration(DEFAULT_CHECK_INTERVAL), Path.of(DEFAULT_PG_BIN_DIR),
                duration(DEFAULT_CHECK_TIMEOUT));
    }
}
