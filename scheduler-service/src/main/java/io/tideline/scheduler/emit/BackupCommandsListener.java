package io.tideline.scheduler.emit;

import io.micronaut.configuration.kafka.ConsumerAware;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerException;
import io.micronaut.configuration.kafka.exceptions.KafkaListenerExceptionHandler;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.kafka.Topics;
import io.tideline.core.log.LogLimiter;
import io.tideline.scheduler.SchedulerConfiguration;
import io.tideline.schemas.BackupCommand;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds "which day's daily command was last emitted" from {@code tideline.backup-commands}.
 *
 * <p>Unlike the work listeners of the other services this is a read model: every scheduler replica
 * must read every partition from the beginning, so the group id is unique per run, nothing is
 * committed, and the position at assignment is the start of the topic. (An empty group without
 * offsets is removed by the broker on its own. Not {@code uniqueGroupIdDeleteOnShutdown}: in
 * micronaut-kafka 5.9 that leaves the consumer running when a context is closed without an
 * {@code ApplicationShutdownEvent}, e.g. in tests.)
 * For the same reason a record it cannot read is logged and skipped, not dead-lettered: the
 * archiver owns the processing of these commands and dead-letters them once; every scheduler
 * replica doing it again at every restart would flood the dead-letter topic. That is why this bean
 * is its own {@link KafkaListenerExceptionHandler} (micronaut-kafka checks the listener bean with
 * {@code instanceof}); it is exposed only as its own type, so it does not compete with the service's
 * dead-letter handler for injection into other listeners.
 */
@Bean(typed = BackupCommandsListener.class)
@Requires(property = SchedulerConfiguration.ENABLED, notEquals = "false")
@KafkaListener(groupId = "tideline-scheduler-replay", uniqueGroupId = true,
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.DISABLED,
        errorStrategy = @ErrorStrategy(ErrorStrategyValue.NONE))
public class BackupCommandsListener implements ConsumerRebalanceListener, ConsumerAware<String, SpecificRecord>,
        KafkaListenerExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCommandsListener.class);

    /**
     * Each start replays the whole topic: bad records there (dead-lettered once by the archiver's
     * listener) would be logged again on every start, one line each.
     */
    private final LogLimiter skipLines = new LogLimiter(Duration.ofMinutes(1), 10, Clock.systemUTC());

    private final EmittedCommands emitted;
    private final ReplayProgress replay;
    private Consumer<String, SpecificRecord> consumer;

    public BackupCommandsListener(EmittedCommands emitted, ReplayProgress replay) {
        this.emitted = emitted;
        this.replay = replay;
    }

    @Topic(Topics.BACKUP_COMMANDS)
    void receive(ConsumerRecord<String, SpecificRecord> record) {
        try {
            if (record.value() instanceof BackupCommand command) {
                emitted.apply(command);
            } else {
                skipping(record, "not a BackupCommand (" + (record.value() == null ? "null"
                        : record.value().getSchema().getFullName()) + ")");
            }
        } catch (IllegalArgumentException e) {
            skipping(record, e.getMessage());
        } finally {
            replay.processed(new TopicPartition(record.topic(), record.partition()), record.offset());
        }
    }

    /** Called on the poll thread (micronaut-kafka subscribes with this bean as the rebalance listener). */
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> start = new HashMap<>();
        for (TopicPartition partition : partitions) {
            // no committed offset in a fresh group: this resolves offsetReset=EARLIEST, i.e. the log start
            start.put(partition, consumer.position(partition));
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
        LOG.info("Replaying {} from {} to {}", Topics.BACKUP_COMMANDS, start, end);
        replay.assigned(start, end);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
        // nothing to hand over: the ledger keeps what was read, nothing is committed
    }

    @Override
    public void setKafkaConsumer(Consumer<String, SpecificRecord> consumer) {
        this.consumer = consumer;
    }

    /** A record that does not decode (micronaut-kafka already sought past it). */
    @Override
    public void handle(KafkaListenerException exception) {
        Throwable cause = exception.getCause() != null ? exception.getCause() : exception;
        exception.getConsumerRecord().ifPresentOrElse(record -> {
            skipping(record, cause.getMessage());
            replay.processed(new TopicPartition(record.topic(), record.partition()), record.offset());
        }, () -> LOG.error("Replay of {} failed outside of any record: {}", Topics.BACKUP_COMMANDS, cause.getMessage(), cause));
    }

    private void skipping(ConsumerRecord<?, ?> record, String why) {
        long left = skipLines.admit("skip");
        if (left >= 0) {
            LOG.warn("Skipping {}: {}{}", origin(record), why, left > 0 ? " (" + left + " more skipped record(s) not logged)" : "");
        }
    }

    private static String origin(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
