package io.tideline.core.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * {@value #DEAD_LETTERS} (Prometheus {@code tideline_dead_letters_total}), tagged {@code topic} with
 * the topic the record came from. The counter of every topic a listener reads exists from the start at
 * 0, so an alert on its increase sees the first dead letter (a series that appears at 1 has no increase).
 * Only where a meter registry is: each service's context, never the CLI's.
 */
@Singleton
@Requires(classes = MeterRegistry.class)
@Requires(beans = MeterRegistry.class)
public class DeadLetterMetrics implements DeadLetterTally {

    public static final String DEAD_LETTERS = "tideline.dead.letters";

    private final MeterRegistry registry;

    public DeadLetterMetrics(MeterRegistry registry) {
        this.registry = registry;
        Topics.ALL.stream().filter(topic -> !topic.equals(Topics.DEAD_LETTERS)).forEach(this::counter);
    }

    @Override
    public void deadLettered(String sourceTopic) {
        counter(sourceTopic).increment();
    }

    private Counter counter(String topic) {
        return Counter.builder(DEAD_LETTERS).tag("topic", topic)
                .description("records a listener gave up on and published to " + Topics.DEAD_LETTERS + ", by their topic")
                .register(registry);
    }
}
