package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the progress of the restores running here, every {@code progress-interval}: when it changed, and
 * at least every {@code abandon-after / 3} even when it did not — that steady pace is how other replicas
 * (and a restarted one) tell a running restore from an abandoned one. A failed publish is logged and tried
 * again at the next beat. The timer runs between {@link #start} and {@link #stop} (the {@link RestoreRunner}'s
 * lifecycle); {@link #beat} is one round.
 */
final class ProgressHeartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressHeartbeat.class);

    private final Supplier<Collection<RunningRestore>> running;
    private final RestoreEvents events;
    private final Clock clock;
    private final Duration pace;
    private final Map<RestoreId, RestoreProgress> lastPublished = new ConcurrentHashMap<>();
    private final PeriodicTask timer;

    /** @param running the restores running now ({@link RestoreRunner}, which starts and stops this heartbeat) */
    ProgressHeartbeat(RestoreConfiguration config, Supplier<Collection<RunningRestore>> running, RestoreEvents events, Clock clock) {
        this.running = running;
        this.events = events;
        this.clock = clock;
        this.pace = config.abandonAfter().dividedBy(3);
        this.timer = new PeriodicTask("restore-progress", config.progressInterval(), this::beat);
    }

    void start() {
        timer.start();
    }

    void stop() {
        timer.stop();
    }

    /** One round: the progress of every announced restore that changed or has been quiet for the pace. */
    void beat() {
        Instant now = clock.instant();
        Collection<RunningRestore> runs = running.get();
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
                || a.getWalSegmentsReplayed() != b.getWalSegmentsReplayed() || !Objects.equals(a.getMessage(), b.getMessage())
                || !Objects.equals(a.getReplayedTo(), b.getReplayedTo());
    }
}
