package io.tideline.archiver.basebackup;

import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Test helper: every record of some topics from their beginning (no consumer group), decoded, in
 * the order read. Tests filter by their own instance ids, since the topics are shared by the JVM.
 */
final class EventLog implements AutoCloseable {

    /** A decoded record with where it came from. */
    record Event(String topic, int partition, long offset, String key, SpecificRecord value) {
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec = EventCodec.standard();
    private final List<Event> events = new ArrayList<>();

    EventLog(String bootstrapServers, String... topics) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic, Duration.ofSeconds(10))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads what has arrived since the last call; returns everything read so far. */
    synchronized List<Event> poll() {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            SpecificRecord value = r.value() == null ? null : codec.decode(r.value());
            events.add(new Event(r.topic(), r.partition(), r.offset(), r.key(), value));
        }
        return List.copyOf(events);
    }

    /** Values of type {@code type} matching {@code filter}, in read order (after a poll). */
    <T extends SpecificRecord> List<T> all(Class<T> type, Predicate<T> filter) {
        return poll().stream().map(Event::value).filter(type::isInstance).map(type::cast).filter(filter).toList();
    }

    /** Every decoded record of {@code key}, in read order (after a poll). */
    List<Event> of(String key) {
        return poll().stream().filter(e -> key.equals(e.key())).toList();
    }

    @Override
    public synchronized void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
