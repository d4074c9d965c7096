package io.tideline.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.kafka.TopicsConfiguration;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsCheckTest {

    private static String startFailure(Map<String, Object> properties) {
        Map<String, Object> all = new HashMap<>(properties);
        all.put("tideline.kafka.topics.create-on-startup", "false");
        return StartFailure.reason(assertThrows(RuntimeException.class, () -> ApplicationContext.run(all).close()));
    }

    @Test
    void aValueThatCannotBeReadStopsTheStartInsteadOfFallingBackToTheDefault() {
        String reason = startFailure(Map.of("tideline.kafka.topics.audit-retention", "a year"));
        assertTrue(reason.startsWith("tideline.kafka.topics.audit-retention must be a Duration"), reason);
        assertTrue(reason.endsWith(", not 'a year'"), reason);
        assertTrue(startFailure(Map.of("tideline.storage.max-attempts", "many"))
                .startsWith("tideline.storage.max-attempts must be an int"));
    }

    @Test
    void aValueTheRecordRefusesStopsTheStartWithTheRecordsMessage() {
        assertEquals("tideline.kafka.topics.partitions must be at least 1, not 0",
                startFailure(Map.of("tideline.kafka.topics.partitions", "0")));
    }

    @Test
    void readableValuesStartAndBind() {
        try (ApplicationContext context = ApplicationContext.run(Map.of("tideline.kafka.topics.create-on-startup", "false",
                "tideline.kafka.topics.audit-retention", "30d", "tideline.kafka.topics.partitions", 6))) {
            TopicsConfiguration topics = context.getBean(TopicsConfiguration.class);
            assertEquals(Duration.ofDays(30), topics.auditRetention());
            assertEquals(6, topics.partitions());
            assertEquals(TopicsConfiguration.defaults().replicationFactor(), topics.replicationFactor());
        }
    }
}
