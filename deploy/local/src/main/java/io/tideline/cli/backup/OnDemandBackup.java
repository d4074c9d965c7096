package io.tideline.cli.backup;

import io.tideline.cli.CliException;
import io.tideline.cli.events.Event;
import io.tideline.cli.events.EventStream;
import io.tideline.cli.events.KafkaAccess;
import io.tideline.core.events.BackupCommands;
import io.tideline.core.ids.CommandId;
import io.tideline.core.kafka.Topics;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.schemas.BackupCompleted;
import io.tideline.schemas.BackupFailed;
import io.tideline.schemas.BackupProgress;
import io.tideline.schemas.BackupStarted;
import io.tideline.schemas.WalSegmentStored;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;

/**
 * Asks the archiver for a base backup of one instance now and follows it on {@code tideline.timeline}
 * until it is restorable ({@code BackupCompleted}) or failed. The timeline is read from its end as it
 * was BEFORE the command is published, so no answer can be missed.
 */
public final class OnDemandBackup {

    /** Told what happens, for a progress display. */
    public interface Listener {
        void requested(String commandId);

        void started(BackupStarted started);

        /** How far the running backup is (published every few seconds by the archiver). */
        void progress(BackupProgress progress);

        /** WAL of the instance stored while the backup runs (it completes once the WAL reaches its end LSN). */
        void walStored(WalSegmentStored stored);
    }

    /** A backup that completed: it is restorable. */
    public record Completed(String commandId, BackupCompleted event, Instant requestedAt) {
    }

    private final KafkaAccess kafka;
    private final Clock clock;

    public OnDemandBackup(KafkaAccess kafka, Clock clock) {
        this.kafka = kafka;
        this.clock = clock;
    }

    /**
     * @param commandId  the idempotence key, whose kind gives the reason: {@link CommandId#newOnDemand()} for a
     *                   person's request, {@link #todaysDailyId} for "the daily backup" (the demo)
     * @throws CliException {@code REFUSED} on {@code BackupFailed}, {@code FAILURE} when nothing completes in time
     */
    public Completed run(RegisteredInstance instance, CommandId command, String requestedBy,
                         Duration timeout, Listener listener) {
        String id = instance.id().value();
        String commandId = command.value();
        try (EventStream timeline = kafka.fromEnd(Topics.TIMELINE)) {
            // A daily id names one backup per day whoever asks: if it is taken already, the archiver
            // skips the command and says nothing, so the answer is in the history.
            if (command instanceof CommandId.Daily) {
                Optional<BackupCompleted> taken = completedBefore(id, commandId);
                if (taken.isPresent()) {
                    return new Completed(commandId, taken.get(), taken.get().getOccurredAt());
                }
            }
            Instant now = clock.instant();
            request(instance, command, requestedBy);
            listener.requested(commandId);
            long deadline = System.nanoTime() + timeout.toNanos();
            boolean started = false;
            while (System.nanoTime() < deadline) {
                for (Event event : timeline.poll(Duration.ofMillis(250))) {
                    if (!id.equals(event.key()) || event.value().isEmpty()) {
                        continue;
                    }
                    SpecificRecord value = event.value().get();
                    if (value instanceof BackupStarted s && commandId.equals(s.getCommandId())) {
                        started = true;
                        listener.started(s);
                    } else if (value instanceof BackupProgress p && commandId.equals(p.getCommandId())) {
                        listener.progress(p);
                    } else if (value instanceof BackupCompleted c && commandId.equals(c.getCommandId())) {
                        return new Completed(commandId, c, now);
                    } else if (value instanceof BackupFailed f && commandId.equals(f.getCommandId())) {
                        throw CliException.refused("the backup of " + instance.name() + " failed: " + f.getReason());
                    } else if (value instanceof WalSegmentStored w && started) {
                        listener.walStored(w);
                    }
                }
            }
            throw CliException.failure("the backup of " + instance.name() + " did not complete within "
                    + timeout.toMinutes() + " min" + (started ? " (it started; it may still complete: see ./tideline backups "
                    + instance.name() + ")" : " (the archiver never started it: is it running? see ./tideline status)"));
        }
    }

    private Optional<BackupCompleted> completedBefore(String instanceId, String commandId) {
        try (EventStream history = kafka.fromBeginning(Topics.TIMELINE)) {
            for (Event e : history.readToEndAtOpen(Duration.ofMinutes(1))) {
                if (instanceId.equals(e.key()) && e.value().isPresent() && e.value().get() instanceof BackupCompleted c
                        && commandId.equals(c.getCommandId())) {
                    return Optional.of(c);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Publishes a command without waiting for its backup (registration asks for its first backup this way).
     */
    public void request(RegisteredInstance instance, CommandId command, String requestedBy) {
        kafka.publish(Topics.BACKUP_COMMANDS, instance.id().value(),
                BackupCommands.command(UUID.randomUUID(), instance.id(), command, requestedBy, clock.instant()));
    }

    /** Today's daily command id of {@code instance} (UTC date): the scheduler's id, so the day has one backup. */
    public CommandId.Daily todaysDailyId(RegisteredInstance instance) {
        return CommandId.daily(instance.id(), LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC));
    }
}
