package io.tideline.restore.drill;

import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import io.tideline.schemas.RestoreDrillRun;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Publishes a drill's outcome on {@code tideline.timeline} keyed by the drilled instance (with its backups:
 * a drill is about them, and it must not be read as a user's restore), and hands it to the
 * {@link DrillHistory} once Kafka has it.
 */
final class DrillEvents {

    private final EventPublisher publisher;
    private final DrillHistory history;
    private final Clock clock;

    DrillEvents(EventPublisher publisher, DrillHistory history, Clock clock) {
        this.publisher = publisher;
        this.history = history;
        this.clock = clock;
    }

    Instant now() {
        return clock.instant();
    }

    RestoreDrillCompleted completed(RegisteredInstance instance, String drillId, Instant startedAt, List<RestoreDrillRun> runs) {
        long rto = runs.stream().mapToLong(RestoreDrillRun::getRtoMillis).max().orElse(0);
        RestoreDrillCompleted event = RestoreDrillCompleted.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(instance.id().value())
                .setOccurredAt(clock.instant())
                .setDrillId(drillId)
                .setStartedAt(startedAt)
                .setPolicy(instance.restoreDrill().toEvent())
                .setRtoMillis(rto)
                .setRuns(runs)
                .build();
        publish(instance, event);
        return event;
    }

    RestoreDrillFailed failed(RegisteredInstance instance, String drillId, Instant startedAt, String reason,
                              Optional<String> failedTarget, List<RestoreDrillRun> runs) {
        RestoreDrillFailed event = RestoreDrillFailed.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(instance.id().value())
                .setOccurredAt(clock.instant())
                .setDrillId(drillId)
                .setStartedAt(startedAt)
                .setPolicy(instance.restoreDrill().toEvent())
                .setReason(reason)
                .setFailedTarget(failedTarget.orElse(null))
                .setRuns(runs)
                .build();
        publish(instance, event);
        return event;
    }

    static long millis(Duration d) {
        return d.toMillis();
    }

    private void publish(RegisteredInstance instance, SpecificRecord event) {
        publisher.publishAndWait(Topics.TIMELINE, instance.id().value(), event);
        history.apply(event);
    }
}
