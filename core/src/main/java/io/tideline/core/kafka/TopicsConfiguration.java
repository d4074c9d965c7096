package io.tideline.core.kafka;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.tideline.core.config.Defaults;
import io.tideline.core.config.Require;
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
 * @param createOnStartup   whether services create/align the topics when they start; default {@value #DEFAULT_CREATE_ON_STARTUP}
 */
@ConfigurationProperties(TopicsConfiguration.PREFIX)
public record TopicsConfiguration(
        @Bindable(defaultValue = DEFAULT_PARTITIONS) int partitions,
        @Bindable(defaultValue = DEFAULT_REPLICATION_FACTOR) short replicationFactor,
        @Bindable(defaultValue = DEFAULT_AUDIT_RETENTION) Duration auditRetention,
        @Bindable(defaultValue = DEFAULT_CREATE_ON_STARTUP) boolean createOnStartup) {

    public static final String PREFIX = "tideline.kafka.topics";
    static final String DEFAULT_PARTITIONS = "3";
    static final String DEFAULT_REPLICATION_FACTOR = "1";
    static final String DEFAULT_AUDIT_RETENTION = "365d";
    static final String DEFAULT_CREATE_ON_STARTUP = "true";

    public TopicsConfiguration {
        Require.atLeast(partitions, 1, PREFIX + ".partitions");
        Require.atLeast(replicationFactor, 1, PREFIX + ".replication-factor");
        Require.positive(auditRetention, PREFIX + ".audit-retention");
    }

    /** The defaults, for code that runs without a Micronaut context (CLI, tests). */
    public static TopicsConfiguration defaults() {
        return new TopicsConfiguration(Defaults.read(DEFAULT_PARTITIONS, Integer.class),
                Defaults.read(DEFAULT_REPLICATION_FACTOR, Short.class), Defaults.read(DEFAULT_AUDIT_RETENTION, Duration.class),
                Defaults.read(DEFAULT_CREATE_ON_STARTUP, Boolean.class));
    }
}
