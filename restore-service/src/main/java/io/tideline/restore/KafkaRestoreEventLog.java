package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.kafka.ReplayConsumers;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RestoreEventLog} on Kafka: reads {@code tideline.restore-events} from the beginning to its
 * current end into a {@link RestoreLedger}:
 * a bounded one-shot read with its own consumer (no group, nothing committed). Restore events are few (a
 * handful per restore), so reading them all at each partition assignment is cheap and needs no state.
 * Not a {@code TopicReplay}: it runs on the caller's thread, stops at the end, and also needs the
 * partition count of another topic from the same consumer.
 *
 * <p>A record it cannot decode is logged once per process, not at every read: the sweep reads the
 * whole topic every {@code abandon-after / 2}, so a warning per read made the log grow with the
 * square of the bad records (issue 17's soak: every bad record on the topic, again every 15 s). Such
 * a record is also dead-lettered, with its bytes, by the restore-events audit consumer.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class KafkaRestoreEventLog implements RestoreEventLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRestoreEventLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final io.tideline.core.kafka.KafkaConnection connection;
    private final EventCodec codec;
    private final String eventsTopic;
    private final String requestsTopic;
    /** Per partition, the highest offset of an undecodable record already logged; offsets only grow. */
    private final Map<TopicPartition, Long> reportedThrough = new ConcurrentHashMap<>();

    @Inject
    KafkaRestoreEventLog(io.tideline.core.kafka.KafkaClients kafka, EventCodec codec) {
        this(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RESTORE), codec, Topics.RESTORE_EVENTS, Topics.RESTORE_REQUESTS);
    }

    /** On other topics than Tideline's (tests, on a broker shared with other tests). */
    KafkaRestoreEventLog(String bootstrapServers, EventCodec codec, String eventsTopic, String requestsTopic) {
        this(io.tideline.core.kafka.KafkaConnection.plaintext(bootstrapServers), codec, eventsTopic, requestsTopic);
    }

    private KafkaRestoreEventLog(io.tideline.core.kafka.KafkaConnection connection, EventCodec codec, String eventsTopic,
                                 String requestsTopic) {
        this.connection = connection;
        this.codec = codec;
        this.eventsTopic = eventsTopic;
        this.requestsTopic = requestsTopic;
    }

    @Override
    public int replayInto(RestoreLedger ledger, Duration timeout) {
        Properties props = ReplayConsumers.properties(connection, "tideline-restore-ledger-");
        long deadline = System.nanoTime() + timeout.toNanos();
        int applied = 0;
        int requestPartitions;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            requestPartitions = consumer.partitionsFor(requestsTopic, timeout).size();
            List<TopicPartition> partitions = consumer.partitionsFor(eventsTopic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + eventsTopic + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        ledger.apply(codec.decode(record.value()));
                        applied++;
                    } catch (RuntimeException e) {
                        // The topic is ours; a record we cannot read is logged (once), not fatal for the ledger.
                        reportOnce(record, e);
                    }
                }
            }
        }
        LOG.debug("read {} restore events; {} restore(s) accepted and not finished", applied, ledger.unfinished().size());
        return requestPartitions;
    }

    private void reportOnce(ConsumerRecord<String, byte[]> record, RuntimeException e) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        if (reportedThrough.getOrDefault(partition, -1L) >= record.offset()) {
            return;
        }
        reportedThrough.merge(partition, record.offset(), Math::max);
        LOG.warn("skipping {}-{}@{} (now and at every later read): {}", record.topic(), record.partition(), record.offset(),
                e.getMessage());
    }
}
