package io.tideline.archiver.wal;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an upload until the store confirms it. Between attempts the stream keeps telling the server
 * we are alive (so it does not drop us after {@code wal_sender_timeout}) while it holds the WAL for
 * us. A {@link WalConflictException} is never retried. A stop cuts the retries short: right away,
 * or for the final flush of a graceful stop, once the stop timeout is nearly spent.
 */
final class UploadRetry {

    private static final Logger LOG = LoggerFactory.getLogger(UploadRetry.class);

    /** An upload: returns what the store confirmed, throws if it did not. */
    @FunctionalInterface
    interface Upload<T> {
        T run();
    }

    private final StreamerContext context;

    UploadRetry(StreamerContext context) {
        this.context = context;
    }

    /**
     * @param what       names the upload in logs and the stream's state
     * @param finalFlush the graceful stop's last store: retried after a stop until its deadline
     */
    <T> T untilStored(ReplicationStream stream, String what, boolean finalFlush, Upload<T> upload)
            throws SQLException, StopRequested {
        return untilStored(stream, what, finalFlush, upload, null);
    }

    /**
     * As {@link #untilStored(ReplicationStream, String, boolean, Upload)}, after a first attempt made off
     * this thread ({@link SegmentUploads}) failed with {@code firstFailure} (null: none made yet): that
     * attempt counts as the first, so the next one waits the first backoff, as if it had been made here.
     */
    <T> T untilStored(ReplicationStream stream, String what, boolean finalFlush, Upload<T> upload, RuntimeException firstFailure)
            throws SQLException, StopRequested {
        WalSettings settings = context.settings();
        Backoff backoff = new Backoff(settings.retryInitialDelay(), settings.retryMaxDelay());
        int attempt = 0;
        RuntimeException failure = firstFailure;
        while (true) {
            if (failure == null) {
                try {
                    return upload.run();
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            if (failure instanceof WalConflictException conflict) {
                throw conflict;
            }
            attempt++;
            context.metrics().uploadError();
            if (attempt == 1 || attempt % 10 == 0) {
                LOG.warn("{}: storing {} failed (attempt {}), retrying: {}", context.target(), what, attempt,
                        InstanceStreamer.describe(failure));
            }
            context.status().accept("retrying upload of " + what + ": " + failure.getMessage());
            failure = null;
            Duration wait = backoff.next();
            StopSignal stop = context.stop();
            if (stop.isRequested()) {
                if (!finalFlush || stop.finalFlushDeadline(settings.stopTimeout()).minus(wait).isBefore(context.clock().instant())) {
                    throw new StopRequested();
                }
            }
            context.metrics().uploadRetry();
            sleepKeepingAlive(stream, wait, finalFlush);
        }
    }

    private void sleepKeepingAlive(ReplicationStream stream, Duration wait, boolean finalFlush) throws SQLException, StopRequested {
        Instant until = context.clock().instant().plus(wait);
        Duration slice = context.settings().statusInterval().dividedBy(2);
        while (context.clock().instant().isBefore(until)) {
            Duration left = Duration.between(context.clock().instant(), until);
            if (context.stop().isRequested() && !finalFlush) {
                throw new StopRequested();
            }
            try {
                context.pauses().sleep(Duration.ofMillis(Math.max(1, Math.min(left.toMillis(), slice.toMillis()))));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StopRequested();
            }
            stream.sendStatus(false);
        }
    }
}
