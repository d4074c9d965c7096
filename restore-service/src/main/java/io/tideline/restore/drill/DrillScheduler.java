package io.tideline.restore.drill;

import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.restore.DrillRestores;
import io.tideline.restore.PeriodicTask;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs restore drills when instances are due ({@link DrillSchedule}), one at a time, every
 * {@code check-interval}, on a thread of its own. A replica drills only the instances whose restore-request
 * partition it owns (so one replica of several drills each instance, and a replica without the restore
 * listener drills none); it reads the drill history from {@code tideline.timeline} from its start, and decides
 * nothing before that history and the registry are read. The attempt is recorded before the
 * drill starts, so a drill that cannot publish its outcome is not repeated at once.
 */
final class DrillScheduler {

    static final java.time.Duration STOP_GRACE = java.time.Duration.ofSeconds(30);
    private static final Logger LOG = LoggerFactory.getLogger(DrillScheduler.class);

    private final DrillRestores restores;
    private final InstanceRegistry registry;
    private final DrillHistory history;
    private final RestoreDrill drill;
    private final DrillMetrics metrics;
    private final Supplier<TopicReplay> historyReplay;
    private final Clock clock;
    private final PeriodicTask timer;
    private volatile TopicReplay replay;

    DrillScheduler(DrillConfiguration config, DrillRestores restores, InstanceRegistry registry, DrillHistory history,
                   RestoreDrill drill, DrillMetrics metrics, Supplier<TopicReplay> historyReplay, Clock clock) {
        this.restores = restores;
        this.registry = registry;
        this.history = history;
        this.drill = drill;
        this.metrics = metrics;
        this.historyReplay = historyReplay;
        this.clock = clock;
        this.timer = new PeriodicTask("tideline-restore-drills", config.checkInterval(), this::tickSafely);
    }

    /** Reads the drill history and follows the registry for the metric at once (every replica), then drills. */
    void start() {
        replay = historyReplay.get().start();
        registry.onChange(metrics::apply);
        timer.start();
    }

    /**
     * Stops drilling: a drill in progress may end for {@link #STOP_GRACE}, then it is interrupted and removes its
     * copy (before the provisioner and the producer close). A copy left by a replica killed outright is removed by
     * the next owner of its source ({@link DrillRestores#removeLeftCopies}).
     */
    void stop() {
        timer.stopAndWait(STOP_GRACE);
        TopicReplay r = replay;
        if (r != null) {
            r.close();
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("restore drill scheduling failed; trying again in a period", e);
        }
    }

    /** One look: every due instance this replica owns is drilled, the longest overdue first. */
    void tick() {
        List<RegisteredInstance> owned = registry.all().stream().filter(i -> restores.owns(i.id())).toList();
        if (owned.isEmpty() || !historyRead() || !registry.isCaughtUp()) {
            return;
        }
        // No drill of this replica runs between ticks: any copy of an owned source now is one a stopped replica left.
        restores.removeLeftCopies(owned.stream().map(RegisteredInstance::id).toList());
        for (RegisteredInstance instance : DrillSchedule.due(owned, history, clock.instant())) {
            if (Thread.currentThread().isInterrupted() || !restores.owns(instance.id())) {
                return;
            }
            Instant started = clock.instant();
            history.attempted(instance.id().value(), started);
            drill.run(instance, started);
        }
    }

    private boolean historyRead() {
        return replay != null && replay.isReplayed();
    }
}
