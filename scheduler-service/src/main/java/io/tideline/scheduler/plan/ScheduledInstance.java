package io.tideline.scheduler.plan;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.window.BackupWindow;
import java.time.Instant;
import java.util.Objects;

/**
 * What the planner needs to know of a registered instance.
 *
 * @param registeredAt when the instance was registered; windows before it are not owed a backup
 *                     (registration asks for its own first backup)
 */
public record ScheduledInstance(InstanceId id, BackupWindow window, Instant registeredAt) {

    public ScheduledInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(registeredAt, "registeredAt");
    }
}
