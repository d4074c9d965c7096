package io.tideline.scheduler.plan;

import io.tideline.core.ids.CommandId;
import io.tideline.core.ids.InstanceId;
import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * For every instance, the latest UTC date whose daily command has been emitted (by this replica or
 * by any other: the ledger is rebuilt from {@code tideline.backup-commands}, and also fed with
 * this replica's own sends so that the next tick never depends on how fast they are read back).
 *
 * <p>Only the latest date is kept: the planner never looks further back (see {@link SchedulePlanner}).
 * Safe for one writer thread per topic listener plus the scheduler's tick reading concurrently.
 */
public final class EmissionLedger {

    private final Map<InstanceId, LocalDate> latest = new ConcurrentHashMap<>();

    /** Records an emitted daily command; an older date than the one known changes nothing. */
    public void record(CommandId.Daily command) {
        latest.merge(command.instance(), command.day(), (a, b) -> a.isAfter(b) ? a : b);
    }

    /** The latest day whose daily command is known to have been emitted for the instance. */
    public Optional<LocalDate> lastEmitted(InstanceId instance) {
        return Optional.ofNullable(latest.get(instance));
    }

    /** How many instances have at least one recorded daily command. */
    public int size() {
        return latest.size();
    }
}
