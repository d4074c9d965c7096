package io.tideline.core.inventory;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.NoSuchObjectException;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.IncompleteBackup;
import io.tideline.core.window.TimelineBranch;
import io.tideline.core.window.WalEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads what an instance's bucket holds into a {@link BucketInventory}: the bucket is the source of
 * truth, so the restore service, retention and the Backups view all start from this and then ask
 * {@link io.tideline.core.window.RestorableWindow}.
 *
 * <ul>
 *   <li>A backup directory with a manifest is a {@link BackupEntry}: the manifest is read and checked
 *       against its recorded sha256; the parts it lists are its parts; objects of the directory it does not
 *       list are {@code unexplained}. A directory without a manifest is an {@link IncompleteBackup}.</li>
 *   <li>A complete WAL segment is a {@link WalEntry}; a partial one is asked for its metadata
 *       ({@link WalObjectMetadata}) to know how far it reaches. A WAL object's time is the millisecond
 *       {@code stored-at} its writer recorded in that metadata, else (objects written before it was
 *       recorded) the store's whole-second Last-Modified; both are upper bounds of the commit times it holds
 *       (see {@link WalEntry}). A listing carries no user metadata, so only the complete segments whose time
 *       can bound the window are asked for it (HEAD): the last of each run of a timeline's segments (the
 *       newest, or the one before a gap) and the one a child timeline branched from. The others keep
 *       Last-Modified, which the window never reads; the cost is one HEAD per timeline and per gap, however
 *       many segments the bucket holds.</li>
 *   <li>History files are read and become {@link TimelineBranch}es.</li>
 *   <li>Keys outside the layout are left out, as are objects whose content contradicts their key (a
 *       manifest that does not parse or fails its checksum, a partial without WAL metadata, a history file
 *       that does not parse, a manifest of another instance or segment size, a manifest listing parts that are
 *       not in the bucket). Those are reported in {@link BucketScan#problems()}: never used, never
 *       deleted, and a person is told.</li>
 * </ul>
 * Storage errors (unreachable, access denied) propagate: an inventory is either complete or not made,
 * because a partial listing would look like missing backups.
 */
public final class BucketInventoryReader {

    private final BucketLayout layout;

    public BucketInventoryReader(BucketLayout layout) {
        this.layout = Objects.requireNonNull(layout, "layout");
    }

    /**
     * What the bucket holds, and what could not be understood.
     *
     * @param problems one sentence per object left out because its content contradicts its key
     */
    public record BucketScan(BucketInventory inventory, List<String> problems) {
        public BucketScan {
            Objects.requireNonNull(inventory, "inventory");
            problems = List.copyOf(problems);
        }
    }

    public BucketScan read(ObjectStore store) {
        BucketInventory.Builder builder = BucketInventory.builder();
        List<String> problems = new ArrayList<>();
        readBackups(store, builder, problems);
        readWal(store, builder, problems);
        return new BucketScan(builder.build(), problems);
    }

    private void readBackups(ObjectStore store, BucketInventory.Builder builder, List<String> problems) {
        Map<BackupId, List<StoredObject>> parts = new TreeMap<>();
        Map<BackupId, StoredObject> manifests = new TreeMap<>();
        for (StoredObject o : store.list(BucketLayout.BASEBACKUPS)) {
            ObjectKind kind = layout.parse(o.key());
            if (kind instanceof ObjectKind.BackupPart p) {
                parts.computeIfAbsent(p.backupId(), id -> new ArrayList<>()).add(o);
            } else if (kind instanceof ObjectKind.BackupManifest m) {
                manifests.put(m.backupId(), o);
            }
        }
        Set<BackupId> ids = new HashSet<>(parts.keySet());
        ids.addAll(manifests.keySet());
        for (BackupId id : ids.stream().sorted().toList()) {
            List<StoredObject> listed = parts.getOrDefault(id, List.of());
            StoredObject manifestObject = manifests.get(id);
            if (manifestObject == null) {
                builder.incompleteBackup(new IncompleteBackup(id, listed.stream().map(BucketInventoryReader::toWindow).toList()));
                continue;
            }
            Optional<BackupManifest> manifest = readManifest(store, id, manifestObject, problems);
            if (manifest.isEmpty()) {
                continue;
            }
            Set<String> listedInManifest = new HashSet<>();
            manifest.get().parts().forEach(p -> listedInManifest.add(p.key()));
            Set<String> present = new HashSet<>();
            listed.forEach(o -> present.add(o.key()));
            List<String> missing = listedInManifest.stream().filter(k -> !present.contains(k)).sorted().toList();
            if (!missing.isEmpty()) {
                // The manifest promises parts that are gone: nothing can restore from this backup.
                problems.add("backup " + id + " lacks parts its manifest lists " + missing + "; backup left out");
                continue;
            }
            List<io.tideline.core.window.ListedObject> own = new ArrayList<>();
            for (StoredObject part : listed) {
                if (listedInManifest.contains(part.key())) {
                    own.add(toWindow(part));
                } else {
                    builder.unexplained(toWindow(part));
                }
            }
            BackupManifest m = manifest.get();
            try {
                builder.backup(new BackupEntry(id, m.timeline(), m.startLsn(), m.endLsn(), m.startedAt(), m.finishedAt(),
                        toWindow(manifestObject), own));
            } catch (IllegalArgumentException e) {
                problems.add("backup " + id + " left out: " + e.getMessage());
                own.forEach(o -> problems.add("object " + o.key() + " belongs to backup " + id + ", which is left out"));
            }
        }
    }

    private Optional<BackupManifest> readManifest(ObjectStore store, BackupId id, StoredObject object, List<String> problems) {
        try {
            BackupManifest manifest = BackupManifest.parse(store.getVerified(object.key()));
            Optional<InstanceId> owner = BucketLayout.instanceOfBucket(store.bucket());
            if (owner.isPresent() && !manifest.instanceId().equals(owner.get())) {
                problems.add("manifest " + object.key() + " belongs to instance " + manifest.instanceId() + ", not "
                        + owner.get() + "; backup left out");
                return Optional.empty();
            }
            if (manifest.walSegmentSize() != layout.walSegmentSize()) {
                problems.add("manifest " + object.key() + " is for wal_segment_size " + manifest.walSegmentSize()
                        + ", the bucket's layout for " + layout.walSegmentSize() + "; backup left out");
                return Optional.empty();
            }
            if (!manifest.backupId().equals(id)) {
                problems.add("manifest " + object.key() + " describes backup " + manifest.backupId() + ", not " + id
                        + "; backup left out");
                return Optional.empty();
            }
            return Optional.of(manifest);
        } catch (NoSuchObjectException e) {
            // Deleted between listing and reading (retention at work): the backup is gone.
            return Optional.empty();
        } catch (ChecksumMismatchException e) {
            problems.add("manifest " + object.key() + " does not match its recorded sha256; backup " + id + " left out");
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            problems.add("manifest " + object.key() + " is unreadable (" + e.getMessage() + "); backup " + id + " left out");
            return Optional.empty();
        }
    }

    private void readWal(ObjectStore store, BucketInventory.Builder builder, List<String> problems) {
        List<Listed> complete = new ArrayList<>();
        Set<WalSegmentName> held = new HashSet<>();
        Set<WalSegmentName> leftAt = new HashSet<>();
        for (StoredObject o : store.list(layout.walPrefix())) {
            ObjectKind kind = layout.parse(o.key());
            if (kind instanceof ObjectKind.WalSegment s) {
                complete.add(new Listed(s.segment(), o));
                held.add(s.segment());
            } else if (kind instanceof ObjectKind.WalPartial s) {
                Optional<StoredObject> head = store.head(o.key());
                if (head.isEmpty()) {
                    continue; // replaced by its complete segment since the listing
                }
                try {
                    WalObjectMetadata meta = WalObjectMetadata.from(head.get());
                    builder.wal(WalEntry.partial(s.segment(), meta.endLsn(), meta.storedAtOr(head.get().lastModified()),
                            toWindow(head.get())));
                    held.add(s.segment());
                } catch (IllegalArgumentException e) {
                    problems.add("partial WAL " + o.key() + " left out: " + e.getMessage());
                }
            } else if (kind instanceof ObjectKind.TimelineHistory h) {
                try {
                    String content = new String(store.getVerified(o.key()), StandardCharsets.UTF_8);
                    for (TimelineBranch b : TimelineBranch.allOf(TimelineHistory.parse(h.timeline(), content))) {
                        builder.branch(b);
                        if (b.branchPoint().isAfter(Lsn.ZERO)) {
                            leftAt.add(WalSegmentName.of(b.parent(), b.branchPoint().minus(1), layout.walSegmentSize()));
                        }
                    }
                } catch (NoSuchObjectException e) {
                    // history files are never deleted; a vanished one is simply not there
                } catch (ChecksumMismatchException | IllegalArgumentException e) {
                    problems.add("history " + o.key() + " left out: " + e.getMessage());
                }
            }
        }
        for (Listed c : complete) {
            // Only where contiguous WAL can end does a WAL object's time bound a restorable interval
            // (RestorableWindow): the last object of a run on its timeline (the newest, or the one before a
            // gap) and the one where a child timeline left it. Those are asked for their millisecond
            // stored-at; every other segment keeps the listing's whole-second Last-Modified, so a bucket of
            // thousands of segments costs a HEAD per timeline and per gap, not per segment.
            boolean mayEndAChain = !held.contains(c.segment().next()) || leftAt.contains(c.segment());
            Instant storedAt = mayEndAChain ? storedAt(store, c.object(), problems) : c.object().lastModified();
            builder.wal(WalEntry.complete(c.segment(), storedAt, toWindow(c.object())));
        }
    }

    private record Listed(WalSegmentName segment, StoredObject object) {
    }

    /** The object's recorded stored-at, else (written before it was recorded, or gone since the listing) Last-Modified. */
    private static Instant storedAt(ObjectStore store, StoredObject listed, List<String> problems) {
        Optional<StoredObject> head = store.head(listed.key());
        if (head.isEmpty()) {
            // Deleted since the listing (retention): the inventory describes the listing, as for every other segment.
            return listed.lastModified();
        }
        try {
            return WalObjectMetadata.from(head.get()).storedAtOr(head.get().lastModified());
        } catch (IllegalArgumentException e) {
            problems.add("WAL " + listed.key() + ": " + e.getMessage() + "; its Last-Modified is used instead");
            return head.get().lastModified();
        }
    }

    private static io.tideline.core.window.ListedObject toWindow(StoredObject o) {
        return new io.tideline.core.window.ListedObject(o.key(), o.size(), o.lastModified());
    }
}
