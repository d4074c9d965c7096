package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the restore events on {@code tideline.restore-events}, keyed by the SOURCE instance (so they
 * stay in order with its request), and records each in the {@link RestoreLedger} once Kafka has it.
 * The answers (accepted, rejected, completed, failed) are published and waited for; progress is sent
 * without waiting (a lost progress event is only a gap in a progress bar).
 */
@Singleton
final class RestoreEvents {

    private static final Logger LOG = LoggerFactory.getLogger(RestoreEvents.class);

    private final EventPublisher publisher;
    private final RestoreLedger ledger;
    private final Clock clock;
    private final RestoreMetrics metrics;

    RestoreEvents(@jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher, RestoreLedger ledger, Clock clock, RestoreMetrics metrics) {
        this.publisher = publisher;
        this.ledger = ledger;
        this.clock = clock;
        this.metrics = metrics;
    }

    void accepted(RestorePlan plan) {
        answer(plan.sourceId().value(), RestoreAccepted.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(plan.sourceId().value())
                .setOccurredAt(clock.instant())
                .setRestoreId(plan.restoreId().value())
                .setNewInstanceId(plan.newInstance().value())
                .setBackupId(plan.backupEntry().id().value())
                .setTarget(plan.target().asEventText())
                .build());
        metrics.accepted();
    }

    void rejected(RestoreRequest request, String reason) {
        answer(request.source(), RestoreRejected.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(request.source())
                .setOccurredAt(clock.instant())
                .setRestoreId(request.restoreId().value())
                .setReason(reason)
                .build());
        metrics.rejected();
    }

    /** The clock events are stamped with. */
    java.time.Clock clock() {
        return clock;
    }

    void completed(RestoreCompleted event) {
        answer(event.getInstanceId(), event);
        metrics.completed(RestoreId.of(event.getRestoreId()), clock.instant());
    }

    void failed(RestoreId restoreId, String source, String reason, Optional<String> newInstance) {
        answer(source, RestoreFailed.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(source)
                .setOccurredAt(clock.instant())
                .setRestoreId(restoreId.value())
                .setReason(reason)
                .setNewInstanceId(newInstance.orElse(null))
                .build());
        metrics.failed(restoreId, clock.instant());
    }

    void progress(RestoreTracker tracker) {
        var event = tracker.snapshot(clock.instant());
        publisher.publish(Topics.RESTORE_EVENTS, tracker.source(), event).whenComplete((meta, error) -> {
            if (error != null) {
                LOG.warn("restore {}: progress not published: {}", tracker.restoreId(), error.getMessage());
            } else {
                ledger.apply(event);
                metrics.progress(tracker.restoreId(), event.getPhase(), event.getOccurredAt());
            }
        });
    }

    Instant now() {
        return clock.instant();
    }

    private void answer(String key, SpecificRecord event) {
        publisher.publishAndWait(Topics.RESTORE_EVENTS, key, event);
        ledger.apply(event);
    }
}
