package io.tideline.restore;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestorePhase;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The restore service's meters, fed by {@link RestoreEvents} once Kafka has each event (a metric never
 * says more than the log):
 * <ul>
 *   <li>{@value #STARTED}, {@value #COMPLETED}, {@value #FAILED}, {@value #REJECTED} — restores accepted,
 *       completed, failed (here, or swept as abandoned), requests rejected; Prometheus {@code tideline_restore_*_total};</li>
 *   <li>{@value #PHASE_DURATION} (tag {@code phase}) — how long each phase of a restore run here took, from the
 *       progress event that entered it to the one that left it (or the restore's end); Prometheus
 *       {@code tideline_restore_phase_duration_seconds_*}. The first phase counts the wait for a free restore thread.</li>
 * </ul>
 * Every series exists from the start at 0. No instance tag: restores are few and their sources many.
 */
@Singleton
public class RestoreMetrics {

    static final String STARTED = "tideline.restore.started";
    static final String COMPLETED = "tideline.restore.completed";
    static final String FAILED = "tideline.restore.failed";
    static final String REJECTED = "tideline.restore.rejected";
    static final String PHASE_DURATION = "tideline.restore.phase.duration";

    /** The phase a running restore is in, since when. */
    private record InPhase(RestorePhase phase, Instant since) {
    }

    /** Longer than any restore's phase (the WAL replay of a week included). */
    private static final Duration FORGOTTEN_AFTER = Duration.ofDays(7);

    private final MeterRegistry registry;
    private final Counter started;
    private final Counter completed;
    private final Counter failed;
    private final Counter rejected;
    private final Map<RestoreId, InPhase> phases = new ConcurrentHashMap<>();

    public RestoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder(STARTED).description("restores accepted and started").register(registry);
        this.completed = Counter.builder(COMPLETED).description("restores completed: a new instance answers").register(registry);
        this.failed = Counter.builder(FAILED).description("restores failed (what they made removed)").register(registry);
        this.rejected = Counter.builder(REJECTED).description("restore requests rejected with a reason").register(registry);
        for (RestorePhase phase : RestorePhase.values()) {
            timer(phase);
        }
    }

    void accepted() {
        started.increment();
    }

    void rejected() {
        rejected.increment();
    }

    /**
     * A progress event of {@code restore} was published at {@code at}: a new phase ends the previous one.
     * A heartbeat's event acknowledged after the restore's end would leave an entry behind: entries that
     * have not moved for {@link #FORGOTTEN_AFTER} go.
     */
    void progress(RestoreId restore, RestorePhase phase, Instant at) {
        phases.values().removeIf(p -> p.since().isBefore(at.minus(FORGOTTEN_AFTER)));
        InPhase previous = phases.get(restore);
        if (previous == null || previous.phase() != phase) {
            phases.put(restore, new InPhase(phase, at));
            if (previous != null) {
                record(previous, at);
            }
        }
    }

    void completed(RestoreId restore, Instant at) {
        end(restore, at);
        completed.increment();
    }

    void failed(RestoreId restore, Instant at) {
        end(restore, at);
        failed.increment();
    }

    private void end(RestoreId restore, Instant at) {
        InPhase last = phases.remove(restore);
        if (last != null) {
            record(last, at);
        }
    }

    private void record(InPhase phase, Instant end) {
        Duration took = Duration.between(phase.since(), end);
        timer(phase.phase()).record(took.isNegative() ? Duration.ZERO : took);
    }

    private Timer timer(RestorePhase phase) {
        return Timer.builder(PHASE_DURATION).tag("phase", phase.name().toLowerCase(Locale.ROOT))
                .description("time a restore spent in one phase").register(registry);
    }
}
