package io.tideline.restore.drill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tideline.core.metrics.InstanceMeters;
import io.tideline.core.registry.InstanceRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@value #LAST_SUCCESS} (Prometheus: {@code tideline_restore_drill_last_success_timestamp_seconds}), tagged
 * {@code instance=<id>}: the time of the instance's last good restore drill, as Unix seconds, NaN while it has
 * none — an alert compares it with {@code time()} and the instance's policy (and, for NaN, its registration
 * time). One gauge per registered instance (following the registry), read from the drill history of the event
 * log, which every replica reads; removed with the instance, so the series stay bounded by the fleet.
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

    /** Follows the registry: a gauge for a registered instance, none for a removed one. */
    void apply(InstanceRegistry.Change change) {
        String instance = change.id().value();
        if (change.instance().isEmpty()) {
            if (registered.remove(instance)) {
                InstanceMeters.forget(registry, LAST_SUCCESS, change.id());
            }
        } else if (registered.add(instance)) {
            Gauge.builder(LAST_SUCCESS, history, h -> h.lastGood(instance)
                            .map(g -> g.at().toEpochMilli() / 1000.0).orElse(Double.NaN))
                    .tags(Tags.of(InstanceMeters.TAG, instance)).baseUnit("seconds")
                    .description("time of the instance's last restore drill that proved its backups restorable (NaN: none yet)")
                    .register(registry);
        }
    }
}
