package io.tideline.archiver.wal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * How fast a replica opens stream sessions, bound from {@code tideline.archiver.wal.start.*} (issue 18).
 * A replica that restarts, or takes over a dead one's partitions, gets hundreds of instances at once;
 * opening every session together means hundreds of replication connections, slot reads and bucket
 * listings in the same second, against servers that many instances share. Sessions therefore start at
 * a bounded rate with jitter, and only so many may be between "connecting" and "streaming" at once.
 *
 * @param rate          session starts per second, across the replica (reconnects after a failure too)
 * @param jitter        each start waits a further random 0..jitter, so replicas restarted together do not
 *                      hit a shared server in step
 * @param maxConcurrent sessions connecting, reading their bucket and starting replication at once
 */
@ConfigurationProperties(StreamStartSettings.PREFIX)
public record StreamStartSettings(@Bindable(defaultValue = DEFAULT_RATE) int rate,
                                  @Bindable(defaultValue = DEFAULT_JITTER) Duration jitter,
                                  @Bindable(defaultValue = DEFAULT_MAX_CONCURRENT) int maxConcurrent) {

    public static final String PREFIX = WalSettings.PREFIX + ".start";
    /**
     * Forty a second: 1,000 streams resume within ~25 s of a takeover. The fleet goal is 60 s from the kill,
     * and the group first needs its session timeout to notice a dead replica (10 s in the fleet deployment,
     * Kafka's default 45 s), so twenty a second (50 s) left no room (issue 18, fleet bench). A session start
     * costs a few queries and ~3 S3 requests; {@code max-concurrent} still bounds how many run at once.
     */
    static final String DEFAULT_RATE = "40";
    static final String DEFAULT_JITTER = "500ms";
    static final String DEFAULT_MAX_CONCURRENT = "16";

    public StreamStartSettings {
        Require.between(rate, 1, 10_000, PREFIX + ".rate");
        Require.notNegative(jitter, PREFIX + ".jitter");
        Require.between(maxConcurrent, 1, 10_000, PREFIX + ".max-concurrent");
    }

    public static StreamStartSettings defaults() {
        return new StreamStartSettings(Defaults.read(DEFAULT_RATE, Integer.class), Defaults.read(DEFAULT_JITTER, Duration.class),
                Defaults.read(DEFAULT_MAX_CONCURRENT, Integer.class));
    }

    /** No pacing at all: for tests of one stream. */
    static StreamStartSettings unpaced() {
        return new StreamStartSettings(10_000, Duration.ZERO, 10_000);
    }
}
