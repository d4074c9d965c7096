package io.tideline.flows;

import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/**
 * What a flow test saw on some topics, read from their beginning on a thread of its own, so a test can wait for
 * an event that may already have been published when it starts waiting.
 */
final class EventWatch implements AutoCloseable {

    private final List<ConsumerRecord<String, SpecificRecord>> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean watching = true;

    private EventWatch(String bootstrapServers, List<String> topics, String name) {
        thread = new Thread(() -> watch(bootstrapServers, topics), name);
        thread.setDaemon(true);
        thread.start();
    }

    static EventWatch start(String bootstrapServers, String name, String... topics) {
        return new EventWatch(bootstrapServers, List.of(topics), name);
    }

    /** The first event on {@code topic} that {@code which} accepts, waiting for it at most {@code timeout}. */
    SpecificRecord await(String topic, Predicate<SpecificRecord> which, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250))
                .until(() -> seen.stream().anyMatch(r -> matches(r, topic, which)));
        return seen.stream().filter(r -> matches(r, topic, which)).findFirst().orElseThrow().value();
    }

    /** The {@code restoreId} of a restore event, or null for an event without one. */
    static String restoreIdOf(SpecificRecord v) {
        var field = v.getSchema().getField("restoreId");
        return field == null ? null : String.valueOf(v.get(field.pos()));
    }

    @Override
    public void close() throws InterruptedException {
        watching = false;
        thread.join(5_000);
    }

    private static boolean matches(ConsumerRecord<String, SpecificRecord> r, String topic, Predicate<SpecificRecord> which) {
        return r.topic().equals(topic) && r.value() != null && which.test(r.value());
    }

    private void watch(String bootstrapServers, List<String> topics) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        EventCodec codec = EventCodec.standard();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (watching) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    try {
                        seen.add(new ConsumerRecord<>(r.topic(), r.partition(), r.offset(), r.key(),
                                r.value() == null ? null : codec.decode(r.value())));
                    } catch (RuntimeException e) {
                        // another test's record of a type this one does not read (the test bed's Kafka is shared)
                    }
                }
            }
        }
    }
}
