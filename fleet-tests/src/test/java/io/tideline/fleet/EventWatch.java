package io.tideline.fleet;

import io.tideline.core.kafka.KafkaConnection;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;

/** Every event of some topics, read from the beginning by the test (no group: it takes nothing from a service). */
final class EventWatch implements AutoCloseable {

    private final List<SpecificRecord> seen = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean watching = true;

    EventWatch(KafkaConnection connection, List<String> topics) {
        thread = new Thread(() -> watch(connection, topics), "fleet-event-watch");
        thread.setDaemon(true);
        thread.start();
    }

    private void watch(KafkaConnection connection, List<String> topics) {
        Properties p = connection.properties();
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        EventCodec codec = EventCodec.standard();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : topics) {
                consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (watching) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> {
                    if (r.value() != null) {
                        try {
                            seen.add(codec.decode(r.value()));
                        } catch (RuntimeException e) {
                            // not an event of ours: not this watcher's to judge
                        }
                    }
                });
            }
        }
    }

    <T extends SpecificRecord> List<T> all(Class<T> type, Predicate<T> which) {
        return seen.stream().filter(type::isInstance).map(type::cast).filter(which).toList();
    }

    <T extends SpecificRecord> T await(Class<T> type, Predicate<T> which, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> !all(type, which).isEmpty());
        return all(type, which).get(0);
    }

    /** The first event matching {@code end} among several types (e.g. a restore's completion or failure). */
    SpecificRecord awaitAny(Predicate<SpecificRecord> end, Duration timeout) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> seen.stream().anyMatch(end));
        return seen.stream().filter(end).findFirst().orElseThrow();
    }

    @Override
    public void close() throws InterruptedException {
        watching = false;
        thread.join(5_000);
    }
}
