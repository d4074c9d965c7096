package io.tideline.retention.run;

import io.tideline.retention.verify.BackgroundVerifier;
import io.tideline.retention.verify.CorruptionResponse;
import io.tideline.retention.verify.VerifyConfiguration;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.storage.ObjectStores;
import io.tideline.retention.RetentionConfiguration;
import io.tideline.retention.restores.RestoreEventsReader;
import io.tideline.retention.restores.RunningRestores;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The retention service's plain classes as beans. */
@Factory
@Requires(property = RetentionConfiguration.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
public class RetentionFactory {

    @Singleton
    InstanceOwnership ownership() {
        return new InstanceOwnership();
    }

    @Singleton
    @Bean(preDestroy = "close")
    RestoreEventsReader restoreEvents(io.tideline.core.kafka.KafkaClients kafka, EventCodec codec) {
        return new RestoreEventsReader(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RETENTION), Topics.RESTORE_EVENTS, codec, new RunningRestores()).start();
    }

    /** The per-instance gauges go with an instance removed from the registry, or no longer owned here. */
    @Singleton
    @Requires(beans = io.micrometer.core.instrument.MeterRegistry.class)
    RetentionMetrics metrics(io.micrometer.core.instrument.MeterRegistry meters, InstanceRegistry registry,
                             InstanceOwnership ownership) {
        RetentionMetrics metrics = new RetentionMetrics(meters, id -> ownership.owns(id) && registry.find(id).isPresent());
        registry.onChange(change -> {
            if (change.instance().isEmpty()) {
                metrics.forget(change.id());
            }
        });
        return metrics;
    }

    @Singleton
    BackgroundVerifier backgroundVerifier(InstanceRegistry registry, ObjectStores stores, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RETENTION) EventPublisher publisher,
                                          VerifyConfiguration config, Clock clock) {
        return new BackgroundVerifier(registry::find, stores::forInstance, publisher, config, clock);
    }

    @Singleton
    CorruptionResponse corruptionResponse(InstanceRegistry registry, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RETENTION) EventPublisher publisher, Clock clock) {
        return new CorruptionResponse(registry::find, publisher, clock);
    }

    @Singleton
    RetentionRunner runner(InstanceRegistry registry, ObjectStores stores, RestoreEventsReader restores,
                           @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RETENTION) EventPublisher publisher, RetentionConfiguration config, Clock clock,
                           java.util.Optional<RetentionMetrics> metrics) {
        return new RetentionRunner(registry::find, stores::forInstance, restores::claimsUpToDate, publisher, config, clock)
                .observedBy(metrics.<RetentionRunner.Observer>map(m -> m).orElse(RetentionRunner.Observer.NONE));
    }
}
