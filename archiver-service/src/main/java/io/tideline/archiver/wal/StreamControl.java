package io.tideline.archiver.wal;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import java.util.Collection;

/** Starts and stops the WAL streams of instances; what ownership decisions act on. */
interface StreamControl {

    /** Streams the instance (restarting its stream if the registration changed); a no-op if it streams already. */
    void start(RegisteredInstance instance);

    /** Stops the streams of {@code instances}, storing the growing segments first when {@code flush}; returns once they stopped. */
    void stop(Collection<InstanceId> instances, boolean flush);
}
