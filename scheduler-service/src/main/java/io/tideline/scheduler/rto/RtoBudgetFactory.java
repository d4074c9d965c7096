package io.tideline.scheduler.rto;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.kafka.KafkaClients;
import io.tideline.core.kafka.KafkaPrincipals;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.rto.ReplayRates;
import io.tideline.scheduler.SchedulerConfiguration;
import io.tideline.scheduler.emit.BackupCommandSink;
import io.tideline.scheduler.emit.ReplayProgress;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The RTO budget's beans (issue 18.6); off with {@code tideline.scheduler.rto.enabled=false} (or the whole scheduler). */
@Factory
@Requires(property = SchedulerConfiguration.ENABLED, notEquals = "false")
@Requires(property = RtoBudgetConfiguration.PREFIX + ".enabled", notEquals = "false")
public class RtoBudgetFactory {

    @Singleton
    ReplayRates replayRates(RtoBudgetConfiguration config) {
        return config.replayRates();
    }

    @Singleton
    @Bean(preDestroy = "close")
    RtoEventsReader rtoEventsReader(KafkaClients kafka, EventCodec codec, BackupActivity activity, ReplayRates rates) {
        return new RtoEventsReader(kafka.connection(KafkaPrincipals.SCHEDULER), codec, activity, rates).start();
    }

    @Singleton
    RtoBudgetEmitter rtoBudgetEmitter(InstanceRegistry registry, BackupActivity activity, ReplayRates rates,
                                      RtoBudgetConfiguration config, RtoEventsReader reader, ReplayProgress commandsReplay,
                                      BackupCommandSink sink, Clock clock) {
        return new RtoBudgetEmitter(registry::all, activity, rates, config,
                () -> reader.caughtUp() && registry.isCaughtUp() && commandsReplay.caughtUp(), sink, clock);
    }
}
