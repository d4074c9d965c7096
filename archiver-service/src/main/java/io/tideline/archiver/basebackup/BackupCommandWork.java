package io.tideline.archiver.basebackup;

import io.tideline.core.kafka.DeadLetterTally;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.FailedRecord;
import io.tideline.core.kafka.InvalidRecordException;
import io.tideline.core.kafka.Listeners;
import io.tideline.core.kafka.Topics;
import io.tideline.core.config.Defaults;
import io.tideline.schemas.serde.EventCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pool thread does with one backup command, with the error handling every Tideline listener has:
 * a command for an instance the registry does not know is dead-lettered at once; any other failure is
 * tried again with exponential backoff ({@link Listeners#RETRY_COUNT} times from
 * {@link Listeners#RETRY_DELAY}) and then dead-lettered with its error. Either way the command has its
 * answer and may be committed. A shutdown interrupts the waits and leaves the command uncommitted.
 */
final class BackupCommandWork implements BackupPool.Work {

    private static final Logger LOG = LoggerFactory.getLogger(BackupCommandWork.class);

    private final BaseBackups backups;
    private final EventPublisher publisher;
    private final EventCodec codec;
    private final Optional<DeadLetterTally> tally;
    private final Clock clock;

    BackupCommandWork(BaseBackups backups, EventPublisher publisher, EventCodec codec, Optional<DeadLetterTally> tally,
                      Clock clock) {
        this.backups = backups;
        this.publisher = publisher;
        this.codec = codec;
        this.tally = tally;
        this.clock = clock;
    }

    @Override
    public void run(BackupPool.Job job) throws InterruptedException {
        Duration delay = Defaults.read(Listeners.RETRY_DELAY, Duration.class);
        RuntimeException last = null;
        for (int attempt = 1; attempt <= Listeners.RETRY_COUNT + 1; attempt++) {
            try {
                backups.handle(job.request());
                return;
            } catch (InvalidRecordException e) {
                deadLetter(job.record(), e, attempt);
                return;
            } catch (RuntimeException e) {
                last = e;
                LOG.warn("{} failed (attempt {} of {}): {}", job.request(), attempt, Listeners.RETRY_COUNT + 1, e.getMessage());
            }
            if (attempt <= Listeners.RETRY_COUNT && backups.awaitStop(delay.toMillis())) {
                throw new InterruptedException("the archiver is shutting down");
            }
            delay = delay.multipliedBy(2);
        }
        deadLetter(job.record(), last, Listeners.RETRY_COUNT + 1);
    }

    /** Ends the WAL waits of running backups (shutdown). */
    void stopWaits() {
        backups.stop();
    }

    /**
     * Publishes the dead letter of {@code record}. One that cannot be published is logged with its
     * coordinates and skipped, as core's dead-letter handler does after its tries: the record stays in
     * its topic, and holding the partition for it would stop every command behind it.
     */
    void deadLetter(ConsumerRecord<String, byte[]> record, Throwable error, int attempts) {
        FailedRecord failed = FailedRecord.of(error, record, codec).orElseThrow();
        String where = record.topic() + "-" + record.partition() + "@" + record.offset();
        try {
            publisher.publishAndWait(Topics.DEAD_LETTERS, failed.key(),
                    failed.toDeadLetter(BackupSettings.GROUP_ID, attempts, clock.instant()));
            tally.ifPresent(t -> t.deadLettered(record.topic()));
            LOG.warn("dead-lettered {} (key {}, {} attempt(s)): {}", where, record.key(), attempts, failed.error());
        } catch (RuntimeException e) {
            LOG.error("gave up dead-lettering {} (key {}): {}; it is skipped and stays at that offset. Its error: {}",
                    where, record.key(), e.getMessage(), failed.error());
        }
    }
}
