package io.tideline.retention;

import io.tideline.core.ids.BackupId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.IncompleteBackup;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.TimelineBranch;
import io.tideline.core.window.WalEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Plays an instance's life forward and records what its bucket would then hold: WAL written over
 * time and stored when each segment completes (after an upload lag), WAL lost to gaps, base backups
 * (complete, abandoned without manifest, or with their WAL lost), and failovers that switch timeline
 * (the old primary may have written an abandoned tail, even a backup on it; the new timeline's copy of
 * the switch segment may be lost). Times are coherent: WAL is stored after it was written, a backup is
 * consistent when its end LSN was written.
 */
final class SimulatedHistory {

    static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    static final long QUARTER = SEG / 4;
    static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    sealed interface Step {
    }

    /** WAL grows by {@code quarters} quarter segments over {@code minutesPerQuarter} each; lost WAL is never stored. */
    record Write(int quarters, int minutesPerQuarter, boolean lost) implements Step {
    }

    enum Outcome { COMPLETE, NO_MANIFEST, WAL_LOST }

    /** A base backup spanning {@code quarters} quarter segments of WAL. */
    record TakeBackup(int quarters, int minutesPerQuarter, Outcome outcome) implements Step {
    }

    /** A failover: a new timeline branches at the current position. */
    record Switch(int tailQuarters, boolean childCopyMissing, boolean backupOnTail) implements Step {
    }

    private final BucketInventory.Builder bucket = BucketInventory.builder();
    private final List<Integer> lagSeconds;
    private final List<BackupEntry> completeBackups = new ArrayList<>();
    private int lagIndex;
    private int backups;
    private long timeline = 1;
    private Lsn pos = new Lsn(SEG);
    private Instant time = T0;
    private Lsn lostUntil = Lsn.ZERO;
    private WalSegmentName neverStored;

    private SimulatedHistory(List<Integer> lagSeconds) {
        this.lagSeconds = lagSeconds.isEmpty() ? List.of(0) : lagSeconds;
    }

    static SimulatedHistory play(List<Step> steps, List<Integer> lagSeconds) {
        SimulatedHistory h = new SimulatedHistory(lagSeconds);
        steps.forEach(h::apply);
        h.finish();
        return h;
    }

    BucketInventory.Builder bucket() {
        return bucket;
    }

    Instant end() {
        return time;
    }

    List<BackupEntry> completeBackups() {
        return completeBackups;
    }

    private void apply(Step step) {
        if (step instanceof Write w) {
            write(w.quarters() * QUARTER, Duration.ofMinutes((long) w.quarters() * w.minutesPerQuarter()), w.lost());
        } else if (step instanceof TakeBackup b) {
            backup(b);
        } else if (step instanceof Switch s) {
            switchTimeline(s);
        }
    }

    private void write(long bytes, Duration duration, boolean lost) {
        Lsn start = pos;
        Instant t0 = time;
        Lsn end = start.plus(bytes);
        for (long boundary = (start.value() / SEG + 1) * SEG; boundary <= end.value(); boundary += SEG) {
            Instant at = t0.plusNanos(duration.toNanos() / bytes * (boundary - start.value()));
            if (!lost) {
                storeComplete(WalSegmentName.of(timeline, new Lsn(boundary - 1), SEG), at);
            }
        }
        if (lost) {
            lostUntil = end;
        }
        pos = end;
        time = t0.plus(duration);
    }

    private void storeComplete(WalSegmentName s, Instant writtenAt) {
        if (s.startLsn().isBefore(lostUntil) || s.equals(neverStored)) {
            return;
        }
        Instant storedAt = writtenAt.plusSeconds(nextLag());
        bucket.wal(WalEntry.complete(s, storedAt, new ListedObject(LAYOUT.walSegment(s), 1000, storedAt)));
    }

    private void storePartial(long tl, Lsn upTo, Instant writtenAt) {
        WalSegmentName s = WalSegmentName.of(tl, upTo.minus(1), SEG);
        if (upTo.equals(s.endLsn()) || s.startLsn().isBefore(lostUntil)) {
            return;
        }
        Instant storedAt = writtenAt.plusSeconds(nextLag());
        bucket.wal(WalEntry.partial(s, upTo, storedAt, new ListedObject(LAYOUT.walPartial(s), 10, storedAt)));
    }

    private void backup(TakeBackup b) {
        Lsn start = pos;
        Instant startedAt = time;
        write(b.quarters() * QUARTER, Duration.ofMinutes((long) b.quarters() * b.minutesPerQuarter()), b.outcome() == Outcome.WAL_LOST);
        BackupId id = BackupId.of(startedAt, String.format("b%04d", ++backups));
        ListedObject part = new ListedObject(LAYOUT.backupPart(id, 1), 100_000, time);
        if (b.outcome() == Outcome.NO_MANIFEST) {
            bucket.incompleteBackup(new IncompleteBackup(id, List.of(part)));
            return;
        }
        addBackup(new BackupEntry(id, timeline, start, pos, startedAt, time, new ListedObject(LAYOUT.backupManifest(id), 100, time), List.of(part)));
    }

    private void addBackup(BackupEntry b) {
        bucket.backup(b);
        completeBackups.add(b);
    }

    private void switchTimeline(Switch s) {
        Lsn branchPoint = pos;
        long old = timeline;
        Lsn tailEnd = branchPoint.plus(s.tailQuarters() * QUARTER);
        // The old primary streamed its tail before it failed; its archiver stored what completed and the rest as a partial.
        for (long boundary = (branchPoint.value() / SEG + 1) * SEG; boundary <= tailEnd.value(); boundary += SEG) {
            storeComplete(WalSegmentName.of(old, new Lsn(boundary - 1), SEG), time);
        }
        storePartial(old, tailEnd, time);
        if (s.backupOnTail() && s.tailQuarters() >= 2) {
            BackupId id = BackupId.of(time, String.format("b%04d", ++backups));
            addBackup(new BackupEntry(id, old, branchPoint.plus(QUARTER / 2), tailEnd.minus(QUARTER / 2), time, time,
                    new ListedObject(LAYOUT.backupManifest(id), 100, time), List.of(new ListedObject(LAYOUT.backupPart(id, 1), 100_000, time))));
        }
        timeline = old + 1;
        bucket.branch(new TimelineBranch(timeline, old, branchPoint));
        neverStored = s.childCopyMissing() ? WalSegmentName.of(timeline, branchPoint, SEG) : null;
        time = time.plusSeconds(30);
    }

    private void finish() {
        if (pos.value() % SEG != 0) {
            storePartial(timeline, pos, time);
        }
    }

    private int nextLag() {
        return lagSeconds.get(lagIndex++ % lagSeconds.size());
    }
}
