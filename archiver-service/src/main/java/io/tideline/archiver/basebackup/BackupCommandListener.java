package io.tideline.archiver.basebackup;

import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaKey;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.tideline.archiver.ArchiverConfig;
import io.micronaut.core.annotation.Nullable;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import io.tideline.schemas.BackupCommand;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Decodes backup commands and hands them to {@link BaseBackups}. A backup runs on the consumer's
 * thread, to the end (WAL included), before its offset is committed: an archiver that dies
 * mid-backup gets the command again after the restart (or another replica does), and the retry
 * takes it. Hence one record per poll and a poll interval long enough for a whole backup; and the
 * cooperative assignor, so a rebalance does not take partitions away from members that keep them.
 * A malformed command or one for an unknown instance goes to the dead letters.
 */
@KafkaListener(groupId = BackupSettings.GROUP_ID,
        offsetReset = OffsetReset.EARLIEST,
        offsetStrategy = OffsetStrategy.SYNC,
        threadsValue = "${" + BackupSettings.PREFIX + ".listener-threads:1}",
        errorStrategy = @ErrorStrategy(
                value = ErrorStrategyValue.RETRY_CONDITIONALLY_EXPONENTIALLY_ON_ERROR,
                retryCount = Listeners.RETRY_COUNT, retryDelay = Listeners.RETRY_DELAY),
        properties = {
                @Property(name = ConsumerConfig.MAX_POLL_RECORDS_CONFIG, value = "1"),
                @Property(name = ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, value = BackupCommandListener.MAX_BACKUP_MILLIS),
                @Property(name = ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                        value = "org.apache.kafka.clients.consumer.CooperativeStickyAssignor")
        })
@Requires(property = ArchiverConfig.ENABLED, notEquals = "false")
@Requires(property = BackupSettings.ENABLED, notEquals = "false")
class BackupCommandListener {

    /** Six hours: a backup (with its WAL wait) longer than this is taken over by another member. */
    static final String MAX_BACKUP_MILLIS = "21600000";

    private final BaseBackups backups;

    BackupCommandListener(BaseBackups backups) {
        this.backups = backups;
    }

    @Topic(Topics.BACKUP_COMMANDS)
    void on(@KafkaKey @Nullable String key, @Nullable SpecificRecord record) throws InterruptedException {
        if (!(record instanceof BackupCommand command)) {
            throw new InvalidRecordException("not a BackupCommand: " + (record == null ? "an empty record" : record.getSchema().getFullName()));
        }
        BackupRequest request;
        try {
            request = BackupRequest.from(key, command);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException("malformed BackupCommand: " + e.getMessage(), e);
        }
        backups.handle(request);
    }
}
