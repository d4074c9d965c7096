package io.tideline.scheduler;

import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Secondary;
import io.micronaut.context.annotation.Value;
import io.tideline.core.kafka.EventPublisher;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.scheduler.emit.BackupCommandSink;
import io.tideline.scheduler.emit.DailyBackupEmitter;
import io.tideline.scheduler.emit.EmittedCommands;
import io.tideline.scheduler.emit.ReplayProgress;
import io.tideline.scheduler.plan.EmissionLedger;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.scheduler.registry.InstanceRegistrations;
import io.tideline.schemas.serde.EventCodec;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Wires the plain scheduling classes into the service. */
@Factory
public class SchedulerFactory {

    /** The UTC system clock; a test (or anything else) that defines its own {@link Clock} bean wins. */
    @Singleton
    @Secondary
    Clock clock() {
        return Clock.systemUTC();
    }

    @Singleton
    BackupSchedule backupSchedule(SchedulerConfiguration configuration) {
        return new BackupSchedule(configuration.windowPolicy());
    }

    @Singleton
    EmissionLedger emissionLedger() {
        return new EmissionLedger();
    }

    @Singleton
    EmittedCommands emittedCommands(EmissionLedger ledger) {
        return new EmittedCommands(ledger);
    }

    @Singleton
    ReplayProgress replayProgress(SchedulerConfiguration configuration) {
        // monotonic time: the wall clock may be moved (tests) or stepped (NTP) while we wait
        return new ReplayProgress(configuration.replayMaxWait().toNanos(), System::nanoTime);
    }

    /** Core's read model of the whole compacted instances topic, feeding the backup schedule. */
    @Singleton
    @Bean(preDestroy = "close")
    InstanceRegistry instanceRegistry(@Value("${kafka.bootstrap.servers:localhost:9092}") String bootstrapServers,
            EventCodec codec, BackupSchedule schedule) {
        InstanceRegistry registry = new InstanceRegistry(bootstrapServers, Topics.INSTANCES, codec);
        registry.onChange(new InstanceRegistrations(schedule));
        return registry.start();
    }

    @Singleton
    BackupCommandSink backupCommandSink(EventPublisher publisher) {
        return command -> publisher.publishAndWait(Topics.BACKUP_COMMANDS, command.getInstanceId(), command);
    }

    @Singleton
    DailyBackupEmitter dailyBackupEmitter(BackupSchedule schedule, EmissionLedger ledger, ReplayProgress replay,
            BackupCommandSink sink, Clock clock) {
        return new DailyBackupEmitter(schedule, ledger, replay, sink, clock);
    }
}
