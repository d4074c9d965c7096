package io.tideline.core.kafka;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.HealthIndicator;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code /health} detail {@code kafka-consumers}: DOWN, with the partition, offset and reason, while
 * a consumer is held on a record it cannot get past (see {@link ConsumerProgress}). Unlike one WAL
 * stream's trouble, a held consumer stops the service's work for every instance of that partition,
 * which an orchestrator and an operator must see.
 */
@Singleton
@Requires(classes = HealthIndicator.class)
public class ConsumerProgressHealth extends AbstractHealthIndicator<Map<String, String>> {

    public static final String NAME = "kafka-consumers";

    private final ConsumerProgress progress;

    public ConsumerProgressHealth(ConsumerProgress progress) {
        this.progress = progress;
    }

    @Override
    protected Map<String, String> getHealthInformation() {
        Map<String, ConsumerProgress.Stuck> held = progress.held();
        healthStatus = held.isEmpty() ? HealthStatus.UP : HealthStatus.DOWN;
        Map<String, String> details = new TreeMap<>();
        held.forEach((where, stuck) -> details.put(where, "no progress since " + stuck.since() + " at offset "
                + stuck.offset() + ": " + stuck.reason()));
        return details;
    }

    @Override
    protected String getName() {
        return NAME;
    }
}
