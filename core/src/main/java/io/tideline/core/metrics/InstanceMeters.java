package io.tideline.core.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.core.ids.InstanceId;
import java.util.List;

/**
 * The tag every per-instance meter carries, and the removal of an instance's meters, so that the
 * number of series stays bounded by the instances that exist: a removed instance's gauges would
 * otherwise be scraped with their last value for as long as the process lives.
 */
public final class InstanceMeters {

    /** The tag naming the PostgreSQL instance (its id); see docs/monitoring.md for how Prometheus keeps it. */
    public static final String TAG = "instance";

    private InstanceMeters() {
    }

    /** Removes every meter whose name starts with {@code prefix} and that is tagged with {@code instance}. */
    public static int forget(MeterRegistry registry, String prefix, InstanceId instance) {
        List<Meter> mine = registry.getMeters().stream()
                .filter(m -> m.getId().getName().startsWith(prefix) && instance.value().equals(m.getId().getTag(TAG)))
                .toList();
        mine.forEach(registry::remove);
        return mine.size();
    }
}
