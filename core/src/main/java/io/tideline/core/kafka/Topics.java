package io.tideline.core.kafka;

import java.util.List;
import java.util.Map;
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
    /** {@code BackupStarted/Completed/Failed}, {@code WalSegmentStored}, {@code WalGapDetected}, {@code ArtifactsExpired}. */
    public static final String TIMELINE = "tideline.timeline";
    /** {@code RestoreRequested}. */
    public static final String RESTORE_REQUESTS = "tideline.restore-requests";
    /** {@code RestoreAccepted/Rejected/Progress/Completed/Failed}. */
    public static final String RESTORE_EVENTS = "tideline.restore-events";
    /** {@code DeadLetter}: records a consumer could not decode or rejected, with their origin. */
    public static final String DEAD_LETTERS = "tideline.dead-letters";

    /** Every topic name, in DESIGN.md's order. */
    public static final List<String> ALL = List.of(INSTANCES, BACKUP_COMMANDS, TIMELINE, RESTORE_REQUESTS, RESTORE_EVENTS, DEAD_LETTERS);

    private Topics() {
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
        // with acks=all, 2 in-sync replicas survive one broker loss without refusing writes;
        // a smaller cluster can only ask for what it has
        String minInSync = Integer.toString(Math.min(2, configuration.replicationFactor()));
        Map<String, String> configs = name.equals(INSTANCES)
                ? Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync)
                : Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(configuration.auditRetention().toMillis()),
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, minInSync);
        return new TopicSpec(name, configuration.partitions(), configuration.replicationFactor(), configs);
    }
}
