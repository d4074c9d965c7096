package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupLabel;
import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.storage.BucketLayout;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupPhase;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The backup's story on {@code tideline.timeline}, keyed by instance. Started, completed and failed are
 * published and acknowledged before the archiver goes on (a completion is a promise that must not be
 * lost); progress is fire-and-forget.
 */
final class BackupEvents {

    private final EventPublisher publisher;
    private final Clock clock;
    private final BackupMetrics metrics;

    BackupEvents(EventPublisher publisher, Clock clock, BackupMetrics metrics) {
        this.publisher = publisher;
        this.clock = clock;
        this.metrics = metrics;
    }

    void started(InstanceId instance, BackupId backup, String commandId, BackupLabel label, Instant startedAt) {
        publisher.publishAndWait(Topics.TIMELINE, instance.value(), BackupStarted.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(instance.value()).setOccurredAt(clock.instant())
                .setBackupId(backup.value()).setCommandId(commandId)
                .setTimeline((int) label.timeline()).setStartLsn(label.startLsn().toString()).setStartedAt(startedAt)
                .build());
    }

    CompletableFuture<?> progress(InstanceId instance, BackupId backup, String commandId, BackupPhase phase,
                                  long bytesDone, OptionalLong bytesTotal, long bytesStored, String message) {
        return publisher.publish(Topics.TIMELINE, instance.value(), BackupProgress.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(instance.value()).setOccurredAt(clock.instant())
                .setBackupId(backup.value()).setCommandId(commandId).setPhase(phase)
                .setBytesDone(bytesDone).setBytesTotal(bytesTotal.isPresent() ? bytesTotal.getAsLong() : null)
                .setBytesStored(bytesStored).setMessage(message == null || message.isEmpty() ? null : message)
                .build());
    }

    void completed(BackupManifest manifest, BucketLayout layout) {
        publisher.publishAndWait(Topics.TIMELINE, manifest.instanceId().value(), BackupCompleted.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(manifest.instanceId().value()).setOccurredAt(clock.instant())
                .setBackupId(manifest.backupId().value()).setCommandId(manifest.commandId())
                .setTimeline((int) manifest.timeline())
                .setStartLsn(manifest.startLsn().toString()).setEndLsn(manifest.endLsn().toString())
                .setStartedAt(manifest.startedAt()).setFinishedAt(manifest.finishedAt())
                .setBytesRaw(manifest.rawBytes()).setBytesStored(manifest.storedBytes())
                .setManifestKey(layout.backupManifest(manifest.backupId()))
                .build());
        // Counted once Kafka has the completion: the metric never says more than the timeline.
        metrics.completed(manifest.instanceId(), Duration.between(manifest.startedAt(), clock.instant()));
    }

    /** {@code startedAt} is null when no {@code BackupStarted} was published for this backup. */
    void failed(InstanceId instance, BackupId backup, String commandId, Instant startedAt, String reason) {
        publisher.publishAndWait(Topics.TIMELINE, instance.value(), BackupFailed.newBuilder()
                .setEventId(UUID.randomUUID()).setInstanceId(instance.value()).setOccurredAt(clock.instant())
                .setBackupId(backup.value()).setCommandId(commandId).setStartedAt(startedAt)
                .setReason(reason).build());
        metrics.failed(instance);
    }
}
