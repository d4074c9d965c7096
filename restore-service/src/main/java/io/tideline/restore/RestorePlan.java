package io.tideline.restore;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.restore.RestoreTarget;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.RestorableBackup;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An accepted restore: what to restore, from which backup, into which new instance.
 *
 * @param backup      the newest backup consistent at or before the target whose WAL reaches it
 * @param requiredWal the WAL objects that were stored, from the backup's start to where its WAL reaches,
 *                    when the restore was accepted: if recovery asks for one of these and it is gone,
 *                    the restore fails naming it (anything else absent is the end of the archive)
 * @param layout      the source bucket's layout (its WAL segment size)
 */
public record RestorePlan(RestoreId restoreId, RegisteredInstance source, RestoreTarget target, InstanceId newInstance,
                          String newName, RestorableBackup backup, Set<WalSegmentName> requiredWal, BucketLayout layout,
                          String requestedBy) {

    public RestorePlan {
        Objects.requireNonNull(restoreId, "restoreId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(newInstance, "newInstance");
        Objects.requireNonNull(newName, "newName");
        Objects.requireNonNull(backup, "backup");
        requiredWal = Set.copyOf(requiredWal);
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(requestedBy, "requestedBy");
        if (newInstance.equals(source.id())) {
            throw new IllegalArgumentException("a restore never goes into its source instance " + source.id());
        }
    }

    public InstanceId sourceId() {
        return source.id();
    }

    /**
     * The moment replay runs to, shown beside the time replay reached: the target time, or for {@code latest} the
     * newest commit time recorded for the backup's WAL; empty for targets that are not a time.
     */
    public Optional<Instant> replayTargetTime() {
        if (target instanceof RestoreTarget.Latest) {
            return Optional.of(backup.restorableUntil());
        }
        return target.targetTime();
    }

    public BackupEntry backupEntry() {
        return backup.backup();
    }
}
