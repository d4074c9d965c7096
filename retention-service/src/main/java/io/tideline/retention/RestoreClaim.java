package io.tideline.retention;

import io.tideline.core.ids.BackupId;

import java.util.Objects;
import java.util.Optional;

/**
 * A running restore of this instance, as {@code tideline.restore-events} tell it (accepted, neither
 * completed nor failed yet). It pins its backup and all WAL from that backup's start LSN on, of every
 * timeline: the restore fetches WAL on demand until it reaches its target, and the target's LSN is not
 * known in advance. A restore whose backup is not known yet (requested, not yet accepted) pins
 * everything: retention waits until it is.
 */
public record RestoreClaim(String restoreId, Optional<BackupId> backupId) {

    public RestoreClaim {
        if (restoreId == null || restoreId.isBlank()) {
            throw new IllegalArgumentException("restore id is missing");
        }
        Objects.requireNonNull(backupId, "backupId");
    }

    public static RestoreClaim uses(String restoreId, BackupId backupId) {
        return new RestoreClaim(restoreId, Optional.of(backupId));
    }

    public static RestoreClaim backupNotChosenYet(String restoreId) {
        return new RestoreClaim(restoreId, Optional.empty());
    }
}
