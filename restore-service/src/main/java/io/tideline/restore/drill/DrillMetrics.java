package io.tideline.restore.drill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@value #LAST_SUCCESS} (Prometheus: {@code tideline_restore_drill_last_success_timestamp_seconds}), tagged
 * {@code instance=<id>}: the time of the instance's last good restore drill, as Unix seconds — an alert compares
 * it with {@code time()} and the instance's policy. Registered for an instance when its first good drill is
 * known (read from the event log, so every replica reports it, not only the one that ran the drill).
 */
final class DrillMetrics {

    static final String LAST_SUCCESS = "tideline.restore.drill.last.success.timestamp";

    private final MeterRegistry registry;
    private final DrillHistory history;
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    DrillMetrics(MeterRegistry registry, DrillHistory history) {
        this.registry = registry;
        this.history = history;
    }

    /** Registers the gauge of every instance with a good drill that has none yet. */
    void refresh() {
        for (String instance : history.allGood().keySet()) {
            if (registered.add(instance)) {
                Gauge.builder(LAST_SUCCESS, history, h -> h.lastGood(instance)
                                .map(g -> g.at().toEpochMilli() / 1000.0).orElse(Double.NaN))
                        .tags(Tags.of("instance", instance)).baseUnit("seconds")
                        .description("time of the instance's last restore drill that proved its backups restorable")
                        .register(registry);
            }
        }
    }
}
