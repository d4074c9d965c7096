package io.tideline.scheduler.rto;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Require;
import io.tideline.core.rto.ReplayRates;
import java.time.Duration;

/**
 * {@code tideline.scheduler.rto.*}: how the scheduler keeps each instance with an RTO budget inside it (issue 18.6).
 * The budget itself is the instance's ({@code tideline instance create … --rto-budget 15m}).
 *
 * @param enabled            {@code false}: no RTO-budget backups at all (the budgets stay registered)
 * @param minInterval        never two RTO-budget backups of one instance closer than this; default {@value #DEFAULT_MIN_INTERVAL}
 * @param defaultReplayRate  bytes of WAL replayed per second before any restore measured one; default 16 MiB/s
 * @param minMeasuredBytes   a restore that replayed less WAL is not a measurement (its time is mostly start-up);
 *                           default 64 MiB
 * @param inFlightTimeout    a backup started (or an RTO-budget command sent) without an end after this no longer counts
 *                           as in flight; default {@value #DEFAULT_IN_FLIGHT_TIMEOUT}
 */
@ConfigurationProperties(RtoBudgetConfiguration.PREFIX)
public record RtoBudgetConfiguration(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = DEFAULT_MIN_INTERVAL) Duration minInterval,
        @Bindable(defaultValue = "" + ReplayRates.DEFAULT_BYTES_PER_SECOND) long defaultReplayRate,
        @Bindable(defaultValue = "" + ReplayRates.DEFAULT_MIN_MEASURED_BYTES) long minMeasuredBytes,
        @Bindable(defaultValue = DEFAULT_IN_FLIGHT_TIMEOUT) Duration inFlightTimeout) {

    public static final String PREFIX = "tideline.scheduler.rto";
    static final String DEFAULT_MIN_INTERVAL = "1h";
    static final String DEFAULT_IN_FLIGHT_TIMEOUT = "6h";

    public RtoBudgetConfiguration {
        Require.positive(minInterval, PREFIX + ".min-interval");
        Require.positive(inFlightTimeout, PREFIX + ".in-flight-timeout");
        if (defaultReplayRate < 1) {
            throw new IllegalArgumentException(PREFIX + ".default-replay-rate must be at least 1 byte per second: " + defaultReplayRate);
        }
        if (minMeasuredBytes < 0) {
            throw new IllegalArgumentException(PREFIX + ".min-measured-bytes must not be negative: " + minMeasuredBytes);
        }
    }

    public static RtoBudgetConfiguration defaults() {
        return new RtoBudgetConfiguration(true, Duration.ofHours(1), ReplayRates.DEFAULT_BYTES_PER_SECOND,
                ReplayRates.DEFAULT_MIN_MEASURED_BYTES, Duration.ofHours(6));
    }

    public ReplayRates replayRates() {
        return new ReplayRates(defaultReplayRate, minMeasuredBytes);
    }
}
