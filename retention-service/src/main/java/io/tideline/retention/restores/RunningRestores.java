package io.tideline.retention.restores;

import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.retention.RestoreClaim;
import io.tideline.schemas.RestoreAccepted;
import io.tideline.schemas.RestoreCompleted;
import io.tideline.schemas.RestoreFailed;
import io.tideline.schemas.RestoreRejected;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;

/**
 * Which restores of which source instance are running, as {@code tideline.restore-events} tell it: a
 * {@code RestoreAccepted} opens a claim on its backup, a {@code RestoreCompleted}, {@code RestoreFailed}
 * or {@code RestoreRejected} of the same restore id closes it. Events are keyed by the source instance,
 * so one restore's events arrive in order; a replay from the beginning rebuilds the same state, and a
 * redelivered event changes nothing. Plain and thread-safe: the reader thread applies, runs read.
 */
public final class RunningRestores {

    private final Map<InstanceId, Map<String, Optional<BackupId>>> running = new HashMap<>();
    private final Set<String> ended = new HashSet<>();

    /** Applies one event of the topic; other types are ignored. Returns whether the claims changed. */
    public synchronized boolean apply(SpecificRecord event) {
        if (event instanceof RestoreAccepted accepted) {
            if (ended.contains(accepted.getRestoreId())) {
                return false;
            }
            Optional<BackupId> backup;
            try {
                backup = Optional.of(BackupId.parse(accepted.getBackupId()));
            } catch (IllegalArgumentException e) {
                // A restore runs from something retention cannot name: it must pin everything (wait).
                backup = Optional.empty();
            }
            Optional<BackupId> before = running.computeIfAbsent(InstanceId.of(accepted.getInstanceId()), i -> new HashMap<>())
                    .put(accepted.getRestoreId(), backup);
            return !backup.equals(before);
        }
        String restoreId;
        String instance;
        if (event instanceof RestoreCompleted done) {
            restoreId = done.getRestoreId();
            instance = done.getInstanceId();
        } else if (event instanceof RestoreFailed failed) {
            restoreId = failed.getRestoreId();
            instance = failed.getInstanceId();
        } else if (event instanceof RestoreRejected rejected) {
            restoreId = rejected.getRestoreId();
            instance = rejected.getInstanceId();
        } else {
            return false;
        }
        ended.add(restoreId);
        Map<String, Optional<BackupId>> claims = running.get(InstanceId.of(instance));
        return claims != null && claims.remove(restoreId) != null;
    }

    /** The restores of {@code source} in progress, each pinning its backup. */
    public synchronized List<RestoreClaim> claims(InstanceId source) {
        List<RestoreClaim> claims = new ArrayList<>();
        running.getOrDefault(source, Map.of()).forEach((restoreId, backup) -> claims.add(new RestoreClaim(restoreId, backup)));
        return claims;
    }
}
