package io.tideline.core.window;

import io.tideline.core.ids.BackupId;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What one instance's bucket holds, classified: complete backups, backup directories without a
 * manifest, stored WAL, the timeline history, and objects nothing explains. The bucket is the source
 * of truth; {@code tideline.timeline} events are an index into it. Whoever builds an inventory (from a
 * listing plus manifests, or from events checked against a listing) must classify every object
 * exactly once:
 * <ul>
 *   <li>a well-formed WAL object is a {@link WalEntry} even if no event announced it (an archiver that
 *       crashed between upload and publish still stored valid WAL; calling it an orphan would cut a hole
 *       in the window);</li>
 *   <li>a backup directory with a manifest is a {@link BackupEntry}, without one an {@link IncompleteBackup};</li>
 *   <li>history files are summarised as {@link TimelineBranch}es ({@link TimelineBranch#allOf}) and are
 *       not listed as objects: they are tiny, never overwritten, and never expired;</li>
 *   <li>an object of Tideline's own layout that none of the above accounts for (a backup part the
 *       manifest does not list, left by a retried upload) is {@code unexplained}: retention removes it
 *       once it is old enough;</li>
 *   <li>a key outside Tideline's layout ({@code ObjectKind.Unknown}) is left out of the inventory
 *       altogether: Tideline never deletes what it does not understand.</li>
 * </ul>
 * The constructor rejects an inventory that lists an object twice, a backup id twice, a WAL object
 * twice, two different branch points for one timeline, or mixed WAL segment sizes.
 */
public record BucketInventory(List<BackupEntry> backups, List<IncompleteBackup> incompleteBackups,
                              List<WalEntry> wal, List<TimelineBranch> branches, List<ListedObject> unexplained) {

    public BucketInventory {
        // Oldest first by consistency moment, not by id: two backups started in the same second have ids that
        // differ only in their random suffix, which says nothing about which is newer.
        backups = backups.stream().sorted(BackupEntry.OLDEST_FIRST).toList();
        incompleteBackups = List.copyOf(incompleteBackups);
        wal = List.copyOf(wal);
        branches = List.copyOf(new LinkedHashSet<>(branches));
        unexplained = List.copyOf(unexplained);

        Set<BackupId> ids = new HashSet<>();
        Stream.concat(backups.stream().map(BackupEntry::id), incompleteBackups.stream().map(IncompleteBackup::id))
                .forEach(id -> {
                    if (!ids.add(id)) {
                        throw new IllegalArgumentException("backup " + id + " is listed twice");
                    }
                });
        Set<String> walNames = new HashSet<>();
        Set<Long> sizes = new HashSet<>();
        for (WalEntry w : wal) {
            if (!walNames.add(w.segment() + (w.partial() ? ".partial" : ""))) {
                throw new IllegalArgumentException("WAL " + w.segment() + (w.partial() ? " (partial)" : "") + " is listed twice");
            }
            sizes.add(w.segment().segmentSize());
        }
        if (sizes.size() > 1) {
            throw new IllegalArgumentException("WAL of one instance must have one segment size, found " + sizes);
        }
        Map<Long, TimelineBranch> byTimeline = new HashMap<>();
        for (TimelineBranch b : branches) {
            TimelineBranch other = byTimeline.putIfAbsent(b.timeline(), b);
            if (other != null) {
                throw new IllegalArgumentException("timeline " + b.timeline() + " has two histories: " + other + " and " + b);
            }
        }
        for (TimelineBranch b : branches) {
            TimelineBranch parent = byTimeline.get(b.parent());
            if (parent != null && b.branchPoint().isBefore(parent.branchPoint())) {
                throw new IllegalArgumentException("timeline " + b.timeline() + " branches at " + b.branchPoint()
                        + ", before its parent " + b.parent() + " itself began at " + parent.branchPoint());
            }
        }
        Set<String> keys = new HashSet<>();
        Stream.of(
                backups.stream().flatMap(b -> b.objectsInDeletionOrder().stream()),
                incompleteBackups.stream().flatMap(b -> b.objects().stream()),
                wal.stream().map(WalEntry::object),
                unexplained.stream()).flatMap(s -> s).forEach(o -> {
                    if (!keys.add(o.key())) {
                        throw new IllegalArgumentException("object " + o.key() + " is classified twice");
                    }
                });
    }

    public static BucketInventory empty() {
        return new BucketInventory(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The segment size of the stored WAL, if any WAL is stored. */
    public Optional<Long> segmentSize() {
        return wal.stream().map(w -> w.segment().segmentSize()).findFirst();
    }

    public Optional<TimelineBranch> branchOf(long timeline) {
        return branches.stream().filter(b -> b.timeline() == timeline).findFirst();
    }

    public Optional<BackupEntry> backup(BackupId id) {
        return backups.stream().filter(b -> b.id().equals(id)).findFirst();
    }

    /** Timelines that hold data in the bucket (backups or WAL), ascending. */
    public SortedSet<Long> timelinesWithData() {
        SortedSet<Long> t = new TreeSet<>();
        backups.forEach(b -> t.add(b.timeline()));
        wal.forEach(w -> t.add(w.timeline()));
        return t;
    }

    /** Every object the inventory accounts for, history files excepted. */
    public List<ListedObject> allObjects() {
        return Stream.of(
                backups.stream().flatMap(b -> b.objectsInDeletionOrder().stream()),
                incompleteBackups.stream().flatMap(b -> b.objects().stream()),
                wal.stream().map(WalEntry::object),
                unexplained.stream()).flatMap(s -> s).toList();
    }

    /**
     * The inventory as it is after {@code deletedKeys} are gone. A backup whose manifest is gone is no
     * longer complete: what is left of it becomes an {@link IncompleteBackup}, exactly as a listing of a
     * half-deleted backup would show it.
     */
    public BucketInventory without(Collection<String> deletedKeys) {
        Set<String> gone = Set.copyOf(deletedKeys);
        List<BackupEntry> keptBackups = new ArrayList<>();
        List<IncompleteBackup> keptIncomplete = new ArrayList<>();
        for (BackupEntry b : backups) {
            List<ListedObject> parts = b.parts().stream().filter(p -> !gone.contains(p.key())).toList();
            if (!gone.contains(b.manifest().key())) {
                keptBackups.add(new BackupEntry(b.id(), b.timeline(), b.startLsn(), b.endLsn(), b.startedAt(),
                        b.finishedAt(), b.manifest(), parts));
            } else if (!parts.isEmpty()) {
                keptIncomplete.add(new IncompleteBackup(b.id(), parts));
            }
        }
        for (IncompleteBackup b : incompleteBackups) {
            List<ListedObject> left = b.objects().stream().filter(o -> !gone.contains(o.key())).toList();
            if (!left.isEmpty()) {
                keptIncomplete.add(new IncompleteBackup(b.id(), left));
            }
        }
        return new BucketInventory(keptBackups, keptIncomplete,
                wal.stream().filter(w -> !gone.contains(w.object().key())).toList(),
                branches,
                unexplained.stream().filter(o -> !gone.contains(o.key())).toList());
    }

    /** Collects an inventory piece by piece; {@link #build()} validates it. */
    public static final class Builder {
        private final List<BackupEntry> backups = new ArrayList<>();
        private final List<IncompleteBackup> incomplete = new ArrayList<>();
        private final List<WalEntry> wal = new ArrayList<>();
        private final List<TimelineBranch> branches = new ArrayList<>();
        private final List<ListedObject> unexplained = new ArrayList<>();

        private Builder() {
        }

        public Builder backup(BackupEntry b) {
            backups.add(b);
            return this;
        }

        public Builder incompleteBackup(IncompleteBackup b) {
            incomplete.add(b);
            return this;
        }

        public Builder wal(WalEntry w) {
            wal.add(w);
            return this;
        }

        public Builder branch(TimelineBranch b) {
            branches.add(b);
            return this;
        }

        public Builder unexplained(ListedObject o) {
            unexplained.add(o);
            return this;
        }

        public BucketInventory build() {
            return new BucketInventory(backups, incomplete, wal, branches, unexplained);
        }
    }
}
