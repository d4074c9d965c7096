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
                "tideline.restore-requests", "tideline.restore-events", "tideline.dead-letters", "tideline.agents"), names);
    }

    @Test
    void instancesIsCompactedAndTheOthersKeepAYear() {
        for (TopicSpec spec : Topics.specs(TopicsConfiguration.defaults())) {
            if (spec.name().equals(Topics.INSTANCES) || spec.name().equals(Topics.AGENTS)) {
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

    @Test
    void everyEventTypeBelongsOnExactlyOneTopic() {
        for (Class<? extends org.apache.avro.specific.SpecificRecord> type : io.tideline.schemas.serde.EventTypes.ALL) {
            assertEquals(1, Topics.ALL.stream().filter(t -> Topics.eventTypes(t).contains(type)).count(), type.getName());
        }
    }

    /** Issue 17: a wrong type or an empty record is bad input everywhere but a tombstone on the instances. */
    @Test
    void wrongTypesAndNullsAreMisplacedExceptATombstoneOnTheInstances() {
        io.tideline.schemas.BackupCommand command = io.tideline.schemas.BackupCommand.newBuilder()
                .setEventId(java.util.UUID.randomUUID()).setInstanceId("pg-1").setOccurredAt(java.time.Instant.EPOCH)
                .setCommandId("c").setReason(io.tideline.schemas.BackupReason.ON_DEMAND).setRequestedBy("me")
                .setRequestedAt(java.time.Instant.EPOCH).build();

        assertEquals(command, Topics.expect(Topics.BACKUP_COMMANDS, command));
        assertEquals(null, Topics.expect(Topics.INSTANCES, null));
        InvalidRecordException wrong = assertThrows(InvalidRecordException.class, () -> Topics.expect(Topics.TIMELINE, command));
        assertEquals("BackupCommand does not belong on tideline.timeline", wrong.reason());
        InvalidRecordException empty = assertThrows(InvalidRecordException.class, () -> Topics.expect(Topics.RESTORE_EVENTS, null));
        assertTrue(empty.reason().startsWith("a record without a value on tideline.restore-events"), empty.reason());
    }

    @Test
    void producersAndTopicsAgreeOnTheLargestRecord() {
        for (TopicSpec spec : Topics.specs(TopicsConfiguration.defaults())) {
            assertEquals(Integer.toString(Topics.MAX_RECORD_BYTES), spec.configs().get("max.message.bytes"), spec.name());
        }
        assertEquals(Topics.MAX_RECORD_BYTES, EventPublisher.producerConfig("localhost:9092").get("max.request.size"));
    }
}
