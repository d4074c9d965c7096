package io.tideline.retention.run;

import io.tideline.core.ids.InstanceId;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.WalEntry;
import io.tideline.retention.ExpiryDecision;
import io.tideline.retention.Orphan;
import io.tideline.retention.WalRun;
import io.tideline.schemas.ArtifactsExpired;
import io.tideline.schemas.WalRange;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The {@code ArtifactsExpired} for what a run actually deleted — all of the decision, or the part done
 * before a failure: a backup counts as expired once its manifest is gone (the rest of it is then an
 * incomplete backup that the next run removes as an orphan).
 */
final class ExpiryEvents {

    private ExpiryEvents() {
    }

    static ArtifactsExpired of(InstanceId instance, ExpiryDecision.Expire decision, Set<String> deleted, UUID eventId,
                               Instant occurredAt) {
        List<String> backups = decision.expiredBackups().stream()
                .filter(b -> deleted.contains(b.manifest().key()))
                .map(BackupEntry::id).map(Object::toString).toList();
        List<WalEntry> wal = decision.expiredWal().stream().filter(w -> deleted.contains(w.object().key())).toList();
        List<WalRange> ranges = WalRun.runsOf(wal).stream()
                .map(r -> WalRange.newBuilder().setTimeline((int) r.timeline())
                        .setFromSegment(r.first().toString()).setToSegment(r.last().toString()).build())
                .toList();
        List<String> orphans = decision.orphans().stream().map(Orphan::object).map(ListedObject::key)
                .filter(deleted::contains).toList();
        long bytes = decision.deletionOrder().stream().filter(o -> deleted.contains(o.key())).mapToLong(ListedObject::size).sum();
        return ArtifactsExpired.newBuilder()
                .setEventId(eventId)
                .setInstanceId(instance.value())
                .setOccurredAt(occurredAt)
                .setRetentionCutoff(decision.cutoff())
                .setKeptBackupId(decision.keptBackup().map(b -> b.id().value()).orElse(null))
                .setExpiredBackupIds(backups)
                .setExpiredWal(ranges)
                .setOrphanKeys(orphans)
                .setObjectsDeleted(deleted.size())
                .setBytesFreed(bytes)
                .build();
    }
}
