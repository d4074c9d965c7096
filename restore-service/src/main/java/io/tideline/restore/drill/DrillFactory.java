package io.tideline.restore.drill;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.instance.InstanceProvisioner;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.kafka.TopicReplay;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.secrets.SecretStore;
import io.tideline.restore.DrillRestores;
import io.tideline.restore.RestoreConfiguration;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/**
 * Restore drills as beans: on wherever the restore service is ({@code tideline.restore.enabled}) unless
 * {@code tideline.restore.drill.enabled=false}. The scheduler is made with the context (its timer does nothing
 * until this replica owns restore-request partitions).
 */
@Factory
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
@Requires(property = DrillConfiguration.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
class DrillFactory {

    @Singleton
    DrillHistory drillHistory() {
        return new DrillHistory();
    }

    @Context
    @Bean(preDestroy = "stop")
    DrillScheduler drillScheduler(DrillConfiguration config, DrillRestores restores, InstanceRegistry registry,
                                  DrillHistory history, @jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.RESTORE) EventPublisher publisher, SecretStore secrets,
                                  InstanceProvisioner instances, MeterRegistry meters, EventCodec codec,
                                  io.tideline.core.kafka.KafkaClients kafka, Clock clock) {
        DrillEvents events = new DrillEvents(publisher, history, clock);
        RestoreDrill drill = new RestoreDrill(restores, new DrillChecks(config, secrets, instances), events, new SecureRandom());
        DrillScheduler scheduler = new DrillScheduler(config, restores, registry, history, drill,
                new DrillMetrics(meters, history),
                () -> new TopicReplay(kafka.connection(io.tideline.core.kafka.KafkaPrincipals.RESTORE), List.of(Topics.TIMELINE), "restore-drills", codec,
                        r -> r.value().ifPresent(history::apply)), clock);
        scheduler.start();
        return scheduler;
    }
}
