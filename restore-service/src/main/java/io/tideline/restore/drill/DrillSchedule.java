package io.tideline.restore.drill;

import io.tideline.core.registry.RegisteredInstance;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which instances are due a restore drill (pure). An instance with drills on is due one period after the
 * later of its registration and its last drill's start, good or failed: a failed drill is tried again a
 * period later, not at once (it would fail the same way, and a throwaway restore costs a full restore's
 * work); {@code tideline audit} reports the instance meanwhile. Restored instances are drilled like any other.
 */
public final class DrillSchedule {

    private DrillSchedule() {
    }

    /** When {@code instance} is next due; empty when its drills are off. */
    public static Optional<Instant> nextDue(RegisteredInstance instance, DrillHistory history) {
        Instant since = history.lastAttempt(instance.id().value())
                .filter(a -> a.isAfter(instance.registeredAt()))
                .orElse(instance.registeredAt());
        return instance.restoreDrill().every().map(since::plus);
    }

    /** The instances due at {@code now}, the longest overdue first. */
    public static List<RegisteredInstance> due(Collection<RegisteredInstance> instances, DrillHistory history, Instant now) {
        return instances.stream()
                .filter(i -> nextDue(i, history).map(d -> !d.isAfter(now)).orElse(false))
                .sorted(Comparator.comparing(i -> nextDue(i, history).orElseThrow()))
                .toList();
    }
}
