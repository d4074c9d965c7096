package io.tideline.core.instance;

import io.tideline.core.ids.InstanceId;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * An instance whose place is reserved but which holds no cluster yet: the restore service unpacks
 * a base backup into {@link #dataDir}, then calls {@link InstanceProvisioner#startRecovering}.
 *
 * @param id      the new instance
 * @param dataDir an empty directory to fill with the backup's files (ownership is fixed at start)
 * @param port    the port the instance will listen on (re-chosen at start if something took it)
 * @param walSpool where WAL can be handed to the server ahead of its asking; empty when the provisioner
 *                offers none (the server then fetches every file over the network)
 */
public record AllocatedInstance(InstanceId id, Path dataDir, int port, Optional<WalSpool> walSpool) {
    public AllocatedInstance {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(walSpool, "walSpool");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }
}
