package io.tideline.archiver.basebackup;

import io.tideline.core.basebackup.BackupManifest;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectKind;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.UnusableBackup;
import io.tideline.core.window.WalEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Is the WAL a backup needs (from its start LSN to its end LSN) stored? Judged from the BUCKET, the
 * source of truth, never from what this process remembers uploading: complete segments, or a partial
 * segment whose recorded end reaches far enough. The decision itself is core's
 * {@link RestorableWindow}, the one computation of "restorable" that retention and restore use too,
 * fed with this backup and the WAL objects of its range.
 *
 * <p>A WAL object counts only with proof of what it holds: a complete segment must carry the sha256
 * its writer recorded (a listing alone proves nothing), a partial its {@value #END_LSN_METADATA}.
 */
final class WalCoverage {

    /** Where the WAL writer records how far a partial segment reaches (the WAL archiver's metadata). */
    static final String END_LSN_METADATA = "end-lsn";

    /** The outcome: {@code restorable}, or what is missing. */
    record Result(boolean restorable, String missing) {
        static Result ok() {
            return new Result(true, "");
        }
    }

    private WalCoverage() {
    }

    /** Reads the bucket and decides; {@code manifestObject} is the stored manifest of {@code manifest}. */
    static Result check(ObjectStore store, BucketLayout layout, BackupManifest manifest, StoredObject manifestObject) {
        List<WalEntry> wal = new ArrayList<>();
        WalSegmentName first = WalSegmentName.of(manifest.timeline(), manifest.startLsn(), layout.walSegmentSize());
        WalSegmentName last = WalSegmentName.of(manifest.timeline(), manifest.endLsn(), layout.walSegmentSize());
        for (StoredObject listed : store.list(layout.walTimelinePrefix(manifest.timeline()) + commonPrefix(first, last))) {
            ObjectKind kind = layout.parse(listed.key());
            if (kind instanceof ObjectKind.WalSegment s && inRange(s.segment(), first, last)) {
                store.head(listed.key()).filter(h -> h.sha256().isPresent())
                        .ifPresent(h -> wal.add(WalEntry.complete(s.segment(), h.lastModified(), listingOf(h))));
            } else if (kind instanceof ObjectKind.WalPartial p && inRange(p.segment(), first, last)) {
                store.head(listed.key()).flatMap(h -> partialEnd(h, p.segment()).map(end ->
                        WalEntry.partial(p.segment(), end, h.lastModified(), listingOf(h)))).ifPresent(wal::add);
            }
        }
        return evaluate(manifest, manifestObject, wal);
    }

    /** The decision on given WAL objects (pure). */
    static Result evaluate(BackupManifest manifest, StoredObject manifestObject, List<WalEntry> wal) {
        Objects.requireNonNull(manifestObject.lastModified());
        BackupEntry entry = new BackupEntry(manifest.backupId(), manifest.timeline(), manifest.startLsn(), manifest.endLsn(),
                manifest.startedAt(), manifest.finishedAt(), listingOf(manifestObject),
                manifest.parts().stream().map(p -> new io.tideline.core.window.StoredObject(p.key(), p.storedBytes(),
                        manifestObject.lastModified())).toList());
        BucketInventory.Builder inventory = BucketInventory.builder().backup(entry);
        wal.forEach(inventory::wal);
        RestorableWindow window = RestorableWindow.of(inventory.build());
        if (window.restorableBackups().stream().anyMatch(r -> r.backup().id().equals(manifest.backupId()))) {
            return Result.ok();
        }
        String reason = window.unusableBackups().stream().filter(u -> u.backup().id().equals(manifest.backupId()))
                .map(UnusableBackup::reason).findFirst().orElse("not restorable");
        return new Result(false, reason);
    }

    private static boolean inRange(WalSegmentName s, WalSegmentName first, WalSegmentName last) {
        return s.compareTo(first) >= 0 && s.compareTo(last) <= 0;
    }

    private static Optional<Lsn> partialEnd(StoredObject head, WalSegmentName segment) {
        String end = head.metadata().get(END_LSN_METADATA);
        if (end == null) {
            return Optional.empty();
        }
        try {
            Lsn lsn = Lsn.parse(end);
            return lsn.isAfter(segment.startLsn()) && !lsn.isAfter(segment.endLsn()) ? Optional.of(lsn) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The longest common beginning of two segment names: lists only the keys of the range's neighbourhood. */
    private static String commonPrefix(WalSegmentName a, WalSegmentName b) {
        String x = a.toString();
        String y = b.toString();
        int n = 0;
        while (n < x.length() && x.charAt(n) == y.charAt(n)) {
            n++;
        }
        return x.substring(0, n);
    }

    private static io.tideline.core.window.StoredObject listingOf(StoredObject o) {
        return new io.tideline.core.window.StoredObject(o.key(), o.size(), o.lastModified());
    }
}
