package io.tideline.core.kafka;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.tideline.schemas.BackupCommand;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer of Tideline's listener shape (docs/modules/core.md: earliest, synchronous commit after the
 * record, conditional exponential retry) on {@code tideline.backup-commands}, in the group {@code spec.group}.
 * Each Micronaut context is one replica of a service: it records which partitions it was given and the
 * command ids it consumed, duplicates included.
 */
@Requires(property = "spec.name", value = "KafkaClusterProfileIT")
@KafkaListener(groupId = "${spec.group}", offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY))
public class ClusterTestListener implements ConsumerRebalanceListener {

    private final List<String> consumed = new CopyOnWriteArrayList<>();
    private final Set<Integer> consumedFrom = ConcurrentHashMap.newKeySet();
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

    @Topic(Topics.BACKUP_COMMANDS)
    void receive(ConsumerRecord<String, SpecificRecord> record) {
        if (!(Topics.expect(Topics.BACKUP_COMMANDS, record.value()) instanceof BackupCommand command)) {
            throw new InvalidRecordException("not a BackupCommand");
        }
        consumed.add(command.getCommandId());
        consumedFrom.add(record.partition());
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        assigned.removeAll(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        assigned.addAll(partitions);
    }

    /** Command ids in the order consumed, duplicates (redelivery after a failover) included. */
    List<String> consumed() {
        return consumed;
    }

    /** The partitions of the records this replica consumed. */
    Set<Integer> consumedFrom() {
        return Set.copyOf(consumedFrom);
    }

    /** The partitions of {@code tideline.backup-commands} this replica holds now. */
    Set<Integer> assignedPartitions() {
        return assigned.stream().map(TopicPartition::partition).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
}
