package io.tideline.cli.events;

import io.tideline.cli.CliException;
import io.tideline.schemas.serde.EventCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A reader of every partition of one topic, without a consumer group (the CLI only watches; it must
 * never take records away from a service). Values are decoded here, so one undecodable record is
 * reported rather than stopping the stream.
 */
public final class EventStream implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final EventCodec codec;
    private final Map<TopicPartition, Long> endAtOpen;

    private EventStream(KafkaConsumer<String, byte[]> consumer, EventCodec codec, Map<TopicPartition, Long> endAtOpen) {
        this.consumer = consumer;
        this.codec = codec;
        this.endAtOpen = endAtOpen;
    }

    static EventStream open(String bootstrapServers, String topic, EventCodec codec, boolean fromBeginning, Duration timeout) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw CliException.failure("topic " + topic + " does not exist on Kafka at " + bootstrapServers
                        + " (have the services started there?)");
            }
            List<TopicPartition> partitions = infos.stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            if (fromBeginning) {
                consumer.seekToBeginning(partitions);
            } else {
                end.forEach(consumer::seek);
            }
            // Resolve positions now: "from the end" must mean the end as of this call, not of the first poll.
            partitions.forEach(consumer::position);
            return new EventStream(consumer, codec, end);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw CliException.failure("Kafka at " + bootstrapServers + " does not answer (waited " + timeout.toSeconds() + " s)", e);
        } catch (KafkaException | CliException e) {
            consumer.close(Duration.ZERO);
            throw e instanceof CliException c ? c : CliException.failure("cannot read " + topic + " from Kafka at "
                    + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** The records that arrived within {@code timeout} (possibly none). */
    public List<Event> poll(Duration timeout) {
        List<Event> events = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
            events.add(decode(record));
        }
        return events;
    }

    /** Everything that was on the topic when the stream was opened, in per-partition order. */
    public List<Event> readToEndAtOpen(Duration timeout) {
        List<Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!caughtUp()) {
            if (System.nanoTime() > deadline) {
                throw CliException.failure("reading " + endAtOpen.keySet().iterator().next().topic()
                        + " did not reach its end within " + timeout.toSeconds() + " s");
            }
            events.addAll(poll(Duration.ofMillis(500)));
        }
        return events;
    }

    /** True once every partition was read up to where it ended when the stream was opened. */
    public boolean caughtUp() {
        return endAtOpen.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
    }

    private Event decode(ConsumerRecord<String, byte[]> record) {
        Optional<SpecificRecord> value = Optional.empty();
        Optional<String> error = Optional.empty();
        if (record.value() != null) {
            try {
                value = Optional.of(codec.decode(record.value()));
            } catch (RuntimeException e) {
                error = Optional.of(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
        return new Event(record.topic(), record.partition(), record.offset(), record.key(),
                Instant.ofEpochMilli(record.timestamp()), value, error);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(2));
    }
}
