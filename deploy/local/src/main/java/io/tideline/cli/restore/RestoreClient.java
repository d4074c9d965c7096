package io.tideline.cli.restore;

import io.tideline.cli.CliException;
import io.tideline.cli.events.Event;
import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * Asks for a restore through the services' API (the server, not the client, writes who asked into
 * {@code RestoreRequested}: issue 14.2) and follows {@code tideline.restore-events} for its restore id until the
 * restore completed, failed or was rejected. The restore service does the work.
 */
public final class RestoreClient {

    /** Asks the API for a restore; returns its id. Throws {@code CliException} (REFUSED) with the API's reason. */
    public interface Requester {
        String request(RegisteredInstance source, RestoreTarget target, Optional<String> newName);

        /** Asks the API to cancel the restore. */
        void cancel(String restoreId);
    }

    /** Told what happens, for a progress display. */
    public interface Listener {
        void requested(String restoreId);

        void accepted(RestoreAccepted accepted);

        void progress(RestoreProgress progress);
    }

    /** A completed restore: the new instance answers and is registered. */
    public record Completed(String restoreId, Instant requestedAt, RestoreAccepted accepted, RestoreCompleted event) {
    }

    private static final Duration READ_TIMEOUT = Duration.ofMinutes(1);

    private final KafkaAccess kafka;
    private final Clock clock;

    public RestoreClient(KafkaAccess kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
    }

    /**
     * @param answerTimeout how long to wait for the restore service to accept or reject
     * @param timeout       how long the whole restore may take
     * @throws CliException {@code REFUSED} with the service's reason on {@code RestoreRejected}/{@code RestoreFailed};
     *                      {@code FAILURE} when no answer comes in time
     */
    public Completed restore(RegisteredInstance source, RestoreTarget target, Optional<String> newName, Requester requester,
                             Duration answerTimeout, Duration timeout, Listener listener) {
        String sourceId = source.id().value();
        // the stream is opened at its end BEFORE the request, so no answer can slip past
        try (EventStream events = kafka.fromEnd(Topics.RESTORE_EVENTS)) {
            Instant now = clock.instant();
            String restoreId = requester.request(source, target, newName);
            listener.requested(restoreId);
            return await(events, restoreId, sourceId, now, null, answerTimeout, timeout, listener);
        }
    }

    /** Every restore in the log (read to its end now). */
    public RestoreLog log() {
        List<Event> requests;
        try (EventStream stream = kafka.fromBeginning(Topics.RESTORE_REQUESTS)) {
            requests = stream.readToEndAtOpen(READ_TIMEOUT);
        }
        try (EventStream stream = kafka.fromBeginning(Topics.RESTORE_EVENTS)) {
            return RestoreLog.of(requests, stream.readToEndAtOpen(READ_TIMEOUT));
        }
    }

    /**
     * Follows a restore (started by anyone, from anywhere) to its end: its events so far are replayed to
     * {@code listener}, then the new ones as they come.
     *
     * @throws CliException {@code REFUSED} when it was rejected, failed or cancelled; {@code FAILURE} when it is
     *                      unknown or does not end within {@code timeout}
     */
    public Completed follow(RestoreLog.Restore restore, Duration timeout, Listener listener) {
        try (EventStream events = kafka.fromBeginning(Topics.RESTORE_EVENTS)) {
            Instant requestedAt = restore.requestedAt() == null ? clock.instant() : restore.requestedAt();
            // Accepted long ago, or not yet: either way there is no answer to wait for separately.
            return await(events, restore.restoreId(), restore.source(), requestedAt, null, timeout, timeout, listener);
        }
    }

    /**
     * Asks the restore service to cancel {@code restore} and follows it until it ended.
     *
     * @return the restore's end: CANCELLED, or COMPLETED when it finished before the cancel arrived
     */
    public RestoreLog.Restore cancel(RestoreLog.Restore restore, Requester requester, Duration timeout) {
        try (EventStream events = kafka.fromEnd(Topics.RESTORE_EVENTS)) {
            requester.cancel(restore.restoreId());
            long deadline = System.nanoTime() + timeout.toNanos();
            RestoreLog log = new RestoreLog();
            while (System.nanoTime() < deadline) {
                for (Event event : events.poll(Duration.ofMillis(250))) {
                    log.add(event);
                }
                try {
                    RestoreLog.Restore now = log.find(restore.restoreId());
                    if (now.state().ended()) {
                        return now;
                    }
                } catch (IllegalArgumentException notYet) {
                    // nothing about it yet
                }
            }
            throw CliException.failure("restore " + restore.restoreId() + " did not stop within " + timeout.toSeconds()
                    + " s of the cancel (is the restore service running? see ./tideline restores)");
        }
    }

    private Completed await(EventStream events, String restoreId, String sourceId, Instant now, RestoreAccepted acceptedBefore,
                            Duration answerTimeout, Duration timeout, Listener listener) {
        {
            long start = System.nanoTime();
            RestoreAccepted accepted = acceptedBefore;
            while (true) {
                long elapsed = System.nanoTime() - start;
                if (accepted == null && elapsed > answerTimeout.toNanos()) {
                    throw CliException.failure("the restore service did not answer restore " + restoreId + " within "
                            + answerTimeout.toSeconds() + " s (is it running? see ./tideline status)");
                }
                if (elapsed > timeout.toNanos()) {
                    throw CliException.failure("restore " + restoreId + " did not finish within " + timeout.toMinutes()
                            + " min (it may still finish: see ./tideline audit)");
                }
                for (Event event : events.poll(Duration.ofMillis(250))) {
                    Optional<SpecificRecord> value = event.value();
                    if (!sourceId.equals(event.key()) || value.isEmpty()) {
                        continue;
                    }
                    SpecificRecord v = value.get();
                    if (v instanceof RestoreAccepted a && restoreId.equals(a.getRestoreId())) {
                        accepted = a;
                        listener.accepted(a);
                    } else if (v instanceof RestoreProgress p && restoreId.equals(p.getRestoreId())) {
                        listener.progress(p);
                    } else if (v instanceof RestoreCompleted c && restoreId.equals(c.getRestoreId())) {
                        return new Completed(restoreId, now, accepted, c);
                    } else if (v instanceof RestoreRejected r && restoreId.equals(r.getRestoreId())) {
                        throw CliException.refused("restore rejected: " + r.getReason());
                    } else if (v instanceof RestoreFailed f && restoreId.equals(f.getRestoreId())) {
                        throw CliException.refused((f.getReason().startsWith("cancelled by ") ? "restore " : "restore failed: ")
                                + f.getReason());
                    }
                }
            }
        }
    }
}
