package io.tideline.archiver.wal;

import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link WalEvents} on Kafka: {@code tideline.timeline} and {@code tideline.backup-commands}, keyed by instance. */
final class KafkaWalEvents implements WalEvents {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaWalEvents.class);
    static final String REQUESTED_BY = "archiver";

    private final EventPublisher publisher;
    private final Clock clock;
    private final Consumer<InstanceId> onPublishFailure;

    KafkaWalEvents(EventPublisher publisher, Clock clock, Consumer<InstanceId> onPublishFailure) {
        this.publisher = publisher;
        this.clock = clock;
        this.onPublishFailure = onPublishFailure;
    }

    @Override
    public void segmentStored(InstanceId instance, StoredWalObject object) {
        WalSegmentStored event = WalSegmentStored.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(instance.value())
                .setOccurredAt(object.storedAt())
                .setTimeline((int) object.segment().timeline())
                .setSegment(object.segment().toString())
                .setStartLsn(object.start().toString())
                .setEndLsn(object.end().toString())
                .setBytes(object.rawBytes())
                .setStoredBytes(object.storedBytes())
                .setSha256(object.rawSha256().hex())
                .setObjectKey(object.key())
                .setStoredAt(object.storedAt())
                .setPartial(object.partial())
                .setCoveredUntil(object.coveredUntil().orElse(null))
                .build();
        // The object is stored whatever happens to this event; the producer retries for two minutes,
        // and the bucket stays the source of truth if it still fails.
        publisher.publish(Topics.TIMELINE, instance.value(), event).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.warn("{}: could not publish WalSegmentStored for {} (stored all the same): {}", instance, object.key(),
                        error.getMessage());
                onPublishFailure.accept(instance);
            }
        });
    }

    @Override
    public void gapDetected(WalGap gap) {
        Instant now = clock.instant();
        WalGapDetected event = WalGapDetected.newBuilder()
                .setEventId(gap.eventId())
                .setInstanceId(gap.instance().value())
                .setOccurredAt(now)
                .setTimeline((int) gap.timeline())
                .setMissingFromLsn(gap.missingFrom().toString())
                .setMissingToLsn(gap.availableFrom().toString())
                .setReason(gap.reason())
                .build();
        BackupCommand command = BackupCommands.command(gap.commandEventId(), gap.instance(), gap.commandId(), REQUESTED_BY, now);
        publisher.publishAndWait(Topics.TIMELINE, gap.instance().value(), event);
        publisher.publishAndWait(Topics.BACKUP_COMMANDS, gap.instance().value(), command);
    }
}
