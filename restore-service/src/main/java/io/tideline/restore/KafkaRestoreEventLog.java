package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.tideline.core.kafka.ReplayConsumers;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class KafkaRestoreEventLog implements RestoreEventLog {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRestoreEventLog.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final String bootstrapServers;
    private final EventCodec codec;

    KafkaRestoreEventLog(@Value("${kafka.bootstrap.servers}") String bootstrapServers, EventCodec codec) {
        this.bootstrapServers = bootstrapServers;
        this.codec = codec;
    }

    @Override
    public int replayInto(RestoreLedger ledger, Duration timeout) {
        Properties props = ReplayConsumers.properties(bootstrapServers, "tideline-restore-ledger-");
        long deadline = System.nanoTime() + timeout.toNanos();
        int applied = 0;
        int requestPartitions;
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
            requestPartitions = consumer.partitionsFor(Topics.RESTORE_REQUESTS, timeout).size();
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.RESTORE_EVENTS, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + Topics.RESTORE_EVENTS + " to its end within " + timeout);
                }
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        ledger.apply(codec.decode(record.value()));
                        applied++;
                    } catch (RuntimeException e) {
                        // The topic is ours; a record we cannot read is logged, not fatal for the ledger.
                        LOG.warn("skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                    }
                }
            }
        }
        LOG.debug("read {} restore events; {} restore(s) accepted and not finished", applied, ledger.unfinished().size());
        return requestPartitions;
    }
}
