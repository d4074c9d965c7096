package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

    private static final long ONE_YEAR_MS = Duration.ofDays(365).toMillis();

    @Test
    void everyTopicOfTheDesignIsSpecified() {
        List<String> names = Topics.specs(TopicsConfiguration.defaults()).stream().map(TopicSpec::name).toList();

        assertEquals(List.of("tideline.instances", "tideline.backup-commands", "tideline.timeline",
                "tideline.restore-requests", "tideline.restore-events", "tideline.dead-letters"), names);
    }

    @Test
    void instancesIsCompactedAndTheOthersKeepAYear() {
        for (TopicSpec spec : Topics.specs(TopicsConfiguration.defaults())) {
            if (spec.name().equals(Topics.INSTANCES)) {
                assertEquals("compact", spec.configs().get("cleanup.policy"));
                assertFalse(spec.configs().containsKey("retention.ms"), "a compacted registry keeps the latest value of every key");
            } else {
                assertEquals("delete", spec.configs().get("cleanup.policy"), spec.name());
                assertTrue(Long.parseLong(spec.configs().get("retention.ms")) >= ONE_YEAR_MS, spec.name());
            }
        }
    }

    @Test
    void partitionsReplicationAndMinInSyncFollowTheConfiguration() {
        TopicSpec production = Topics.spec(Topics.TIMELINE, new TopicsConfiguration(12, (short) 3, Duration.ofDays(400), true));
        TopicSpec embedded = Topics.spec(Topics.TIMELINE, TopicsConfiguration.defaults());

        assertEquals(12, production.partitions());
        assertEquals(3, production.replicationFactor());
        assertEquals("2", production.configs().get("min.insync.replicas"));
        assertEquals(Long.toString(Duration.ofDays(400).toMillis()), production.configs().get("retention.ms"));
        assertEquals(3, embedded.partitions());
        assertEquals(1, embedded.replicationFactor());
        assertEquals("1", embedded.configs().get("min.insync.replicas"));
    }

    @Test
    void unknownTopicsAndBadSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Topics.spec("tideline.other", TopicsConfiguration.defaults()));
        assertThrows(IllegalArgumentException.class, () -> new TopicsConfiguration(0, (short) 1, Duration.ofDays(1), true));
        assertThrows(IllegalArgumentException.class, () -> new TopicsConfiguration(1, (short) 0, Duration.ofDays(1), true));
        assertThrows(IllegalArgumentException.class, () -> new TopicsConfiguration(1, (short) 1, Duration.ZERO, true));
        assertThrows(IllegalArgumentException.class, () -> new TopicSpec("bad name", 1, (short) 1, java.util.Map.of()));
    }
}
