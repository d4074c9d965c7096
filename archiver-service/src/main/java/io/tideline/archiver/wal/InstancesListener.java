package io.tideline.archiver.wal;

import io.micronaut.configuration.kafka.ConsumerSeekAware;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.configuration.kafka.seek.KafkaSeekOperation;
import io.micronaut.configuration.kafka.seek.KafkaSeeker;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.ArchiverConfig;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.InstanceRegistered;
import java.util.Collection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Ownership of instances by the archiver's consumer group on {@code tideline.instances}: each
 * replica streams the instances of its assigned partitions. The topic is compacted (the latest
 * registration per instance), so every assigned partition is read again from its beginning; the
 * committed offsets of the group do not matter. Cooperative rebalancing moves only the partitions
 * that change owner, so a replica joining or leaving does not restart every stream.
 */
@Requires(property = ArchiverConfig.ENABLED, notEquals = "false")
@Requires(property = WalSettings.ENABLED, notEquals = "false")
@KafkaListener(groupId = InstancesListener.GROUP_ID, offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY),
        properties = @Property(name = ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                value = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"))
class InstancesListener implements ConsumerSeekAware {

    /** {@value ArchiverConfig#GROUP_ID} unless {@code tideline.archiver.group-id} names another (tests isolate with it). */
    static final String GROUP_ID = "${" + ArchiverConfig.PREFIX + ".group-id:" + ArchiverConfig.GROUP_ID + "}";

    private final StreamedInstances ownership;

    InstancesListener(StreamedInstances ownership) {
        this.ownership = ownership;
    }

    @Topic(Topics.INSTANCES)
    void on(ConsumerRecord<String, SpecificRecord> record) {
        InstanceId id;
        try {
            id = InstanceId.of(record.key());
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("record key is not an instance id: " + e.getMessage());
        }
        SpecificRecord value = record.value();
        if (value == null) {
            ownership.removed(record.partition(), id);
            return;
        }
        if (!(value instanceof InstanceRegistered registered)) {
            throw new InvalidRecordException("expected InstanceRegistered on " + Topics.INSTANCES + ", got "
                    + value.getSchema().getFullName());
        }
        if (!id.value().equals(registered.getInstanceId())) {
            throw new InvalidRecordException("record key " + id + " differs from the registration's instance id "
                    + registered.getInstanceId());
        }
        RegisteredInstance instance;
        try {
            instance = RegisteredInstance.from(registered);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("invalid registration of " + id + ": " + e.getMessage());
        }
        ownership.registered(record.partition(), instance);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions, KafkaSeeker seeker) {
        ownership.assigned(partitions.stream().map(TopicPartition::partition).toList());
        partitions.forEach(p -> seeker.perform(KafkaSeekOperation.seekToBeginning(p)));
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        ownership.revoked(partitions.stream().map(TopicPartition::partition).toList());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        // Another replica may own them already; its stream waits for our slot use to end, so
        // storing what we hold first is still safe and loses nothing.
        ownership.revoked(partitions.stream().map(TopicPartition::partition).toList());
    }
}
