package io.tideline.retention;

import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.WalEntry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What retention decided for one instance at one moment: wait (and why), or what to delete and in which order. */
public sealed interface ExpiryDecision permits ExpiryDecision.Wait, ExpiryDecision.Expire {

    Instant decidedAt();

    /** Nothing is deleted: the decision would rest on incomplete information. */
    record Wait(Instant decidedAt, List<String> reasons) implements ExpiryDecision {
        public Wait {
            Objects.requireNonNull(decidedAt, "decidedAt");
            reasons = List.copyOf(reasons);
            if (reasons.isEmpty()) {
                throw new IllegalArgumentException("a wait needs a reason");
            }
        }
    }

    /**
     * Delete what {@link #deletionOrder()} lists, in that order. Possibly nothing.
     *
     * @param cutoff         {@code decidedAt − retention}: every moment from here on that was restorable stays so
     * @param keptBackup     the newest restorable backup consistent at or before the cutoff; it and
     *                       everything after it are kept. Empty when none is old enough: then no backup
     *                       or WAL expires (orphans still may)
     * @param expiredBackups complete backups to delete, oldest first
     * @param expiredWal     WAL objects to delete, lowest position first
     * @param orphans        objects nothing explains or needs, old enough not to be an upload in progress
     * @param notes          what a person should know about this decision (why something was kept)
     * @param windowBefore   the restorable window before deletion
     * @param windowAfter    the restorable window once everything listed is deleted
     */
    record Expire(Instant decidedAt, Instant cutoff, Optional<BackupEntry> keptBackup, List<BackupEntry> expiredBackups,
                  List<WalEntry> expiredWal, List<Orphan> orphans, List<String> notes,
                  RestorableWindow windowBefore, RestorableWindow windowAfter) implements ExpiryDecision {

        public Expire {
            Objects.requireNonNull(decidedAt, "decidedAt");
            Objects.requireNonNull(cutoff, "cutoff");
            Objects.requireNonNull(keptBackup, "keptBackup");
            expiredBackups = List.copyOf(expiredBackups);
            expiredWal = List.copyOf(expiredWal);
            orphans = List.copyOf(orphans);
            notes = List.copyOf(notes);
            Objects.requireNonNull(windowBefore, "windowBefore");
            Objects.requireNonNull(windowAfter, "windowAfter");
            if (keptBackup.isEmpty() && (!expiredBackups.isEmpty() || !expiredWal.isEmpty())) {
                throw new IllegalArgumentException("backups or WAL may only expire behind a kept backup");
            }
        }

        public boolean isEmpty() {
            return expiredBackups.isEmpty() && expiredWal.isEmpty() && orphans.isEmpty();
        }

        /**
         * Every object to delete, in a safe order, so that a run cut short at any point leaves a bucket
         * whose listing tells the truth: backups oldest first, each one's manifest before its parts (a
         * backup without its manifest reads as incomplete, never as complete); then WAL from the lowest
         * position up (what is left stays contiguous, never a hole); then orphans.
         */
        public List<ListedObject> deletionOrder() {
            List<ListedObject> order = new ArrayList<>();
            expiredBackups.forEach(b -> order.addAll(b.objectsInDeletionOrder()));
            expiredWal.forEach(w -> order.add(w.object()));
            orphans.forEach(o -> order.add(o.object()));
            return order;
        }

        public long bytesFreed() {
            return deletionOrder().stream().mapToLong(ListedObject::size).sum();
        }

        /** {@link #expiredWal()} as runs of consecutive segments per timeline (a partial counts as its segment). */
        public List<WalRun> expiredWalRuns() {
            return WalRun.runsOf(expiredWal);
        }

        /** The keys of {@link #deletionOrder()}. */
        public List<String> deletedKeys() {
            return deletionOrder().stream().map(ListedObject::key).toList();
        }

        static Comparator<WalEntry> lowestFirst() {
            return Comparator.comparing(WalEntry::startLsn)
                    .thenComparing(WalEntry::timeline)
                    .thenComparing(WalEntry::partial);
        }
    }
}
