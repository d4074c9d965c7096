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
import io.tideline.schemas.RestoreRequested;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Publishes a {@code RestoreRequested} and follows {@code tideline.restore-events} for its restore id
 * until the restore completed, failed or was rejected. Like every client it only talks through Kafka:
 * the restore service does the work.
 */
public final class RestoreClient {

    /** Told what happens, for a progress display. */
    public interface Listener {
        void requested(String restoreId);

        void accepted(RestoreAccepted accepted);

        void progress(RestoreProgress progress);
    }

    /** A completed restore: the new instance answers and is registered. */
    public record Completed(String restoreId, Instant requestedAt, RestoreAccepted accepted, RestoreCompleted event) {
    }

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
    public Completed restore(RegisteredInstance source, RestoreTarget target, Optional<String> newName, String requestedBy,
                             Duration answerTimeout, Duration timeout, Listener listener) {
        String sourceId = source.id().value();
        String restoreId = UUID.randomUUID().toString();
        try (EventStream events = kafka.fromEnd(Topics.RESTORE_EVENTS)) {
            Instant now = clock.instant();
            RestoreRequested request = RestoreRequested.newBuilder()
                    .setEventId(UUID.randomUUID())
                    .setInstanceId(sourceId)
                    .setOccurredAt(now)
                    .setRestoreId(restoreId)
                    .setTarget(target.asEventText())
                    .setNewName(newName.orElse(null))
                    .setRequestedBy(requestedBy)
                    .setExclusive(target.exclusive())
                    .build();
            kafka.publish(Topics.RESTORE_REQUESTS, sourceId, request);
            listener.requested(restoreId);
            long start = System.nanoTime();
            RestoreAccepted accepted = null;
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
                        throw CliException.refused("restore failed: " + f.getReason());
                    }
                }
            }
        }
    }
}
