package io.tideline.retention.run;

import io.micronaut.configuration.kafka.ConsumerAware;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.retention.verify.CorruptionResponse;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.ObjectCorrupted;
import java.util.Collection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * The retention group's view of {@code tideline.timeline}: its partition assignment decides which
 * instances this replica owns, and a {@code BackupCompleted} asks for a run of its instance (a new
 * backup may let an older one go). Decodes and delegates; the run happens on the service's thread.
 */
@Requires(property = RetentionConfiguration.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
@KafkaListener(groupId = TimelineListener.GROUP_ID,
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(
                value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY))
public class TimelineListener implements ConsumerRebalanceListener, ConsumerAware<String, SpecificRecord> {

    public static final String GROUP_ID = "tideline-retention";

    private final RetentionService service;
    private final InstanceOwnership ownership;
    private final CorruptionResponse corruption;
    private final java.util.Optional<RetentionMetrics> metrics;
    private Consumer<String, SpecificRecord> consumer;

    public TimelineListener(RetentionService service, InstanceOwnership ownership, CorruptionResponse corruption,
                            java.util.Optional<RetentionMetrics> metrics) {
        this.service = service;
        this.ownership = ownership;
        this.corruption = corruption;
        this.metrics = metrics;
    }

    @Topic(Topics.TIMELINE)
    void on(@KafkaKey String instanceId, @Nullable SpecificRecord event) {
        // a wrong type or an empty record is bad input: dead-lettered, not silently passed over
        SpecificRecord checked = Topics.expect(Topics.TIMELINE, event);
        if (checked instanceof ObjectCorrupted corrupted) {
            try {
                corruption.on(corrupted);
            } catch (IllegalArgumentException e) {
                throw new InvalidRecordException("ObjectCorrupted " + corrupted.getKey() + ": " + e.getMessage());
            }
            return;
        }
        if (checked instanceof BackupCompleted completed) {
            InstanceId id;
            try {
                id = InstanceId.of(completed.getInstanceId());
            } catch (IllegalArgumentException e) {
                throw new InvalidRecordException("BackupCompleted " + completed.getBackupId() + ": " + e.getMessage());
            }
            service.trigger(id);
        }
    }

    @Override
    public void setKafkaConsumer(Consumer<String, SpecificRecord> consumer) {
        this.consumer = consumer;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        // Called on the consumer's thread, where asking the consumer is allowed.
        int count = consumer.partitionsFor(Topics.TIMELINE).size();
        ownership.assigned(partitions.stream().map(TopicPartition::partition).toList(), count);
        service.partitionsAssigned();
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        ownership.revoked(partitions.stream().map(TopicPartition::partition).toList());
        // Another replica reports these instances from now on: never two series for one instance.
        metrics.ifPresent(RetentionMetrics::forgetUnowned);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
        onPartitionsRevoked(partitions);
    }
}
