package io.tideline.core.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.time.Duration;

/**
 * How Tideline's topics are created: {@code tideline.kafka.topics.*}.
 *
 * @param partitions        partitions of every topic (keys are instance ids, so this bounds how many
 *                          replicas of a service can share the instances); default {@value #DEFAULT_PARTITIONS}
 * @param replicationFactor replicas of every partition; default {@value #DEFAULT_REPLICATION_FACTOR}
 *                          for the single-broker embedded runtime, 3 in production
 * @param auditRetention    how long the non-compacted topics keep records: they are the audit log;
 *                          default {@value #DEFAULT_AUDIT_RETENTION}
 * @param createOnStartup   whether services create/align the topics when they start; default true
 */
@ConfigurationProperties(TopicsConfiguration.PREFIX)
public record TopicsConfiguration(
        @Bindable(defaultValue = DEFAULT_PARTITIONS) int partitions,
        @Bindable(defaultValue = DEFAULT_REPLICATION_FACTOR) short replicationFactor,
        @Bindable(defaultValue = DEFAULT_AUDIT_RETENTION) Duration auditRetention,
        @Bindable(defaultValue = "true") boolean createOnStartup) {

    public static final String PREFIX = "tideline.kafka.topics";
    public static final String DEFAULT_PARTITIONS = "3";
    public static final String DEFAULT_REPLICATION_FACTOR = "1";
    public static final String DEFAULT_AUDIT_RETENTION = "365d";

    public TopicsConfiguration {
        if (partitions < 1) {
            throw new IllegalArgumentException(PREFIX + ".partitions must be at least 1, got " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException(PREFIX + ".replication-factor must be at least 1, got " + replicationFactor);
        }
        if (auditRetention == null || auditRetention.isNegative() || auditRetention.isZero()) {
            throw new IllegalArgumentException(PREFIX + ".audit-retention must be positive, got " + auditRetention);
        }
    }

    /** The defaults, for code that runs without a Micronaut context (CLI, tests). */
    public static TopicsConfiguration defaults() {
        return new TopicsConfiguration(Integer.parseInt(DEFAULT_PARTITIONS), Short.parseShort(DEFAULT_REPLICATION_FACTOR),
                Duration.ofDays(365), true);
    }
}
