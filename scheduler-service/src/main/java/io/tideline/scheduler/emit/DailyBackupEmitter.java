package io.tideline.scheduler.emit;

import io.tideline.core.events.BackupCommands;
import io.tideline.scheduler.plan.DueBackup;
import io.tideline.scheduler.plan.EmissionLedger;
import io.tideline.scheduler.plan.SchedulePlanner;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.schemas.BackupCommand;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of the daily backup clock: asks the planner what is due and sends it. Runs on one
 * thread at a time (the scheduler's tick); the listeners update schedule and ledger concurrently.
 */
public final class DailyBackupEmitter {

    /** The {@code requestedBy} of every command the scheduler sends. */
    public static final String REQUESTED_BY = "scheduler";

    private static final Logger LOG = LoggerFactory.getLogger(DailyBackupEmitter.class);

    private final BackupSchedule schedule;
    private final EmissionLedger ledger;
    private final ReplayProgress replay;
    private final SchedulePlanner planner;
    private final BackupCommandSink sink;
    private final Clock clock;
    private boolean warnedReplayTimeout;

    public DailyBackupEmitter(BackupSchedule schedule, EmissionLedger ledger, ReplayProgress replay,
            BackupCommandSink sink, Clock clock) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.ledger = Objects.requireNonNull(ledger, "ledger");
        this.replay = Objects.requireNonNull(replay, "replay");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.planner = new SchedulePlanner(clock);
    }

    /** What one tick did. */
    public record TickResult(boolean waitingForReplay, List<BackupCommand> sent, int failed) {

        static TickResult waiting() {
            return new TickResult(true, List.of(), 0);
        }
    }

    public TickResult tick() {
        if (!replay.caughtUp()) {
            if (replay.isAssigned()) {
                LOG.info("Not emitting yet: still reading tideline.backup-commands (partitions {})", replay.pending());
            } else {
                LOG.info("Not emitting yet: waiting for the partitions of tideline.backup-commands");
            }
            return TickResult.waiting();
        }
        if (replay.timedOut() && !warnedReplayTimeout) {
            warnedReplayTimeout = true;
            LOG.warn("Gave up waiting for the replay of tideline.backup-commands (partitions {} not read to their end);"
                    + " a daily command may be sent twice, the archiver ignores the second", replay.pending());
        }
        List<BackupCommand> sent = new ArrayList<>();
        for (DueBackup due : planner.due(schedule.snapshot(), ledger)) {
            Instant now = clock.instant();
            BackupCommand command = BackupCommands.command(UUID.randomUUID(), due.commandId().instance(), due.commandId(),
                    REQUESTED_BY, now);
            try {
                sink.send(command);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TickResult(false, List.copyOf(sent), 1);
            } catch (Exception e) {
                // Not recorded, so the next tick tries again; stop here, the broker is likely unreachable.
                LOG.warn("Could not send {} (window {}); retrying at the next tick: {}",
                        due.commandId(), due.windowStart(), e.toString());
                return new TickResult(false, List.copyOf(sent), 1);
            }
            ledger.record(due.commandId());
            sent.add(command);
            LOG.info("Sent {} (window {} UTC, {} late)", due.commandId(), due.windowStart(), due.lateness(now));
        }
        return new TickResult(false, List.copyOf(sent), 0);
    }
}
