package io.tideline.retention;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * {@code tideline.retention.*}.
 *
 * @param period          how far back every moment stays restorable, for instances whose registration
 *                        names no {@code retentionDays}; default {@value #DEFAULT_PERIOD}
 * @param interval        how often every owned instance is looked at, besides the run after each
 *                        {@code BackupCompleted}; default {@value #DEFAULT_INTERVAL}
 * @param orphanAge       how long an object nothing explains is given before it is removed (an upload in
 *                        progress writes within it); default {@value #DEFAULT_ORPHAN_AGE}
 * @param catchUpTimeout  how long a run waits for the restore events to be read up to their end before
 *                        it waits instead of deleting; default {@value #DEFAULT_CATCH_UP_TIMEOUT}
 */
@ConfigurationProperties(RetentionConfiguration.PREFIX)
public record RetentionConfiguration(
        @Bindable(defaultValue = DEFAULT_PERIOD) Duration period,
        @Bindable(defaultValue = DEFAULT_INTERVAL) Duration interval,
        @Bindable(defaultValue = DEFAULT_ORPHAN_AGE) Duration orphanAge,
        @Bindable(defaultValue = DEFAULT_CATCH_UP_TIMEOUT) Duration catchUpTimeout) {

    public static final String PREFIX = "tideline.retention";
    /** Switch: {@code tideline.retention.enabled=false} starts none of the service's beans. */
    public static final String ENABLED = PREFIX + ".enabled";
    static final String DEFAULT_PERIOD = "7d";
    static final String DEFAULT_INTERVAL = "1h";
    static final String DEFAULT_ORPHAN_AGE = "1d";
    static final String DEFAULT_CATCH_UP_TIMEOUT = "30s";

    public RetentionConfiguration {
        Require.positive(period, PREFIX + ".period");
        Require.positive(interval, PREFIX + ".interval");
        Require.positive(orphanAge, PREFIX + ".orphan-age");
        Require.positive(catchUpTimeout, PREFIX + ".catch-up-timeout");
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static RetentionConfiguration defaults() {
        return new RetentionConfiguration(duration(DEFAULT_PERIOD), duration(DEFAULT_INTERVAL), duration(DEFAULT_ORPHAN_AGE),
                duration(DEFAULT_CATCH_UP_TIMEOUT));
    }

    /** The policy for an instance: its registered retention in days wins over {@link #period()}. */
    public RetentionPolicy policyFor(java.util.Optional<Integer> retentionDays) {
        return new RetentionPolicy(retentionDays.map(d -> Duration.ofDays(d)).orElse(period), orphanAge);
    }
}
