package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time-out of restores nobody runs any more. At each partition assignment and every
 * {@code abandon-after / 2} (while this replica owns request partitions) it reads the restore event log into
 * the ledger and hands to {@link AbandonedRestoreCleanup} every restore that is accepted, not finished, not
 * running here, owned here ({@link RequestPartitions}) and silent for {@code abandon-after} — a running
 * restore reports at least every {@code abandon-after / 3}. The timer runs between {@link #start} and
 * {@link #stop}; {@link #sweep} is one round.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class AbandonedRestoreSweep {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedRestoreSweep.class);
    private static final Duration REPLAY_TIMEOUT = Duration.ofSeconds(30);

    private final RestoreEventLog eventLog;
    private final RestoreLedger ledger;
    private final RequestPartitions partitions;
    private final RestoreRunner runner;
    private final AbandonedRestoreCleanup cleanup;
    private final Clock clock;
    private final Duration abandonAfter;
    private final PeriodicTask timer;

    AbandonedRestoreSweep(RestoreConfiguration config, RestoreEventLog eventLog, RestoreLedger ledger, RequestPartitions partitions,
                          RestoreRunner runner, AbandonedRestoreCleanup cleanup, Clock clock) {
        this.eventLog = eventLog;
        this.ledger = ledger;
        this.partitions = partitions;
        this.runner = runner;
        this.cleanup = cleanup;
        this.clock = clock;
        this.abandonAfter = config.abandonAfter();
        this.timer = new PeriodicTask("restore-sweep", Duration.ofMillis(Math.max(1_000, abandonAfter.toMillis() / 2)),
                this::sweepQuietly);
    }

    @PostConstruct
    void start() {
        timer.start();
    }

    @PreDestroy
    void stop() {
        timer.stop();
    }

    /** This replica now answers the requests of {@code assigned}: learn what was answered, fail the abandoned. */
    void assigned(Collection<TopicPartition> assigned) {
        partitions.assigned(assigned);
        sweep();
    }

    void revoked(Collection<TopicPartition> revoked) {
        // Restores running here go on to their end; their progress tells the new owner they are alive.
        partitions.revoked(revoked);
    }

    /** One round: reads the event log, then fails what is abandoned. */
    void sweep() {
        synchronized (ledger) { // never between an intake's look at the ledger and its answer
            partitions.partitionCount(eventLog.replayInto(ledger, REPLAY_TIMEOUT));
            Instant now = clock.instant();
            for (RestoreLedger.Entry entry : ledger.unfinished()) {
                if (runner.runs(entry.restoreId()) || !partitions.owns(entry.source())
                        || Duration.between(entry.lastEventAt(), now).compareTo(abandonAfter) < 0) {
                    continue;
                }
                cleanup.fail(entry);
            }
        }
    }

    private void sweepQuietly() {
        try {
            if (partitions.ownsAny()) {
                sweep();
            }
        } catch (RuntimeException e) {
            LOG.warn("could not look for abandoned restores: {}", e.getMessage());
        }
    }
}
