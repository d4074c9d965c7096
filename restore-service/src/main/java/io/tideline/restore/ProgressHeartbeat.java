package io.tideline.restore;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreProgress;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the progress of the restores running here, every {@code progress-interval}: when it changed, and
 * at least every {@code abandon-after / 3} even when it did not — that steady pace is how other replicas
 * (and a restarted one) tell a running restore from an abandoned one. A failed publish is logged and tried
 * again at the next beat. The timer runs between {@link #start} and {@link #stop}; {@link #beat} is one round.
 */
@Context
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class ProgressHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressHeartbeat.class);

    private final RestoreRunner runner;
    private final RestoreEvents events;
    private final Clock clock;
    private final Duration pace;
    private final Map<RestoreId, RestoreProgress> lastPublished = new ConcurrentHashMap<>();
    private final PeriodicTask timer;

    ProgressHeartbeat(RestoreConfiguration config, RestoreRunner runner, RestoreEvents events, Clock clock) {
        this.runner = runner;
        this.events = events;
        this.clock = clock;
        this.pace = config.abandonAfter().dividedBy(3);
        this.timer = new PeriodicTask("restore-progress", config.progressInterval(), this::beat);
    }

    @PostConstruct
    void start() {
        timer.start();
    }

    @PreDestroy
    void stop() {
        timer.stop();
    }

    /** One round: the progress of every announced restore that changed or has been quiet for the pace. */
    void beat() {
        Instant now = clock.instant();
        Collection<RunningRestore> runs = runner.running();
        Set<RestoreId> ids = runs.stream().map(RunningRestore::restoreId).collect(Collectors.toSet());
        lastPublished.keySet().retainAll(ids); // ended restores are forgotten
        for (RunningRestore run : runs) {
            if (!run.announced()) {
                continue;
            }
            try {
                RestoreProgress snapshot = run.tracker().snapshot(now);
                RestoreProgress last = lastPublished.get(run.restoreId());
                if (last == null || changed(last, snapshot) || Duration.between(last.getOccurredAt(), now).compareTo(pace) >= 0) {
                    events.progress(run.tracker());
                    lastPublished.put(run.restoreId(), snapshot);
                }
            } catch (RuntimeException e) {
                LOG.warn("restore {}: progress not published: {}", run.restoreId(), e.getMessage());
            }
        }
    }

    private static boolean changed(RestoreProgress a, RestoreProgress b) {
        return a.getPhase() != b.getPhase() || a.getBytesDone() != b.getBytesDone()
                || a.getWalSegmentsReplayed() != b.getWalSegmentsReplayed() || !Objects.equals(a.getMessage(), b.getMessage());
    }
}
