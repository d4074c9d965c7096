package io.tideline.core.kafka;

import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.DeadLetter;
import io.tideline.schemas.InstanceRegistered;
import io.tideline.schemas.ObjectCorrupted;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreProgress;
import io.tideline.schemas.RestoreRejected;
import io.tideline.schemas.RestoreRequested;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The topics of DESIGN.md. Names are compile-time constants so they can be used in
 * {@code @Topic(Topics.TIMELINE)}. Every record's key is the instance id.
 */
public final class Topics {

    /** {@code InstanceRegistered}, compacted: the latest registration of each instance; null value = removed. */
    public static final String INSTANCES = "tideline.instances";
    /** {@code BackupCommand}. */
    public static final String BACKUP_COMMANDS = "tideline.backup-commands";
    /** {@code BackupStarted/Completed/Failed}, {@code WalSegmentStored}, {@code WalGapDetected}, {@code ArtifactsExpired},
     * {@code RestoreDrillCompleted/Failed} (a drill is about the instance's backups, not a user's restore). */
    public static final String TIMELINE = "tideline.timeline";
    /** {@code RestoreRequested}, {@code RestoreCancelRequested} (keyed by the source instance). */
    public static final String RESTORE_REQUESTS = "tideline.restore-requests";
    /** {@code RestoreAccepted/Rejected/Progress/Completed/Failed}. */
    public static final String RESTORE_EVENTS = "tideline.restore-events";
    /** {@code DeadLetter}: records a consumer could not decode or rejected, with their origin. */
    public static final String DEAD_LETTERS = "tideline.dead-letters";

    /**
     * The largest record Tideline accepts, in bytes: every topic's {@code max.message.bytes} and
     * every producer's {@code max.request.size}, so a record a producer lets through is never
     * refused by the broker, and a larger one is refused by the producer before it is sent. Kafka's
     * own default (1 MiB); Tideline's events are a few hundred bytes.
     */
    public static final int MAX_RECORD_BYTES = 1024 * 1024;

    /** Every topic name, in DESIGN.md's order. */
    public static final List<String> ALL = List.of(INSTANCES, BACKUP_COMMANDS, TIMELINE, RESTORE_REQUESTS, RESTORE_EVENTS, DEAD_LETTERS);

    /** The event types each topic carries (DESIGN.md's topic table); anything else there is bad input. */
    private static final Map<String, Set<Class<? extends SpecificRecord>>> EVENT_TYPES = Map.of(
            INSTANCES, Set.of(InstanceRegistered.class),
            BACKUP_COMMANDS, Set.of(BackupCommand.class),
            TIMELINE, Set.of(BackupStarted.class, BackupProgress.class, BackupCompleted.class, BackupFailed.class,
                    WalSegmentStored.class, WalGapDetected.class, ArtifactsExpired.class, ObjectCorrupted.class,
                    RestoreDrillCompleted.class, RestoreDrillFailed.class),
            RESTORE_REQUESTS, Set.of(RestoreRequested.class, RestoreCancelRequested.class),
            RESTORE_EVENTS, Set.of(RestoreAccepted.class, RestoreRejected.class, RestoreProgress.class,
                    RestoreCompleted.class, RestoreFailed.class),
            DEAD_LETTERS, Set.of(DeadLetter.class));

    private Topics() {
    }

    /** The event types {@code topic} (one of {@link #ALL}) carries. */
    public static Set<Class<? extends SpecificRecord>> eventTypes(String topic) {
        Set<Class<? extends SpecificRecord>> types = EVENT_TYPES.get(topic);
        if (types == null) {
            throw new IllegalArgumentException("not a Tideline topic: " + topic);
        }
        return types;
    }

    /**
     * Why {@code event}, read from {@code topic}, is bad input there: a type the topic does not
     * carry, or a null value anywhere but on the compacted {@link #INSTANCES} (where it is the
     * removal of an instance); empty when it belongs there. A consumer throws
     * {@link InvalidRecordException} with it, so the record is dead-lettered and the consumer goes on.
     */
    public static Optional<String> misplaced(String topic, SpecificRecord event) {
        if (event == null) {
            return topic.equals(INSTANCES) ? Optional.empty()
                    : Optional.of("a record without a value on " + topic + " (only " + INSTANCES + " has tombstones)");
        }
        return eventTypes(topic).contains(event.getClass()) ? Optional.empty()
                : Optional.of(event.getSchema().getName() + " does not belong on " + topic);
    }

    /** {@code event} if it belongs on {@code topic} (see {@link #misplaced}); throws {@link InvalidRecordException} otherwise. */
    public static SpecificRecord expect(String topic, SpecificRecord event) {
        Optional<String> misplaced = misplaced(topic, event);
        if (misplaced.isPresent()) {
            throw new InvalidRecordException(misplaced.get());
        }
        return event;
    }

    /** The specs of every topic under {@code configuration}. */
    public static List<TopicSpec> specs(TopicsConfiguration configuration) {
        return ALL.stream().map(name -> spec(name, configuration)).toList();
    }

    /** The spec of one of {@link #ALL}. */
    public static TopicSpec spec(String name, TopicsConfiguration configuration) {
        if (!ALL.contains(name)) {
            throw new IllegalArgumentException("not a Tideline topic: " + name);
        }
        // with acks=all, a record is acknowledged once min.insync.replicas brokers have it (TopicsConfiguration)
        String minInSync = Integer.toString(configuration.effectiveMinInsyncReplicas());
        String maxRecord = Integer.toString(MAX_RECORD_BYTES);
        Map<String, String> configs = name.equals(INSTANCES)
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxRecord)
                : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(configuration.auditRetention().toMillis()),
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync,
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, maxRecord);
        return new TopicSpec(name, configuration.partitionsOf(name), configuration.replicationFactor(), configs);
    }
}
