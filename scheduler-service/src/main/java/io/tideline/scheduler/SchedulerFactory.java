package io.tideline.scheduler;

import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
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
import jakarta.inject.Singleton;
import java.time.Clock;

/**
 * Wires the plain scheduling classes into the service. The {@link Clock} and the
 * {@link InstanceRegistry} come from core's {@code FleetFactory} ({@code @Secondary}: a test's own
 * {@code Clock} bean replaces the system clock).
 */
@Factory
@Requires(property = SchedulerConfiguration.ENABLED, notEquals = "false") // off: none of the scheduler's beans
public class SchedulerFactory {

    @Singleton
    BackupSchedule backupSchedule(SchedulerConfiguration configuration) {
        return new BackupSchedule(configuration.windowPolicy());
    }

    @Singleton
    EmissionLedger emissionLedger() {
        return new EmissionLedger();
    }

    @Singleton
    io.tideline.scheduler.rto.BackupActivity backupActivity() {
        return new io.tideline.scheduler.rto.BackupActivity();
    }

    @Singleton
    EmittedCommands emittedCommands(EmissionLedger ledger, io.tideline.scheduler.rto.BackupActivity activity) {
        return new EmittedCommands(ledger, activity::commandSent);
    }

    @Singleton
    ReplayProgress replayProgress(SchedulerConfiguration configuration) {
        // monotonic time: the wall clock may be moved (tests) or stepped (NTP) while we wait
        return new ReplayProgress(configuration.replayMaxWait().toNanos(), System::nanoTime);
    }

    /**
     * The backup schedule subscribed to core's read model of the whole instances topic (the
     * {@link InstanceRegistry} bean of core's {@code FleetFactory}): existing instances are replayed
     * to it, then every change.
     */
    @Singleton
    InstanceRegistrations instanceRegistrations(BackupSchedule schedule, InstanceRegistry registry) {
        InstanceRegistrations registrations = new InstanceRegistrations(schedule);
        registry.onChange(registrations);
        return registrations;
    }

    @Singleton
    BackupCommandSink backupCommandSink(@jakarta.inject.Named(io.tideline.core.kafka.KafkaPrincipals.SCHEDULER) EventPublisher publisher) {
        return command -> publisher.publishAndWait(Topics.BACKUP_COMMANDS, command.getInstanceId(), command);
    }

    @Singleton
    DailyBackupEmitter dailyBackupEmitter(BackupSchedule schedule, EmissionLedger ledger, ReplayProgress replay,
            BackupCommandSink sink, Clock clock) {
        return new DailyBackupEmitter(schedule, ledger, replay, sink, clock);
    }
}
