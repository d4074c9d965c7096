package io.tideline.core.window;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StorageAccessDeniedException;
import io.tideline.core.storage.StorageException;
import io.tideline.core.storage.StorageUnavailableException;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.TimelineHistory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Builds a {@link BucketInventory} from what an instance's bucket holds — the one place that turns a
 * listing into the window model, so retention, restore and the Backups view see the same bucket the
 * same way. The only I/O in this package, and only through the {@link ObjectStore} contract: one
 * listing (all pages), each manifest read and verified against its recorded sha256, each history file,
 * and a {@code head} per partial segment (its end LSN lives in its metadata).
 *
 * <p>Classification, per the rules of {@link BucketInventory}:
 * <ul>
 *   <li>a backup directory whose manifest reads, belongs to this instance and whose listed parts are all
 *       present is a {@link BackupEntry}; its parts are exactly the objects the manifest lists, other
 *       objects of the directory are {@code unexplained};</li>
 *   <li>a directory without a manifest, or whose manifest lists a part that is not in the bucket, is an
 *       {@link IncompleteBackup} (nothing can restore from it);</li>
 *   <li>a manifest that cannot be read (corrupt, a newer format, another instance's) is a
 *       {@linkplain Result#problems() problem}: the reader cannot know what the directory is, so callers
 *       that delete must wait rather than guess — the directory is left out of the inventory;</li>
 *   <li>complete segments are {@link WalEntry}s with the listing's last-modified time as {@code storedAt};
 *       a partial needs its {@link WalObjectMetadata}, without it the object is {@code unexplained};</li>
 *   <li>history files become {@link TimelineBranch}es; one that cannot be read is a problem;</li>
 *   <li>keys outside the layout ({@link ObjectKind.Unknown}) are left out: Tideline never acts on them.</li>
 * </ul>
 * Storage failures (listing, reads) are not problems but exceptions ({@link StorageException}): the
 * caller has no inventory at all then.
 */
public final class BucketInventoryReader {

    /**
     * What was read: the inventory, the manifests of its complete backups (for sizes and command ids),
     * and what could not be classified.
     *
     * @param problems one sentence per object the reader could not make sense of; empty when the
     *                 inventory accounts for everything in the layout
     */
    public record Result(BucketInventory inventory, Map<BackupId, BackupManifest> manifests, List<String> problems) {
        public Result {
            Objects.requireNonNull(inventory, "inventory");
            manifests = Map.copyOf(manifests);
            problems = List.copyOf(problems);
        }

        public boolean complete() {
            return problems.isEmpty();
        }
    }

    private final BucketLayout layout;

    public BucketInventoryReader(BucketLayout layout) {
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /** Reads the bucket of {@code instance} through {@code store}. */
    public Result read(InstanceId instance, ObjectStore store) {
        List<io.tideline.core.storage.StoredObject> listing = store.list("");
        List<String> problems = new ArrayList<>();
        Map<BackupId, Map<ObjectKind, StoredObject>> backupDirs = new TreeMap<>();
        BucketInventory.Builder inventory = BucketInventory.builder();
        List<String> histories = new ArrayList<>();
        for (io.tideline.core.storage.StoredObject listed : listing) {
            StoredObject object = new StoredObject(listed.key(), listed.size(), listed.lastModified());
            ObjectKind kind = layout.parse(listed.key());
            if (kind instanceof ObjectKind.BackupPart p) {
                backupDirs.computeIfAbsent(p.backupId(), k -> new LinkedHashMap<>()).put(kind, object);
            } else if (kind instanceof ObjectKind.BackupManifest m) {
                backupDirs.computeIfAbsent(m.backupId(), k -> new LinkedHashMap<>()).put(kind, object);
            } else if (kind instanceof ObjectKind.WalSegment s) {
                inventory.wal(WalEntry.complete(s.segment(), listed.lastModified(), object));
            } else if (kind instanceof ObjectKind.WalPartial s) {
                partial(store, s, object, inventory);
            } else if (kind instanceof ObjectKind.TimelineHistory h) {
                histories.add(listed.key());
                readHistory(store, h.timeline(), listed.key(), problems).forEach(inventory::branch);
            }
            // ObjectKind.Unknown: not Tideline's, left out on purpose.
        }
        Map<BackupId, BackupManifest> manifests = new LinkedHashMap<>();
        for (Map.Entry<BackupId, Map<ObjectKind, StoredObject>> dir : backupDirs.entrySet()) {
            classifyBackup(instance, store, dir.getKey(), dir.getValue(), inventory, manifests, problems);
        }
        BucketInventory built;
        try {
            built = inventory.build();
        } catch (IllegalArgumentException e) {
            // Contradictory histories, mixed segment sizes: nothing the window could be computed from.
            throw new IllegalStateException("the bucket " + store.bucket() + " does not describe one instance's history: "
                    + e.getMessage(), e);
        }
        return new Result(built, manifests, problems);
    }

    private void classifyBackup(InstanceId instance, ObjectStore store, BackupId id, Map<ObjectKind, StoredObject> objects,
                                BucketInventory.Builder inventory, Map<BackupId, BackupManifest> manifests,
                                List<String> problems) {
        StoredObject manifestObject = objects.get(new ObjectKind.BackupManifest(id));
        List<StoredObject> others = objects.entrySet().stream()
                .filter(e -> !(e.getKey() instanceof ObjectKind.BackupManifest))
                .map(Map.Entry::getValue).toList();
        if (manifestObject == null) {
            inventory.incompleteBackup(new IncompleteBackup(id, others));
            return;
        }
        BackupManifest manifest;
        try {
            manifest = BackupManifest.parse(store.getVerified(manifestObject.key()));
            if (!manifest.backupId().equals(id)) {
                throw new IllegalArgumentException("it describes backup " + manifest.backupId());
            }
            if (!manifest.instanceId().equals(instance)) {
                throw new IllegalArgumentException("it belongs to instance " + manifest.instanceId());
            }
            if (manifest.walSegmentSize() != layout.walSegmentSize()) {
                throw new IllegalArgumentException("its wal_segment_size " + manifest.walSegmentSize()
                        + " is not the instance's " + layout.walSegmentSize());
            }
        } catch (IllegalArgumentException | StorageException e) {
            rethrowStoreFailure(e);
            problems.add("manifest " + manifestObject.key() + " cannot be read: " + e.getMessage());
            return;
        }
        Set<String> listed = manifest.parts().stream().map(BackupManifest.Part::key).collect(Collectors.toSet());
        Map<String, StoredObject> present = others.stream().collect(Collectors.toMap(StoredObject::key, o -> o));
        List<String> missing = manifest.parts().stream().map(BackupManifest.Part::key).filter(k -> !present.containsKey(k)).toList();
        if (!missing.isEmpty()) {
            // The manifest's promise is broken: the backup cannot be restored, whatever else is there.
            List<StoredObject> all = new ArrayList<>(others);
            all.add(manifestObject);
            inventory.incompleteBackup(new IncompleteBackup(id, all));
            problems.add("backup " + id + " lacks parts its manifest lists: " + missing);
            return;
        }
        List<StoredObject> parts = manifest.parts().stream().map(p -> present.get(p.key())).toList();
        others.stream().filter(o -> !listed.contains(o.key())).forEach(inventory::unexplained);
        inventory.backup(new BackupEntry(id, manifest.timeline(), manifest.startLsn(), manifest.endLsn(),
                manifest.startedAt(), manifest.finishedAt(), manifestObject, parts));
        manifests.put(id, manifest);
    }

    private void partial(ObjectStore store, ObjectKind.WalPartial kind, StoredObject object, BucketInventory.Builder inventory) {
        Optional<io.tideline.core.storage.StoredObject> head = store.head(object.key());
        if (head.isEmpty()) {
            return; // removed since the listing (its segment completed): the next read sees the segment
        }
        StoredObject current = new StoredObject(object.key(), head.get().size(), head.get().lastModified());
        try {
            WalObjectMetadata meta = WalObjectMetadata.from(head.get());
            inventory.wal(WalEntry.partial(kind.segment(), meta.endLsn(), head.get().lastModified(), current));
        } catch (IllegalArgumentException e) {
            // Not what the archiver writes (it always records the range): nothing can count on it.
            inventory.unexplained(current);
        }
    }

    private List<TimelineBranch> readHistory(ObjectStore store, long timeline, String key, List<String> problems) {
        try {
            String content = new String(store.getVerified(key), StandardCharsets.UTF_8);
            return TimelineBranch.allOf(TimelineHistory.parse(timeline, content));
        } catch (IllegalArgumentException | StorageException e) {
            rethrowStoreFailure(e);
            problems.add("history file " + key + " cannot be read: " + e.getMessage());
            return List.of();
        }
    }

    /** An unreachable store or refused credentials say nothing about the object: the read as a whole fails. */
    private static void rethrowStoreFailure(RuntimeException e) {
        if (e instanceof StorageUnavailableException || e instanceof StorageAccessDeniedException) {
            throw e;
        }
    }
}
