package io.tideline.core.window;

import io.tideline.core.ids.BackupId;
import io.tideline.core.wal.Lsn;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A base backup whose manifest is stored: the bucket's definition of a <em>complete</em> backup
 * ({@code basebackups/<id>/manifest.json} is written last). A directory without a manifest is an
 * {@link IncompleteBackup}, never a {@code BackupEntry}, so a half-uploaded or half-deleted backup can
 * never be taken for a complete one.
 *
 * <p>Complete is not yet restorable: the backup is usable only when the WAL from {@code startLsn} to
 * {@code endLsn} is stored too; {@link RestorableWindow} decides that.
 *
 * @param timeline   the timeline the backup was taken on
 * @param startLsn   the backup's start (checkpoint redo) LSN: replay begins here
 * @param endLsn     the backup's end LSN (exclusive): replay must reach it for the copy to be consistent
 * @param startedAt  when the backup started
 * @param finishedAt when the backup became consistent (the time of {@code endLsn}, as reported at
 *                   backup stop), not when its upload finished: the earliest moment it restores to
 * @param manifest   the manifest object (deleted first when the backup expires)
 * @param parts      every other object of the backup directory
 */
public record BackupEntry(BackupId id, long timeline, Lsn startLsn, Lsn endLsn, Instant startedAt,
                          Instant finishedAt, ListedObject manifest, List<ListedObject> parts) {

    /** Oldest first: by the moment the backup became consistent, then end LSN, then id (a total order). */
    public static final Comparator<BackupEntry> OLDEST_FIRST = Comparator
            .comparing(BackupEntry::finishedAt)
            .thenComparing(BackupEntry::endLsn)
            .thenComparing(BackupEntry::id);

    public BackupEntry {
        Objects.requireNonNull(id, "backup id");
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("backup " + id + ": timeline out of range: " + timeline);
        }
        Objects.requireNonNull(startLsn, () -> "backup " + id + ": startLsn");
        Objects.requireNonNull(endLsn, () -> "backup " + id + ": endLsn");
        if (!startLsn.isBefore(endLsn)) {
            throw new IllegalArgumentException("backup " + id + ": end LSN " + endLsn + " is not after start LSN " + startLsn);
        }
        Objects.requireNonNull(startedAt, () -> "backup " + id + ": startedAt");
        Objects.requireNonNull(finishedAt, () -> "backup " + id + ": finishedAt");
        if (finishedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("backup " + id + ": finished " + finishedAt + " before it started " + startedAt);
        }
        Objects.requireNonNull(manifest, () -> "backup " + id + ": manifest");
        parts = List.copyOf(parts);
        if (parts.stream().anyMatch(p -> p.key().equals(manifest.key()))) {
            throw new IllegalArgumentException("backup " + id + ": the manifest is listed among the parts");
        }
    }

    /** Every object of the backup, manifest first: the order in which it is safe to delete them. */
    public List<ListedObject> objectsInDeletionOrder() {
        List<ListedObject> all = new ArrayList<>(parts.size() + 1);
        all.add(manifest);
        all.addAll(parts);
        return all;
    }

    public long storedBytes() {
        return manifest.size() + parts.stream().mapToLong(ListedObject::size).sum();
    }
}
