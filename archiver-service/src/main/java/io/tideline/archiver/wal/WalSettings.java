package io.tideline.archiver.wal;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How WAL is streamed and stored, bound from {@code tideline.archiver.wal.*}.
 *
 * @param flushInterval     the promise: WAL received is stored at most this long after it arrived
 *                          (as the growing segment's {@code .partial.zst}); 1 s at least
 * @param statusInterval    how often the stream reports its positions to the server, also while an
 *                          upload is being retried, so the server's {@code wal_sender_timeout} never fires
 * @param compressionLevel  zstd level of stored segments
 * @param slotName          the physical replication slot, one per server
 * @param retryInitialDelay first wait after a failed connection or upload; doubles up to {@code retryMaxDelay}
 * @param retryMaxDelay     longest wait between attempts
 * @param idlePoll          longest sleep between two looks at an idle stream: the cost of an idle instance
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
public record WalSettings(Duration flushInterval, Duration statusInterval, int compressionLevel, String slotName,
                          Duration retryInitialDelay, Duration retryMaxDelay, Duration idlePoll,
                          Duration connectTimeout, Duration socketTimeout, Duration stopTimeout, Duration idleRelease,
                          Duration heartbeatInterval) {

    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(60);
    public static final Duration MIN_FLUSH_INTERVAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(10);
    public static final int DEFAULT_COMPRESSION_LEVEL = 3;
    public static final String DEFAULT_SLOT_NAME = "tideline_archiver";
    public static final Duration DEFAULT_RETRY_INITIAL_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_MAX_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_POLL = Duration.ofMillis(100);
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(20);
    public static final Duration DEFAULT_IDLE_RELEASE = Duration.ofSeconds(60);
    /** As RDS's own heartbeat: an idle instance's window lags by at most this plus the flush interval. */
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMinutes(5);

    private static final Pattern SLOT_NAME = Pattern.compile("[a-z0-9_]{1,63}");

    public WalSettings {
        requirePositive(flushInterval, "flush-interval");
        if (flushInterval.compareTo(MIN_FLUSH_INTERVAL) < 0) {
            throw new IllegalArgumentException("tideline.archiver.wal.flush-interval must be at least " + MIN_FLUSH_INTERVAL
                    + ", not " + flushInterval);
        }
        requirePositive(statusInterval, "status-interval");
        if (compressionLevel < 1 || compressionLevel > 19) {
            throw new IllegalArgumentException("tideline.archiver.wal.compression-level must be 1..19, not " + compressionLevel);
        }
        Objects.requireNonNull(slotName, "slotName");
        if (!SLOT_NAME.matcher(slotName).matches()) {
            // the server's own rule for slot names; checked here so it is never quoted into a command
            throw new IllegalArgumentException("tideline.archiver.wal.slot-name must be 1-63 of a-z, 0-9 and _, not '" + slotName + "'");
        }
        requirePositive(retryInitialDelay, "retry-initial-delay");
        requirePositive(retryMaxDelay, "retry-max-delay");
        if (retryMaxDelay.compareTo(retryInitialDelay) < 0) {
            throw new IllegalArgumentException("tideline.archiver.wal.retry-max-delay (" + retryMaxDelay
                    + ") is shorter than retry-initial-delay (" + retryInitialDelay + ")");
        }
        requirePositive(idlePoll, "idle-poll");
        requirePositive(connectTimeout, "connect-timeout");
        requirePositive(socketTimeout, "socket-timeout");
        requirePositive(stopTimeout, "stop-timeout");
        requirePositive(idleRelease, "idle-release");
        if (heartbeatInterval == null || heartbeatInterval.isNegative()) {
            throw new IllegalArgumentException("tideline.archiver.wal.heartbeat-interval must be zero (off) or positive, not "
                    + heartbeatInterval);
        }
    }

    public static WalSettings defaults() {
        return new WalSettings(DEFAULT_FLUSH_INTERVAL, DEFAULT_STATUS_INTERVAL, DEFAULT_COMPRESSION_LEVEL, DEFAULT_SLOT_NAME,
                DEFAULT_RETRY_INITIAL_DELAY, DEFAULT_RETRY_MAX_DELAY, DEFAULT_IDLE_POLL, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_SOCKET_TIMEOUT, DEFAULT_STOP_TIMEOUT, DEFAULT_IDLE_RELEASE, DEFAULT_HEARTBEAT_INTERVAL);
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

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("tideline.archiver.wal." + name + " must be positive, not " + d);
        }
    }
}
