package io.tideline.core.kafka;

import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Settings of the consumers that replay a whole topic from the beginning with no consumer group
 * ({@link TopicReplay}, restore-service's one-shot restore ledger read): raw bytes decoded by the
 * reader itself, so one undecodable record is skipped rather than stopping the replay, and nothing
 * committed.
 */
public final class ReplayConsumers {

    private ReplayConsumers() {
    }

    public static Properties properties(String bootstrapServers, String clientIdPrefix) {
        return properties(KafkaConnection.plaintext(bootstrapServers), clientIdPrefix);
    }

    /** {@link #properties(String, String)} as the principal of {@code connection}. */
    public static Properties properties(KafkaConnection connection, String clientIdPrefix) {
        Properties props = connection.properties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientIdPrefix + Long.toHexString(System.nanoTime()));
        return props;
    }
}
