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
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import org.apache.avro.specific.SpecificRecord;

/**
 * Watches {@code tideline.restore-events}, the restore service's own output, for records that do not
 * belong there (a wrong type, no value): they are dead-lettered when they arrive, in a committed
 * group so each once, rather than found by an operator at the next {@code audit}. The restore
 * service's readers of the topic (its ledger replay, its views) skip what they cannot use; this
 * is the one consumer that reports it.
 */
@KafkaListener(groupId = RestoreEventsAudit.GROUP_ID,
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(
                value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY))
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
class RestoreEventsAudit {

    /** {@code tideline.restore.audit-group-id}, {@code tideline-restore-events-audit} by default (tests isolate with it). */
    static final String GROUP_ID = "${" + RestoreConfiguration.PREFIX + ".audit-group-id:tideline-restore-events-audit}";

    @Topic(Topics.RESTORE_EVENTS)
    void on(@KafkaKey @Nullable String key, @Nullable SpecificRecord event) {
        Topics.expect(Topics.RESTORE_EVENTS, event);
    }
}
