package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

/** Every Tideline producer builds on these settings (issue 13 part 3): nothing is "published" before min.insync brokers have it. */
class EventPublisherConfigTest {

    @Test
    void producersWaitForEveryInSyncReplicaAndNeverDuplicateOnRetry() {
        Map<String, Object> config = EventPublisher.producerConfig("broker-1:9092,broker-2:9092");

        assertEquals("all", config.get(ProducerConfig.ACKS_CONFIG));
        assertEquals(true, config.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG));
        // idempotence keeps order only up to 5 requests in flight per connection
        assertTrue((Integer) config.get(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION) <= 5);
        // retries are left to Kafka's default (until delivery.timeout.ms): a failover is ridden out, not surfaced
        assertFalse(config.containsKey(ProducerConfig.RETRIES_CONFIG));
    }
}
