package io.tideline.restore;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.RestoreCancelRequested;
import io.tideline.schemas.RestoreRequested;
import java.util.Collection;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.common.TopicPartition;

/**
 * Decodes restore requests and hands them to {@link RestoreIntake}; undecodable or unanswerable records go
 * to the dead letters (core's handler). Partition assignments go to the {@link AbandonedRestoreSweep}: they
 * say which sources' restores this replica answers for.
 */
@KafkaListener(groupId = RestoreRequestListener.GROUP_ID,
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(
                value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY))
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
class RestoreRequestListener implements ConsumerRebalanceListener {

    /** {@code tideline.restore.group-id}, {@value RestoreConfiguration#GROUP_ID} by default (tests isolate their replicas). */
    static final String GROUP_ID = "${" + RestoreConfiguration.PREFIX + ".group-id:" + RestoreConfiguration.GROUP_ID + "}";

    private final RestoreIntake intake;
    private final AbandonedRestoreSweep sweep;
    private final RestoreCancels cancels;

    RestoreRequestListener(RestoreIntake intake, AbandonedRestoreSweep sweep, RestoreCancels cancels) {
        this.intake = intake;
        this.sweep = sweep;
        this.cancels = cancels;
    }

    @Topic(Topics.RESTORE_REQUESTS)
    void on(@KafkaKey @Nullable String key, @Nullable SpecificRecord event) {
        if (event instanceof RestoreRequested request) {
            intake.handle(key, request);
        } else if (event instanceof RestoreCancelRequested cancel) {
            cancels.handle(cancel);
        } else if (event == null) {
            throw new InvalidRecordException("a restore request without a value");
        } else {
            throw new InvalidRecordException("not a restore request or cancel: " + event.getSchema().getFullName());
        }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        sweep.assigned(partitions);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        sweep.revoked(partitions);
    }
}
