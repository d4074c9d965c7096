package io.tideline.archiver.wal;

import static io.tideline.core.config.Defaults.duration;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;

/**
 * How WAL is streamed and stored, bound from {@code tideline.archiver.wal.*}.
 *
 * @param flushInterval     the promise: WAL received is stored at most this long after it arrived
 *                          (as the growing segment's {@code .partial.zst}); 1 s at least
 * @param statusInterval    how often the stream reports its positions to the server, also while an
 *                          upload is being retried, so the server's {@code wal_sender_timeout} never fires
 * @param compressionLevel  zstd level of stored segments
 * @param slotName          the physical replication slot, one per server; {@value #INSTANCE_TOKEN} in it
 *                          is replaced by the instance id (with {@code _} for {@code -}), for servers that
 *                          hold several registered instances, each with its own slot and bucket (the
 *                          fleet benchmark)
 * @param retryInitialDelay first wait after a failed connection or upload; doubles up to {@code retryMaxDelay}
 * @param retryMaxDelay     longest wait between attempts
 * @param idlePoll          longest sleep between two looks at an idle stream: the cost of an idle instance
 *                          (at most half the flush allowance, {@link #idlePollLimit()})
 * @param connectTimeout    TCP connect + login timeout of the replication connection
 * @param socketTimeout     longest silence on a blocking read of the replication connection
 * @param stopTimeout       how long a graceful stop (partitions revoked, shutdown) may take to store the
 *                          growing segment before the stream is cut
 * @param idleRelease       after this long without WAL, a stream whose bytes are all stored gives up its
 *                          segment buffer (it is read back from the stored partial when WAL arrives again)
 * @param heartbeatInterval after this long without WAL, the archiver commits an empty transaction on the
 *                          instance ({@code SELECT pg_current_xact_id()}): an idle server writes no WAL, and
 *                          without a commit record to read its restorable window would stop moving. Zero: off
 */
@ConfigurationProperties(WalSettings.PREFIX)
public record WalSettings(@Bindable(defaultValue = DEFAULT_FLUSH_INTERVAL) Duration flushInterval,
                          @Bindable(defaultValue = DEFAULT_STATUS_INTERVAL) Duration statusInterval,
                          @Bindable(defaultValue = DEFAULT_COMPRESSION_LEVEL) int compressionLevel,
                          @Bindable(defaultValue = DEFAULT_SLOT_NAME) String slotName,
                          @Bindable(defaultValue = DEFAULT_RETRY_INITIAL_DELAY) Duration retryInitialDelay,
                          @Bindable(defaultValue = DEFAULT_RETRY_MAX_DELAY) Duration retryMaxDelay,
                          @Bindable(defaultValue = DEFAULT_IDLE_POLL) Duration idlePoll,
                          @Bindable(defaultValue = DEFAULT_CONNECT_TIMEOUT) Duration connectTimeout,
                          @Bindable(defaultValue = DEFAULT_SOCKET_TIMEOUT) Duration socketTimeout,
                          @Bindable(defaultValue = DEFAULT_STOP_TIMEOUT) Duration stopTimeout,
                          @Bindable(defaultValue = DEFAULT_IDLE_RELEASE) Duration idleRelease,
                          @Bindable(defaultValue = DEFAULT_HEARTBEAT_INTERVAL) Duration heartbeatInterval) {

    public static final String PREFIX = ArchiverConfig.PREFIX + ".wal";
    /** {@code false} switches WAL streaming off (e.g. tests of base backups alone). */
    public static final String ENABLED = PREFIX + ".enabled";
    public static final Duration MIN_FLUSH_INTERVAL = Duration.ofSeconds(1);

    static final String DEFAULT_FLUSH_INTERVAL = "60s";
    static final String DEFAULT_STATUS_INTERVAL = "10s";
    static final String DEFAULT_COMPRESSION_LEVEL = "3";
    static final String DEFAULT_SLOT_NAME = "tideline_archiver";
    static final String DEFAULT_RETRY_INITIAL_DELAY = "1s";
    static final String DEFAULT_RETRY_MAX_DELAY = "30s";
    /**
     * An idle stream's one recurring cost (issue 18): a wake-up, a look at the socket and the status check.
     * 1 s, not 100 ms: ten times fewer wake-ups for a thousand idle streams, and no later than pgjdbc itself
     * looks past an empty buffer on a TLS socket (once a second); capped by {@link #idlePollLimit()}.
     */
    static final String DEFAULT_IDLE_POLL = "1s";
    static final String DEFAULT_CONNECT_TIMEOUT = "10s";
    static final String DEFAULT_SOCKET_TIMEOUT = "30s";
    static final String DEFAULT_STOP_TIMEOUT = "20s";
    static final String DEFAULT_IDLE_RELEASE = "60s";
    /** As RDS's own heartbeat: an idle instance's window lags by at most this plus the flush interval. */
    static final String DEFAULT_HEARTBEAT_INTERVAL = "5m";

    public WalSettings {
        Require.atLeast(flushInterval, MIN_FLUSH_INTERVAL, PREFIX + ".flush-interval");
        Require.positive(statusInterval, PREFIX + ".status-interval");
        Require.between(compressionLevel, 1, 19, PREFIX + ".compression-level");
        // the server's own rule for slot names; checked here so it is never quoted into a command
        Require.that(slotName != null && slotName.replace(INSTANCE_TOKEN, "").matches("[a-z0-9_]{0,63}")
                        && !slotName.replace(INSTANCE_TOKEN, "").isEmpty() || INSTANCE_TOKEN.equals(slotName),
                PREFIX + ".slot-name", "1-63 of a-z, 0-9 and _ (and " + INSTANCE_TOKEN + ")", slotName);
        Require.positive(retryInitialDelay, PREFIX + ".retry-initial-delay");
        Require.atLeast(retryMaxDelay, PREFIX + ".retry-initial-delay", retryInitialDelay, PREFIX + ".retry-max-delay");
        Require.positive(idlePoll, PREFIX + ".idle-poll");
        Require.positive(connectTimeout, PREFIX + ".connect-timeout");
        Require.positive(socketTimeout, PREFIX + ".socket-timeout");
        Require.positive(stopTimeout, PREFIX + ".stop-timeout");
        Require.positive(idleRelease, PREFIX + ".idle-release");
        Require.notNegative(heartbeatInterval, PREFIX + ".heartbeat-interval");
    }

    /** Stands for the instance id in {@link #slotName()}. */
    public static final String INSTANCE_TOKEN = "{instance}";

    /** The slot of {@code instance}: the slot name, with the instance id for {@value #INSTANCE_TOKEN}; at most 63 characters. */
    public String slotFor(io.tideline.core.ids.InstanceId instance) {
        String name = slotName.replace(INSTANCE_TOKEN, instance.value().replace('-', '_'));
        return name.length() <= 63 ? name : name.substring(0, 63);
    }

    /** What an empty configuration binds, for code and tests without a Micronaut context. */
    public static WalSettings defaults() {
        return new WalSettings(duration(DEFAULT_FLUSH_INTERVAL), duration(DEFAULT_STATUS_INTERVAL),
                Defaults.read(DEFAULT_COMPRESSION_LEVEL, Integer.class), DEFAULT_SLOT_NAME,
                duration(DEFAULT_RETRY_INITIAL_DELAY), duration(DEFAULT_RETRY_MAX_DELAY), duration(DEFAULT_IDLE_POLL),
                duration(DEFAULT_CONNECT_TIMEOUT), duration(DEFAULT_SOCKET_TIMEOUT), duration(DEFAULT_STOP_TIMEOUT),
                duration(DEFAULT_IDLE_RELEASE), duration(DEFAULT_HEARTBEAT_INTERVAL));
    }

    /**
     * The longest sleep between two looks at an idle stream: {@code idle-poll}, but at most half the time the
     * flush deadline leaves for the upload ({@code flush-interval − }{@link #flushDeadline()}): WAL that arrives
     * during a sleep is noticed that much later, and must still be stored within the promise. With the default
     * 60 s that is the idle poll (1 s); a 1 s flush interval polls every 100 ms.
     */
    public Duration idlePollLimit() {
        Duration half = flushInterval.minus(flushDeadline()).dividedBy(2);
        return idlePoll.compareTo(half) < 0 ? idlePoll : half;
    }

    /**
     * When to start uploading the growing segment, after its oldest unstored byte arrived: early
     * enough that the upload itself fits in the flush interval (a fifth of it, at most 2 s).
     */
    public Duration flushDeadline() {
        Duration allowance = flushInterval.dividedBy(5);
        if (allowance.compareTo(Duration.ofSeconds(2)) > 0) {
            allowance = Duration.ofSeconds(2);
        }
        return flushInterval.minus(allowance);
    }
}
