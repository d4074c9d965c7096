package io.tideline.scheduler.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.scheduler.window.WindowBand;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Chooses an instance's backup window. In order of precedence:
 * <ol>
 *   <li>an operator override in the scheduler's configuration
 *       ({@code tideline.scheduler.windows.<instance-id>: "HH:mm"}): the way to move one instance
 *       without re-registering it;</li>
 *   <li>the window the registration asked for, if any;</li>
 *   <li>the default: spread over the allowed band by a stable hash of the id
 *       ({@link BackupWindow#spread}).</li>
 * </ol>
 */
public record WindowPolicy(WindowBand band, Map<InstanceId, BackupWindow> overrides) {

    public WindowPolicy {
        Objects.requireNonNull(band, "band");
        overrides = Map.copyOf(overrides);
    }

    public static WindowPolicy spreadOver(WindowBand band) {
        return new WindowPolicy(band, Map.of());
    }

    public BackupWindow windowFor(InstanceId instance, Optional<BackupWindow> requested) {
        BackupWindow override = overrides.get(instance);
        if (override != null) {
            return override;
        }
        return requested.orElseGet(() -> BackupWindow.spread(instance, band));
    }
}
