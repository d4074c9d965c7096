package io.tideline.retention.verify;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * {@code tideline.retention.verify.*}: the background verifier.
 *
 * @param fullPass       every object the window needs is re-read at least once per this period; default
 *                       {@value #DEFAULT_FULL_PASS}
 * @param interval       how often the owned instances are looked at for objects that are due; default
 *                       {@value #DEFAULT_INTERVAL}
 * @param bytesPerSecond the most one run reads per second, so verifying never takes the bandwidth backups
 *                       and restores need; default {@value #DEFAULT_BYTES_PER_SECOND} (16 MiB/s, about 9.6 TiB
 *                       a week: far more than a full pass of a normal bucket needs)
 * @param parallelism    objects read at once; default {@value #DEFAULT_PARALLELISM}
 */
@ConfigurationProperties(VerifyConfiguration.PREFIX)
public record VerifyConfiguration(
        @Bindable(defaultValue = DEFAULT_FULL_PASS) Duration fullPass,
        @Bindable(defaultValue = DEFAULT_INTERVAL) Duration interval,
        @Bindable(defaultValue = DEFAULT_BYTES_PER_SECOND) long bytesPerSecond,
        @Bindable(defaultValue = DEFAULT_PARALLELISM) int parallelism) {

    public static final String PREFIX = "tideline.retention.verify";
    /** Switch: {@code tideline.retention.verify.enabled=false} starts no background verifier. */
    public static final String ENABLED = PREFIX + ".enabled";
    static final String DEFAULT_FULL_PASS = "7d";
    static final String DEFAULT_INTERVAL = "1h";
    static final String DEFAULT_BYTES_PER_SECOND = "16777216";
    static final String DEFAULT_PARALLELISM = "2";

    public VerifyConfiguration {
        Require.positive(fullPass, PREFIX + ".full-pass");
        Require.positive(interval, PREFIX + ".interval");
        Require.atLeast(bytesPerSecond, 1, PREFIX + ".bytes-per-second");
        Require.between(parallelism, 1, 64, PREFIX + ".parallelism");
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static VerifyConfiguration defaults() {
        return new VerifyConfiguration(Duration.ofDays(7), Duration.ofHours(1), Long.parseLong(DEFAULT_BYTES_PER_SECOND),
                Integer.parseInt(DEFAULT_PARALLELISM));
    }
}
