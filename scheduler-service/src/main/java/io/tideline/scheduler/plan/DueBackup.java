package io.tideline.scheduler.plan;

import io.tideline.core.ids.CommandId;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A daily backup that is due now.
 *
 * @param commandId   the deterministic id to emit
 * @param windowStart when the window it belongs to opened; long before now means a catch-up
 */
public record DueBackup(CommandId.Daily commandId, Instant windowStart) {

    public DueBackup {
        Objects.requireNonNull(commandId, "commandId");
        Objects.requireNonNull(windowStart, "windowStart");
    }

    /** How long after its window this command is emitted (0 when emitted on time). */
    public Duration lateness(Instant now) {
        Duration late = Duration.between(windowStart, now);
        return late.isNegative() ? Duration.ZERO : late;
    }
}
