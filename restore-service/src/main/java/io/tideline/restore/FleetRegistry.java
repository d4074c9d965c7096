package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import java.time.Duration;
import java.util.Optional;

/**
 * What the restore service reads of the fleet registry ({@code tideline.instances}): in production core's
 * {@code InstanceRegistry} (see {@link RestoreFactory}), in unit tests a map.
 */
interface FleetRegistry {

    /** The registered instance, if any (removed instances are not registered). */
    Optional<RegisteredInstance> find(InstanceId id);

    Optional<RegisteredInstance> findByName(String name);

    /** Waits until everything on the topic when the registry started has been read; false on time-out. */
    boolean awaitCaughtUp(Duration timeout) throws InterruptedException;
}
