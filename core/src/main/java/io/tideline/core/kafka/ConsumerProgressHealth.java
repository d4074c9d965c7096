package io.tideline.core.kafka;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.AbstractHealthIndicator;
import io.micronaut.management.health.indicator.HealthIndicator;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * {@code /health} detail {@code kafka-consumers}: DOWN, with the partition, offset and reason, while
 * a consumer is held on a record it cannot get past (see {@link ConsumerProgress}). Unlike one WAL
 * stream's trouble, a held consumer stops the service's work for every instance of that partition,
 * which an orchestrator and an operator must see.
 *
 * <p>Also DOWN while one of the service's consumer groups does not consume records it has (lag that
 * does not move, or no live consumer; see {@link ConsumerStallMonitor}), read from the monitor's last
 * look so that this never waits on the broker. A broker that does not answer is said so in the details
 * and does not by itself turn this DOWN: Micronaut's own {@code kafka} health reports the broker.
 */
@Singleton
@Requires(classes = HealthIndicator.class)
public class ConsumerProgressHealth extends AbstractHealthIndicator<Map<String, String>> {

    public static final String NAME = "kafka-consumers";

    private final ConsumerProgress progress;
    private final Optional<ConsumerStallMonitor> monitor;

    @Inject
    public ConsumerProgressHealth(ConsumerProgress progress, Optional<ConsumerStallMonitor> monitor) {
        this.progress = progress;
        this.monitor = monitor;
    }

    /** Only the held records, no look at the groups. */
    public ConsumerProgressHealth(ConsumerProgress progress) {
        this(progress, Optional.empty());
    }

    @Override
    protected Map<String, String> getHealthInformation() {
        ConsumerHealthReport report = ConsumerHealthReport.of(progress.held(), monitor.flatMap(ConsumerStallMonitor::last));
        healthStatus = report.down() ? HealthStatus.DOWN : HealthStatus.UP;
        return new TreeMap<>(report.details());
    }

    @Override
    protected String getName() {
        return NAME;
    }
}
