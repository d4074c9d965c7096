package io.tideline.restore.drill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.metrics.InstanceMeters;
import io.tideline.core.registry.RegisteredInstance;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * {@value #LAST_SUCCESS} (Prometheus: {@code tideline_restore_drill_last_success_timestamp_seconds}), tagged
 * {@code instance=<id>}: the time of the instance's last good restore drill, as Unix seconds, NaN while it has
 * none — an alert compares it with {@code time()} and the instance's policy (and, for NaN, its registration
 * time). One gauge per registered instance, read from the drill history of the event log; removed with the
 * instance, so the series stay bounded by the fleet.
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

    /** A gauge for every instance of {@code fleet}; the gauges of instances no longer in it are removed. */
    void refresh(Collection<RegisteredInstance> fleet) {
        Set<String> ids = fleet.stream().map(i -> i.id().value()).collect(Collectors.toSet());
        for (String instance : ids) {
            if (registered.add(instance)) {
                Gauge.builder(LAST_SUCCESS, history, h -> h.lastGood(instance)
                                .map(g -> g.at().toEpochMilli() / 1000.0).orElse(Double.NaN))
                        .tags(Tags.of(InstanceMeters.TAG, instance)).baseUnit("seconds")
                        .description("time of the instance's last restore drill that proved its backups restorable (NaN: none yet)")
                        .register(registry);
            }
        }
        for (String gone : Set.copyOf(registered)) {
            if (!ids.contains(gone)) {
                InstanceMeters.forget(registry, LAST_SUCCESS, InstanceId.of(gone));
                registered.remove(gone);
            }
        }
    }
}
