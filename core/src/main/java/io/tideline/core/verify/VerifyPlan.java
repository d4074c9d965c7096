package io.tideline.core.verify;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.TimelineBranch;
import io.tideline.core.window.WalEntry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which objects a verification re-reads, and the sha256 each must hash to where it is recorded outside
 * the object (a backup part's, in its manifest). The whole bucket's window: every complete backup (its
 * manifest and parts), every WAL object and every timeline history file. One backup ({@code --backup}):
 * its manifest and parts, the WAL from its start on, and the history files.
 */
final class VerifyPlan {

    private VerifyPlan() {
    }

    static List<ObjectToVerify> of(ObjectStore store, BucketLayout layout, BucketInventory inventory,
                                   Optional<BackupId> only, List<String> problems) {
        List<BackupEntry> backups = inventory.backups().stream()
                .filter(b -> only.isEmpty() || b.id().equals(only.get())).toList();
        if (only.isPresent() && backups.isEmpty()) {
            throw new IllegalArgumentException("backup " + only.get().value() + " is not a complete backup of bucket "
                    + store.bucket() + " (unknown, incomplete, expired, or its manifest is unreadable)");
        }
        List<ObjectToVerify> plan = new ArrayList<>();
        for (BackupEntry b : backups) {
            plan.add(own(b.manifest(), ObjectToVerify.Role.MANIFEST));
            Map<String, Sha256> recorded = partChecksums(store, b, problems);
            for (ListedObject part : b.parts()) {
                Sha256 sha = recorded.get(part.key());
                if (sha != null) {
                    plan.add(new ObjectToVerify(part.key(), ObjectToVerify.Role.BACKUP_PART, part.size(), part.lastModified(),
                            Optional.of(sha)));
                }
            }
        }
        long fromSegment = only.isEmpty() ? Long.MIN_VALUE : backups.get(0).startLsn().value()
                / inventory.segmentSize().orElse(layout.walSegmentSize());
        for (WalEntry w : inventory.wal()) {
            if (w.segment().segmentNo() >= fromSegment) {
                plan.add(own(w.object(), ObjectToVerify.Role.WAL));
            }
        }
        for (TimelineBranch branch : inventory.branches()) {
            store.head(layout.timelineHistory(branch.timeline())).ifPresent(h ->
                    plan.add(new ObjectToVerify(h.key(), ObjectToVerify.Role.HISTORY, h.size(), h.lastModified(), Optional.empty())));
        }
        return List.copyOf(plan);
    }

    private static ObjectToVerify own(ListedObject o, ObjectToVerify.Role role) {
        return new ObjectToVerify(o.key(), role, o.size(), o.lastModified(), Optional.empty());
    }

    /** The parts' sha256 from the manifest (read again: the inventory keeps only what the window needs). */
    private static Map<String, Sha256> partChecksums(ObjectStore store, BackupEntry b, List<String> problems) {
        Map<String, Sha256> sha = new HashMap<>();
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(b.manifest().key()));
            manifest.parts().forEach(p -> sha.put(p.key(), p.sha256()));
        } catch (NoSuchObjectException e) {
            // expired since the listing: nothing of it to verify
        } catch (ChecksumMismatchException | IllegalArgumentException e) {
            problems.add("manifest " + b.manifest().key() + " could not be read again (" + e.getMessage()
                    + "); the parts of backup " + b.id().value() + " were not checked");
        }
        return sha;
    }

    /** The listing's view of an object, for objects a HEAD found. */
    static ListedObject listed(StoredObject o) {
        return new ListedObject(o.key(), o.size(), o.lastModified());
    }
}
