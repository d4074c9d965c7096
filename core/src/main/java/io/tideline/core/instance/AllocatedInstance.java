package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import java.nio.file.Path;
import java.util.Objects;

/**
 * An instance whose place is reserved but which holds no cluster yet: the restore service unpacks
 * a base backup into {@link #dataDir}, then calls {@link InstanceProvisioner#startRecovering}.
 *
 * @param id      the new instance
 * @param dataDir an empty directory to fill with the backup's files (ownership is fixed at start)
 * @param port    the port the instance will listen on (re-chosen at start if something took it)
 */
public record AllocatedInstance(InstanceId id, Path dataDir, int port) {
    public AllocatedInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
