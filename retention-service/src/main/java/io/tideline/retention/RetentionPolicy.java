package io.tideline.retention;

import io.tideline.core.ids.BackupId;
import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.IncompleteBackup;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.stream.Collectors;

/**
 * Decides, for one instance, what leaves the retention window, and never more. Pure: it reads an
 * inventory and a moment and returns an {@link ExpiryDecision}; deleting and publishing are the
 * service's job.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Wait</b> (delete nothing, not even orphans) when the decision would rest on incomplete
 *       information: the caller says so (timeline not read up to date, listing failed); a running
 *       restore's backup is not known, or is not in the bucket; a timeline other than the bucket's
 *       first holds data but its history is unknown (which WAL it needs cannot be told).</li>
 *   <li><b>Cutoff</b> = now − retention. The <b>kept backup</b> is the newest <em>restorable</em>
 *       backup ({@link RestorableWindow}) that became consistent at or before the cutoff (a backup
 *       finishing exactly at the cutoff qualifies). If there is none, no backup and no WAL expires.</li>
 *   <li>Complete backups older than the kept one ({@link BackupEntry#OLDEST_FIRST}) expire, except
 *       those a running restore uses. Newer ones all stay, restorable or not (a backup whose WAL is
 *       still arriving becomes restorable later).</li>
 *   <li>WAL of <em>every</em> timeline expires when it lies wholly before the lowest start LSN of the
 *       backups that stay (normally the kept backup's). Timelines: restoring from the kept backup reads
 *       only positions from its start LSN on, along the history, whichever timeline holds them; an
 *       ancestor timeline's WAL from that position up to its branch point is therefore kept, because
 *       it is not before the start LSN. WAL of abandoned branches after the start LSN is kept too
 *       (never more), and goes once a later kept backup starts past it.</li>
 *   <li><b>Self-check.</b> The plan is applied to a copy of the inventory and the window recomputed:
 *       every moment from the cutoff on that was restorable must still be, and every restore in
 *       progress must still reach as far. If not (inconsistent times in the metadata), the next older
 *       restorable backup is tried as the kept one; if none passes, no backup or WAL expires.</li>
 *   <li><b>Orphans</b> are removed when nothing was written to them for longer than the orphan grace
 *       (exactly the grace is not yet older): backup directories without a manifest, objects nothing
 *       explains, and partial segments whose complete segment is stored. Younger ones may be uploads in
 *       progress and stay.</li>
 * </ol>
 *
 * @param retention   how far back every moment stays restorable
 * @param orphanGrace how long an unexplained object is given to become explained
 */
public record RetentionPolicy(Duration retention, Duration orphanGrace) {

    public RetentionPolicy {
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("retention must be positive: " + retention);
        }
        if (orphanGrace == null || orphanGrace.isNegative() || orphanGrace.isZero()) {
            throw new IllegalArgumentException("orphan grace must be positive: " + orphanGrace);
        }
    }

    /** The policy of {@link RetentionConfiguration#defaults()} for an instance that names no retention. */
    public static RetentionPolicy defaults() {
        return RetentionConfiguration.defaults().policyFor(Optional.empty());
    }

    /** {@code retention} with the default orphan grace. */
    public static RetentionPolicy of(Duration retention) {
        return new RetentionPolicy(retention, RetentionConfiguration.defaults().orphanAge());
    }

    /**
     * @param inventory          what the bucket holds
     * @param now                the decision's moment (from the service's injected clock)
     * @param runningRestores    restores of this instance in progress
     * @param missingInformation why the caller's view may be incomplete; empty when it is complete
     */
    public ExpiryDecision decide(BucketInventory inventory, Instant now, Collection<RestoreClaim> runningRestores,
                                 Collection<String> missingInformation) {
        Objects.requireNonNull(inventory, "inventory");
        Objects.requireNonNull(now, "now");
        List<String> waitReasons = new ArrayList<>(missingInformation);
        Set<BackupId> claimed = new HashSet<>();
        for (RestoreClaim claim : runningRestores) {
            if (claim.backupId().isEmpty()) {
                waitReasons.add("restore " + claim.restoreId() + " is running and its backup is not chosen yet");
            } else if (inventory.backup(claim.backupId().get()).isEmpty()) {
                waitReasons.add("restore " + claim.restoreId() + " uses backup " + claim.backupId().get()
                        + ", which the bucket does not hold as a complete backup");
            } else {
                claimed.add(claim.backupId().get());
            }
        }
        SortedSet<Long> timelines = inventory.timelinesWithData();
        timelines.stream().skip(1).filter(t -> inventory.branchOf(t).isEmpty()).forEach(t ->
                waitReasons.add("timeline " + t + " holds data but its history file is not known"));
        if (!waitReasons.isEmpty()) {
            return new ExpiryDecision.Wait(now, waitReasons);
        }

        Instant cutoff = now.minus(retention);
        RestorableWindow before = RestorableWindow.of(inventory);
        List<String> notes = new ArrayList<>();
        List<RestorableBackup> candidates = before.restorableBackups().stream()
                .filter(r -> !r.backup().finishedAt().isAfter(cutoff))
                .sorted(Comparator.comparing(RestorableBackup::backup, BackupEntry.OLDEST_FIRST).reversed())
                .toList();
        if (candidates.isEmpty()) {
            notes.add("no restorable backup became consistent at or before the cutoff " + cutoff
                    + ": no backup or WAL expires");
        }
        for (RestorableBackup candidate : candidates) {
            Plan plan = planBehind(inventory, candidate.backup(), claimed);
            List<Orphan> orphans = orphans(inventory, now, plan.keys());
            Check check = check(inventory, before, plan.with(orphans), cutoff, claimed);
            if (check.harm().isEmpty()) {
                return plan.decision(now, cutoff, candidate.backup(), orphans, notes, before, check.after());
            }
            notes.add("did not keep " + candidate.backup().id() + " as the oldest backup: " + check.harm().get());
        }
        if (!candidates.isEmpty()) {
            notes.add("no backup could be kept as the oldest without harm: no backup or WAL expires");
        }
        List<Orphan> orphans = orphans(inventory, now, Set.of());
        Check check = check(inventory, before, orphans.stream().map(o -> o.object().key()).toList(), cutoff, claimed);
        if (check.harm().isPresent()) {
            // Cannot happen while orphans are only objects no restore reads; refuse rather than trust that.
            return new ExpiryDecision.Wait(now, List.of("removing orphans would harm the window: " + check.harm().get()));
        }
        return new ExpiryDecision.Expire(now, cutoff, Optional.empty(), List.of(), List.of(), orphans, notes,
                before, check.after());
    }

    private record Check(RestorableWindow after, Optional<String> harm) {
    }

    private record Plan(List<BackupEntry> backups, List<WalEntry> wal, List<String> notes) {
        List<String> keys() {
            List<String> keys = new ArrayList<>();
            backups.forEach(b -> b.objectsInDeletionOrder().forEach(o -> keys.add(o.key())));
            wal.forEach(w -> keys.add(w.object().key()));
            return keys;
        }

        List<String> with(List<Orphan> orphans) {
            List<String> keys = keys();
            orphans.forEach(o -> keys.add(o.object().key()));
            return keys;
        }

        ExpiryDecision.Expire decision(Instant now, Instant cutoff, BackupEntry kept, List<Orphan> orphans,
                                       List<String> earlierNotes, RestorableWindow before, RestorableWindow after) {
            List<String> all = new ArrayList<>(earlierNotes);
            all.addAll(notes);
            return new ExpiryDecision.Expire(now, cutoff, Optional.of(kept), backups, wal, orphans, all, before, after);
        }
    }

    private static Plan planBehind(BucketInventory inventory, BackupEntry kept, Set<BackupId> claimed) {
        List<BackupEntry> expired = new ArrayList<>();
        List<BackupEntry> staying = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (BackupEntry b : inventory.backups().stream().sorted(BackupEntry.OLDEST_FIRST).toList()) {
            boolean older = BackupEntry.OLDEST_FIRST.compare(b, kept) < 0;
            if (older && claimed.contains(b.id())) {
                notes.add("kept " + b.id() + ": a running restore uses it");
            }
            if (older && !claimed.contains(b.id())) {
                expired.add(b);
            } else {
                staying.add(b);
            }
        }
        Lsn boundary = staying.stream().map(BackupEntry::startLsn).min(Comparator.naturalOrder()).orElseThrow();
        List<WalEntry> wal = inventory.wal().stream()
                .filter(w -> !w.endLsn().isAfter(boundary))
                .sorted(ExpiryDecision.Expire.lowestFirst())
                .toList();
        return new Plan(expired, wal, notes);
    }

    /** The window once {@code keys} are deleted, and what that would break, if anything. */
    private static Check check(BucketInventory inventory, RestorableWindow before, List<String> keys,
                               Instant cutoff, Set<BackupId> claimed) {
        RestorableWindow after = RestorableWindow.of(inventory.without(keys));
        for (TimeRange r : before.ranges()) {
            if (r.to().isBefore(cutoff)) {
                continue;
            }
            TimeRange mustStay = new TimeRange(r.from().isBefore(cutoff) ? cutoff : r.from(), r.to());
            if (!after.covers(mustStay)) {
                return new Check(after, Optional.of("moments in " + mustStay + " would no longer be restorable"));
            }
        }
        for (RestorableBackup r : before.restorableBackups()) {
            if (!claimed.contains(r.backup().id())) {
                continue;
            }
            boolean stillReaches = after.restorableBackups().stream()
                    .anyMatch(a -> a.backup().id().equals(r.backup().id())
                            && !a.restorableUntil().isBefore(r.restorableUntil()));
            if (!stillReaches) {
                return new Check(after, Optional.of("backup " + r.backup().id() + " of a running restore would no longer reach "
                        + r.restorableUntil()));
            }
        }
        return new Check(after, Optional.empty());
    }

    private List<Orphan> orphans(BucketInventory inventory, Instant now, Collection<String> alreadyDeleted) {
        Instant limit = now.minus(orphanGrace);
        Set<String> skip = Set.copyOf(alreadyDeleted);
        List<Orphan> orphans = new ArrayList<>();
        for (IncompleteBackup b : inventory.incompleteBackups()) {
            if (b.lastWrittenAt().isBefore(limit)) {
                String reason = "backup " + b.id() + " has no manifest and nothing was written to it since " + b.lastWrittenAt();
                b.objects().forEach(o -> orphans.add(new Orphan(o, reason)));
            }
        }
        for (ListedObject o : inventory.unexplained()) {
            if (o.lastModified().isBefore(limit)) {
                orphans.add(new Orphan(o, "no backup, WAL segment or timeline history explains it"));
            }
        }
        Set<String> completeSegments = inventory.wal().stream().filter(w -> !w.partial())
                .map(w -> w.segment().toString()).collect(Collectors.toSet());
        for (WalEntry w : inventory.wal()) {
            if (w.partial() && completeSegments.contains(w.segment().toString())
                    && w.object().lastModified().isBefore(limit)) {
                orphans.add(new Orphan(w.object(), "partial segment " + w.segment() + " is superseded by the complete segment"));
            }
        }
        return orphans.stream().filter(o -> !skip.contains(o.object().key())).toList();
    }
}
