package io.tideline.core.verify;

import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.Damage;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.WalHole;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What one verification of a bucket found.
 *
 * @param bucket     the bucket read
 * @param startedAt  when it began (UTC)
 * @param took       how long it took
 * @param objects    every object re-read, with what was found
 * @param holes      where the WAL from each kept backup's start to the window's end is not contiguous (damaged
 *                   objects count as missing and are named)
 * @param histories  timelines that hold data but whose history file is missing
 * @param problems   objects the inventory could not understand (e.g. a manifest that fails its own checksum)
 * @param inventory  the bucket as listed
 * @param clean      the window as the listing alone gives it
 * @param cut        the window with every damaged object treated as absent
 */
public record VerificationReport(String bucket, Instant startedAt, Duration took, List<VerifiedObject> objects,
                                 List<WalHole> holes, List<String> histories, List<String> problems,
                                 BucketInventory inventory, RestorableWindow clean, RestorableWindow cut) {

    public VerificationReport {
        objects = List.copyOf(objects);
        holes = List.copyOf(holes);
        histories = List.copyOf(histories);
        problems = List.copyOf(problems);
    }

    public List<VerifiedObject> damaged() {
        return objects.stream().filter(VerifiedObject::damaged).toList();
    }

    public List<VerifiedObject> unreadable() {
        return objects.stream().filter(o -> o.outcome() == VerifiedObject.Outcome.UNREADABLE).toList();
    }

    public long bytesRead() {
        return objects.stream().filter(o -> o.actual().isPresent()).mapToLong(o -> o.object().size()).sum();
    }

    /** Nothing damaged, missing, unreadable or not understood. */
    public boolean isClean() {
        return damaged().isEmpty() && unreadable().isEmpty() && holes.isEmpty() && histories.isEmpty() && problems.isEmpty();
    }

    /** The damage found, as the window takes it. */
    public Damage damage() {
        return Damage.of(damaged().stream().collect(Collectors.toMap(VerifiedObject::key, VerifiedObject::detail, (a, b) -> a)));
    }

    /**
     * True when {@code object}'s damage alone ends the window earlier than the listing would: the contiguous WAL
     * of the restorable backups reaches less far (or nothing is restorable any more), so the newest moments are
     * lost until a new base backup is taken after it. Compared by LSN, not by time: the time of a segment in the
     * middle of a run is its upload's Last-Modified, which says nothing about which end is earlier.
     */
    public boolean cutsWindowEnd(VerifiedObject object) {
        Optional<Lsn> before = reach(clean);
        if (before.isEmpty()) {
            return false;
        }
        Optional<Lsn> after = reach(RestorableWindow.of(inventory, Damage.of(Map.of(object.key(), object.detail()))));
        return after.isEmpty() || after.get().isBefore(before.get());
    }

    private static Optional<Lsn> reach(RestorableWindow window) {
        return window.restorableBackups().stream().map(RestorableBackup::walReachedLsn).max(Comparator.naturalOrder());
    }
}
