package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.config.StartFailure;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The production profile's topic settings (issue 13 part 3, issue 18 part 5) as a service binds them. */
class TopicsConfigurationTest {

    private static Map<String, Object> withoutBroker(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", "false");
        return all;
    }

    @Test
    void theProductionProfileBindsReplicationMinInSyncAndPartitionsPerTopic() {
        try (ApplicationContext context = ApplicationContext.run(withoutBroker(Map.of(
                "tideline.kafka.topics.replication-factor", 3,
                "tideline.kafka.topics.min-insync-replicas", 2,
                "tideline.kafka.topics.partitions", 60,
                "tideline.kafka.topics.topic-partitions.timeline", 120,
                "tideline.kafka.topics.topic-partitions.dead-letters", 6)))) {
            TopicsConfiguration configuration = context.getBean(TopicsConfiguration.class);
            Map<String, TopicSpec> specs = Topics.specs(configuration).stream()
                    .collect(Collectors.toMap(TopicSpec::name, Function.identity()));

            assertEquals(120, specs.get(Topics.TIMELINE).partitions());
            assertEquals(6, specs.get(Topics.DEAD_LETTERS).partitions());
            for (String other : new String[] {Topics.INSTANCES, Topics.BACKUP_COMMANDS, Topics.RESTORE_REQUESTS, Topics.RESTORE_EVENTS}) {
                assertEquals(60, specs.get(other).partitions(), other);
            }
            for (TopicSpec spec : specs.values()) {
                assertEquals(3, spec.replicationFactor(), spec.name());
                assertEquals("2", spec.configs().get("min.insync.replicas"), spec.name());
            }
        }
    }

    @Test
    void theOneBrokerDefaultsStayOneReplicaAndOneInSync() {
        try (ApplicationContext context = ApplicationContext.run(withoutBroker(Map.of()))) {
            TopicsConfiguration configuration = context.getBean(TopicsConfiguration.class);
            assertEquals(TopicsConfiguration.defaults().replicationFactor(), configuration.replicationFactor());
            for (TopicSpec spec : Topics.specs(configuration)) {
                assertEquals(1, spec.replicationFactor(), spec.name());
                assertEquals("1", spec.configs().get("min.insync.replicas"), spec.name());
                assertEquals(3, spec.partitions(), spec.name());
            }
        }
    }

    @Test
    void minInSyncDefaultsToTwoWhereThereAreReplicasForIt() {
        TopicsConfiguration three = new TopicsConfiguration(60, (short) 3, Duration.ofDays(365), true);
        assertEquals(2, three.effectiveMinInsyncReplicas());
        TopicsConfiguration allInSync = new TopicsConfiguration(60, (short) 3, Duration.ofDays(365), true, (short) 3, Map.of());
        assertEquals(3, allInSync.effectiveMinInsyncReplicas());
    }

    @Test
    void impossibleOrMistypedSettingsStopTheStartNamingTheLine() {
        assertEquals("tideline.kafka.topics.min-insync-replicas must be between 1 and tideline.kafka.topics.replication-factor (1), not 2",
                startFailure(Map.of("tideline.kafka.topics.min-insync-replicas", 2)));
        String typo = startFailure(Map.of("tideline.kafka.topics.topic-partitions.timelines", 12));
        assertTrue(typo.startsWith("tideline.kafka.topics.topic-partitions.timelines must be the short name of one of Tideline's topics ["), typo);
        assertTrue(typo.contains("timeline") && typo.endsWith(", not 'timelines'"), typo);
        assertEquals("tideline.kafka.topics.topic-partitions.timeline must be at least 1, not 0",
                startFailure(Map.of("tideline.kafka.topics.topic-partitions.timeline", 0)));
    }

    private static String startFailure(Map<String, Object> properties) {
        return StartFailure.reason(assertThrows(RuntimeException.class, () -> ApplicationContext.run(withoutBroker(properties)).close()));
    }
}
