package io.tideline.core.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Creator;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How Tideline's topics are created: {@code tideline.kafka.topics.*}. The defaults are the one-host
 * product (one broker); a production cluster sets {@code replication-factor: 3} (and so gets
 * {@code min.insync.replicas} 2) and {@code partitions} for the fleet it grows into (docs/deploy.md).
 *
 * @param partitions        partitions of every topic without an entry in {@code topicPartitions} (keys are instance
 *                          ids, so this bounds how many replicas of a service can share the instances); default
 *                          {@value #DEFAULT_PARTITIONS}. Only used when a topic is created: an existing topic keeps its
 *                          partitions (see {@link TopicCreator})
 * @param replicationFactor replicas of every partition; default {@value #DEFAULT_REPLICATION_FACTOR}
 *                          for the single-broker embedded runtime, 3 in production
 * @param auditRetention    how long the non-compacted topics keep records: they are the audit log;
 *                          default {@value #DEFAULT_AUDIT_RETENTION}
 * @param createOnStartup   whether services create/align the topics when they start; default {@value #DEFAULT_CREATE_ON_STARTUP}
 * @param minInsyncReplicas every topic's {@code min.insync.replicas}: how many replicas must have a record before the
 *                          producers' {@code acks=all} acknowledges it; between 1 and {@code replicationFactor}. Unset:
 *                          {@code min(2, replicationFactor)}, so a cluster of RF 3 survives the loss of one broker
 *                          without refusing writes or losing an acknowledged one
 * @param topicPartitions   partitions of single topics, by the topic's name without {@code tideline.} (e.g.
 *                          {@code tideline.kafka.topics.topic-partitions.timeline: 120}); others get {@code partitions}
 */
@ConfigurationProperties(TopicsConfiguration.PREFIX)
public record TopicsConfiguration(
        @Bindable(defaultValue = DEFAULT_PARTITIONS) int partitions,
        @Bindable(defaultValue = DEFAULT_REPLICATION_FACTOR) short replicationFactor,
        @Bindable(defaultValue = DEFAULT_AUDIT_RETENTION) Duration auditRetention,
        @Bindable(defaultValue = DEFAULT_CREATE_ON_STARTUP) boolean createOnStartup,
        @Nullable Short minInsyncReplicas,
        @Nullable Map<String, Integer> topicPartitions) {

    public static final String PREFIX = "tideline.kafka.topics";
    /** Topic names are this plus the key of {@link #topicPartitions}. */
    static final String TOPIC_NAME_PREFIX = "tideline.";
    static final String DEFAULT_PARTITIONS = "3";
    static final String DEFAULT_REPLICATION_FACTOR = "1";
    static final String DEFAULT_AUDIT_RETENTION = "365d";
    static final String DEFAULT_CREATE_ON_STARTUP = "true";
    /** With RF 3: one broker may be lost and writes go on; two lost and writes are refused, never half-stored. */
    static final int PREFERRED_MIN_INSYNC_REPLICAS = 2;

    @Creator
    public TopicsConfiguration {
        Require.atLeast(partitions, 1, PREFIX + ".partitions");
        Require.atLeast(replicationFactor, 1, PREFIX + ".replication-factor");
        Require.positive(auditRetention, PREFIX + ".audit-retention");
        if (minInsyncReplicas != null) {
            Require.that(minInsyncReplicas >= 1 && minInsyncReplicas <= replicationFactor, PREFIX + ".min-insync-replicas",
                    "between 1 and " + PREFIX + ".replication-factor (" + replicationFactor + ")", minInsyncReplicas);
        }
        topicPartitions = topicPartitions == null ? Map.of() : Map.copyOf(topicPartitions);
        topicPartitions.forEach((topic, count) -> {
            String property = PREFIX + ".topic-partitions." + topic;
            Require.that(Topics.ALL.contains(TOPIC_NAME_PREFIX + topic), property, "the short name of one of Tideline's topics "
                    + Topics.ALL.stream().map(t -> t.substring(TOPIC_NAME_PREFIX.length())).toList(), topic);
            Require.atLeast(count, 1, property);
        });
    }

    /** The settings before per-topic partitions and an explicit {@code min-insync-replicas}. */
    public TopicsConfiguration(int partitions, short replicationFactor, Duration auditRetention, boolean createOnStartup) {
        this(partitions, replicationFactor, auditRetention, createOnStartup, null, Map.of());
    }

    /** The defaults, for code that runs without a Micronaut context (CLI, tests). */
    public static TopicsConfiguration defaults() {
        return new TopicsConfiguration(Defaults.read(DEFAULT_PARTITIONS, Integer.class),
                Defaults.read(DEFAULT_REPLICATION_FACTOR, Short.class), Defaults.read(DEFAULT_AUDIT_RETENTION, Duration.class),
                Defaults.read(DEFAULT_CREATE_ON_STARTUP, Boolean.class));
    }

    /** The partitions {@code topic} (a full name, one of {@link Topics#ALL}) is created with. */
    public int partitionsOf(String topic) {
        return topic.startsWith(TOPIC_NAME_PREFIX)
                ? topicPartitions.getOrDefault(topic.substring(TOPIC_NAME_PREFIX.length()), partitions)
                : partitions;
    }

    /** The {@code min.insync.replicas} of every topic: the configured one, else {@code min(2, replicationFactor)}. */
    public int effectiveMinInsyncReplicas() {
        return Optional.ofNullable(minInsyncReplicas).map(Short::intValue)
                .orElse(Math.min(PREFERRED_MIN_INSYNC_REPLICAS, replicationFactor));
    }
}
