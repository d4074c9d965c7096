package io.tideline.scheduler.plan;

import io.tideline.core.ids.CommandId;
import io.tideline.scheduler.window.BackupWindow;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which daily backup commands are due at the clock's current instant.
 *
 * <p>The rule, per instance: take the latest window that has opened at or before now (today's if
 * it has opened, else yesterday's). It is due when
 * <ol>
 *   <li>no daily command for that day or a later one has been emitted, and</li>
 *   <li>the instance was registered at or before that window opened (an instance registered after
 *       today's window waits for tomorrow's; registration asks for its own first backup).</li>
 * </ol>
 * Consequences that are intended:
 * <ul>
 *   <li>A scheduler that was down over a window emits the missed day once when it is back, even
 *       if that is hours later.</li>
 *   <li>No backlog: after a downtime of several days only the latest missed window is emitted. A
 *       daily backup exists to give recovery a fresh base; three backups taken one after another
 *       now would all be equally fresh, so the older days are skipped.</li>
 *   <li>Only UTC dates and instants are used; the clock's zone is ignored, so daylight saving time
 *       cannot skip or double a window.</li>
 * </ul>
 * The planner is pure apart from reading the clock: it emits nothing and does not record anything;
 * the caller records what it actually sent in the {@link EmissionLedger}.
 */
public final class SchedulePlanner {

    private final Clock clock;

    public SchedulePlanner(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The commands due now, oldest window first (ties by instance id), at most one per instance. */
    public List<DueBackup> due(Collection<ScheduledInstance> registry, EmissionLedger ledger) {
        Instant now = clock.instant();
        List<DueBackup> due = new ArrayList<>();
        for (ScheduledInstance instance : registry) {
            dueFor(instance, ledger.lastEmitted(instance.id()), now).ifPresent(due::add);
        }
        due.sort(Comparator.comparing(DueBackup::windowStart).thenComparing(DueBackup::commandId));
        return List.copyOf(due);
    }

    static Optional<DueBackup> dueFor(ScheduledInstance instance, Optional<LocalDate> lastEmitted, Instant now) {
        BackupWindow window = instance.window();
        LocalDate day = window.latestOpenedDay(now);
        Instant opened = window.startOn(day);
        if (instance.registeredAt().isAfter(opened)) {
            return Optional.empty();
        }
        if (lastEmitted.isPresent() && !lastEmitted.get().isBefore(day)) {
            return Optional.empty();
        }
        return Optional.of(new DueBackup(new CommandId.Daily(instance.id(), day), opened));
    }
}
