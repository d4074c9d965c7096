package io.tideline.cli.events;

import io.tideline.cli.CliException;
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
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
    private final KafkaAccess kafka;
    private final Map<TopicPartition, Long> endAtOpen;

    private EventStream(KafkaConsumer<String, byte[]> consumer, KafkaAccess kafka, Map<TopicPartition, Long> endAtOpen) {
        this.consumer = consumer;
        this.kafka = kafka;
        this.endAtOpen = endAtOpen;
    }

    static EventStream open(KafkaAccess kafka, String topic, boolean fromBeginning) {
        String bootstrapServers = kafka.bootstrapServers();
        Duration timeout = kafka.answerTimeout();
        Properties props = kafka.connection().properties();
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
            return new EventStream(consumer, kafka, end);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            consumer.close(Duration.ZERO);
            throw kafka.noAnswer(e);
        } catch (KafkaException | CliException e) {
            consumer.close(Duration.ZERO);
            throw e instanceof CliException c ? c : CliException.failure("cannot read " + topic + " from Kafka at "
                    + bootstrapServers + ": " + e.getMessage(), e);
        }
    }

    /** The records that arrived within {@code timeout} (possibly none). */
    public List<Event> poll(Duration timeout) {
        List<Event> events = new ArrayList<>();
        ConsumerRecords<String, byte[]> records;
        try {
            records = consumer.poll(timeout);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw kafka.noAnswer(e);
        }
        for (ConsumerRecord<String, byte[]> record : records) {
            events.add(decode(record));
        }
        return events;
    }

    /**
     * Everything that was on the topic when the stream was opened, in per-partition order. Two bounds: the
     * whole read takes at most {@code timeout}, and the read must move on at least once per answer timeout
     * while records are still due (a broker that stops answering is {@link io.tideline.cli.NoAnswer}).
     */
    public List<Event> readToEndAtOpen(Duration timeout) {
        List<Event> events = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastProgress = System.nanoTime();
        long position = position();
        while (!caughtUp()) {
            if (System.nanoTime() > deadline) {
                throw CliException.failure("reading " + endAtOpen.keySet().iterator().next().topic()
                        + " did not reach its end within " + timeout.toSeconds() + " s");
            }
            if (System.nanoTime() - lastProgress > kafka.answerTimeout().toNanos()) {
                throw kafka.noAnswer(null);
            }
            events.addAll(poll(Duration.ofMillis(500)));
            // Progress is the position, not the records: aborted transactions and markers advance it silently.
            long now = position();
            if (now != position) {
                position = now;
                lastProgress = System.nanoTime();
            }
        }
        return events;
    }

    /** True once every partition was read up to where it ended when the stream was opened. */
    public boolean caughtUp() {
        try {
            return endAtOpen.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw kafka.noAnswer(e);
        }
    }

    /** The sum of the partitions' positions: it grows whenever the read moves on. */
    private long position() {
        try {
            return endAtOpen.keySet().stream().mapToLong(consumer::position).sum();
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw kafka.noAnswer(e);
        }
    }

    private Event decode(ConsumerRecord<String, byte[]> record) {
        Optional<SpecificRecord> value = Optional.empty();
        Optional<String> error = Optional.empty();
        if (record.value() != null) {
            try {
                value = Optional.of(kafka.codec().decode(record.value()));
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
