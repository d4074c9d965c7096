package io.tideline.retention;

import io.tideline.core.wal.Lsn;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;
import io.tideline.retention.SimulatedHistory.Outcome;
import io.tideline.retention.SimulatedHistory.Step;
import io.tideline.retention.SimulatedHistory.Switch;
import io.tideline.retention.SimulatedHistory.TakeBackup;
import io.tideline.retention.SimulatedHistory.Write;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Over random instance histories (WAL written and stored with upload lag, gaps, failed backups,
 * timeline switches with abandoned tails, running restores, orphans, cutoffs anywhere including
 * exactly at a backup's consistent moment): expiry never makes a moment from the cutoff on
 * unrestorable, and deletes nothing a kept backup or a running restore needs.
 */
class RetentionProperties {

    private static final Duration GRACE = Duration.ofDays(1);

    /**
     * A history and the circumstances of the decision.
     *
     * @param cutoffPermille where the cutoff falls between the first write and now, in thousandths
     * @param alignTo        if present, put the cutoff at this backup's (index modulo count) consistent moment...
     * @param nudgeNanos     ...moved by this many nanoseconds (-1, 0, 1)
     * @param claims         indexes (modulo count) of complete backups that running restores use
     * @param orphanAgesMin  ages in minutes of unexplained objects at decision time
     */
    record Scenario(List<Step> steps, List<Integer> lags, int idleMinutes, int cutoffPermille,
                    Optional<Integer> alignTo, int nudgeNanos, List<Integer> claims, List<Integer> orphanAgesMin) {
    }

    record Setup(BucketInventory inventory, Instant now, Duration retention, List<RestoreClaim> claims) {
        Instant cutoff() {
            return now.minus(retention);
        }
    }

    @Property(tries = 1000)
    void everyMomentFromTheCutoffOnStaysRestorableAndNothingNeededIsDeleted(@ForAll("scenarios") Scenario scenario) {
        Setup setup = setUp(scenario, false);
        BucketInventory inventory = setup.inventory();
        ExpiryDecision decision = RetentionPolicy.of(setup.retention()).decide(inventory, setup.now(), setup.claims(), List.of());
        ExpiryDecision.Expire expire = assertInstanceOf(ExpiryDecision.Expire.class, decision, decision::toString);
        Instant cutoff = setup.cutoff();
        RestorableWindow before = RestorableWindow.of(inventory);
        RestorableWindow after = RestorableWindow.of(inventory.without(expire.deletedKeys()));

        // Every moment from the cutoff on that was restorable still is: checked at every moment where
        // restorability can change (interval ends, ± 1 ns) and in between.
        for (Instant t : probes(before, cutoff)) {
            if (!t.isBefore(cutoff) && before.isRestorable(t)) {
                assertTrue(after.isRestorable(t), () -> t + " was restorable and is no longer; " + before + " -> " + after);
            }
        }
        // Nothing inside the window goes: no backup consistent after the cutoff, nothing of a kept backup.
        Set<String> deleted = new HashSet<>(expire.deletedKeys());
        for (BackupEntry b : inventory.backups()) {
            boolean gone = deleted.contains(b.manifest().key());
            if (b.finishedAt().isAfter(cutoff)) {
                assertFalse(gone, () -> "backup " + b.id() + " consistent after the cutoff was deleted");
            }
            if (gone) {
                assertTrue(expire.keptBackup().isPresent());
                assertTrue(BackupEntry.OLDEST_FIRST.compare(b, expire.keptBackup().get()) < 0, "only backups older than the kept one go");
            }
        }
        expire.keptBackup().ifPresent(kept -> {
            assertFalse(deleted.contains(kept.manifest().key()));
            assertTrue(before.restorableBackups().stream().anyMatch(r -> r.backup().equals(kept)), "the kept backup is restorable");
            assertFalse(kept.finishedAt().isAfter(cutoff), "the kept backup is consistent at or before the cutoff");
        });
        if (expire.keptBackup().isEmpty()) {
            assertTrue(expire.expiredBackups().isEmpty() && expire.expiredWal().isEmpty());
        }
        for (WalEntry w : expire.expiredWal()) {
            Lsn start = expire.keptBackup().orElseThrow().startLsn();
            assertFalse(w.endLsn().isAfter(start), () -> w + " is not wholly before the kept backup's start " + start);
        }
        // Running restores keep their backup and every WAL object from its start on, and reach as far as before.
        for (RestoreClaim c : setup.claims()) {
            BackupEntry used = inventory.backup(c.backupId().orElseThrow()).orElseThrow();
            assertFalse(deleted.contains(used.manifest().key()), "a running restore's backup was deleted");
            for (WalEntry w : inventory.wal()) {
                if (w.endLsn().isAfter(used.startLsn()) && !w.partial()) {
                    assertFalse(deleted.contains(w.object().key()), () -> w + " is needed by restore of " + used.id());
                }
            }
            before.restorableBackups().stream().filter(r -> r.backup().equals(used)).findFirst().ifPresent(r ->
                    assertTrue(after.restorableBackups().stream().anyMatch(a -> a.backup().equals(used)
                            && !a.restorableUntil().isBefore(r.restorableUntil())), "a running restore still reaches as far"));
        }
        // Safe order: a manifest goes before the parts of its backup.
        List<String> order = expire.deletedKeys();
        for (BackupEntry b : expire.expiredBackups()) {
            int manifestAt = order.indexOf(b.manifest().key());
            b.parts().forEach(p -> assertTrue(order.indexOf(p.key()) > manifestAt));
        }
        // Orphans are old enough.
        for (Orphan o : expire.orphans()) {
            assertTrue(o.object().lastModified().isBefore(setup.now().minus(GRACE)), () -> o + " is too young");
        }
        Statistics.label("kept backup").collect(expire.keptBackup().isPresent());
        Statistics.label("backups expired").collect(!expire.expiredBackups().isEmpty());
        Statistics.label("timelines").collect(inventory.timelinesWithData().size());
        Statistics.label("ranges").collect(Math.min(before.ranges().size(), 3));
        Statistics.label("fell back to an older kept backup").collect(expire.notes().stream().anyMatch(n -> n.startsWith("did not keep")));
    }

    /**
     * With no upload lag (each WAL object's time is exactly when its last byte was written) the
     * decision is the rule as stated, never the fallback: the kept backup is the newest restorable one
     * consistent at or before the cutoff, and every older backup not used by a restore expires, with
     * the WAL wholly before what stays.
     */
    @Property(tries = 600)
    void withoutUploadLagItKeepsExactlyTheNewestOldEnoughBackupAndExpiresEverythingBehindIt(@ForAll("scenarios") Scenario scenario) {
        Setup setup = setUp(scenario, true);
        BucketInventory inventory = setup.inventory();
        ExpiryDecision.Expire expire = assertInstanceOf(ExpiryDecision.Expire.class,
                RetentionPolicy.of(setup.retention()).decide(inventory, setup.now(), setup.claims(), List.of()));
        RestorableWindow before = RestorableWindow.of(inventory);

        Optional<BackupEntry> expectedKept = before.restorableBackups().stream().map(RestorableBackup::backup)
                .filter(b -> !b.finishedAt().isAfter(setup.cutoff()))
                .max(BackupEntry.OLDEST_FIRST);
        assertEquals(expectedKept, expire.keptBackup(), () -> "notes: " + expire.notes());
        if (expectedKept.isEmpty()) {
            return;
        }
        BackupEntry kept = expectedKept.get();
        Set<Object> claimed = new HashSet<>();
        setup.claims().forEach(c -> claimed.add(c.backupId().orElseThrow()));
        List<BackupEntry> expectedExpired = inventory.backups().stream()
                .filter(b -> BackupEntry.OLDEST_FIRST.compare(b, kept) < 0 && !claimed.contains(b.id()))
                .sorted(BackupEntry.OLDEST_FIRST).toList();
        assertEquals(expectedExpired, expire.expiredBackups());
        Lsn boundary = inventory.backups().stream().filter(b -> !expectedExpired.contains(b))
                .map(BackupEntry::startLsn).min(Comparator.naturalOrder()).orElseThrow();
        Set<String> expectedWal = new TreeSet<>();
        inventory.wal().stream().filter(w -> !w.endLsn().isAfter(boundary)).forEach(w -> expectedWal.add(w.object().key()));
        Set<String> actualWal = new TreeSet<>();
        expire.expiredWal().forEach(w -> actualWal.add(w.object().key()));
        assertEquals(expectedWal, actualWal);
        Statistics.label("lag-free: backups expired").collect(expectedExpired.size() > 0);
    }

    private static Setup setUp(Scenario s, boolean lagFree) {
        SimulatedHistory history = SimulatedHistory.play(s.steps(), lagFree ? List.of(0) : s.lags());
        Instant now = history.end().plus(Duration.ofMinutes(s.idleMinutes()));
        List<BackupEntry> backups = history.completeBackups();
        Instant cutoff = SimulatedHistory.T0.plusNanos((Duration.between(SimulatedHistory.T0, now).toNanos() / 1000 * s.cutoffPermille()));
        if (s.alignTo().isPresent() && !backups.isEmpty()) {
            cutoff = backups.get(s.alignTo().get() % backups.size()).finishedAt().plusNanos(s.nudgeNanos());
        }
        if (!cutoff.isBefore(now)) {
            cutoff = now.minusNanos(1);
        }
        List<RestoreClaim> claims = new ArrayList<>();
        if (!backups.isEmpty()) {
            s.claims().stream().distinct().forEach(i -> claims.add(
                    RestoreClaim.uses("restore-" + i, backups.get(i % backups.size()).id())));
        }
        BucketInventory.Builder bucket = history.bucket();
        for (int i = 0; i < s.orphanAgesMin().size(); i++) {
            bucket.unexplained(new ListedObject(SimulatedHistory.LAYOUT.backupPart(io.tideline.core.ids.BackupId.of(SimulatedHistory.T0, "stray" + i), 9), 7, now.minus(Duration.ofMinutes(s.orphanAgesMin().get(i)))));
        }
        return new Setup(bucket.build(), now, Duration.between(cutoff, now), claims);
    }

    /** Every moment where restorability can change, the moments 1 ns either side, and midpoints. */
    private static List<Instant> probes(RestorableWindow window, Instant cutoff) {
        TreeSet<Instant> points = new TreeSet<>();
        points.add(cutoff);
        for (RestorableBackup r : window.restorableBackups()) {
            points.add(r.interval().from());
            points.add(r.interval().to());
        }
        for (TimeRange r : window.ranges()) {
            points.add(r.from());
            points.add(r.to());
        }
        List<Instant> probes = new ArrayList<>();
        Instant previous = null;
        for (Instant p : points) {
            probes.add(p);
            probes.add(p.minusNanos(1));
            probes.add(p.plusNanos(1));
            if (previous != null) {
                probes.add(previous.plus(Duration.between(previous, p).dividedBy(2)));
            }
            previous = p;
        }
        return probes;
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        Arbitrary<Step> write = Combinators.combine(
                Arbitraries.integers().between(1, 16),
                Arbitraries.integers().between(1, 360),
                Arbitraries.frequency(Tuple.of(19, false), Tuple.of(1, true))).as(Write::new);
        Arbitrary<Step> backup = Combinators.combine(
                Arbitraries.integers().between(1, 6),
                Arbitraries.integers().between(1, 60),
                Arbitraries.frequency(Tuple.of(6, Outcome.COMPLETE), Tuple.of(1, Outcome.NO_MANIFEST), Tuple.of(1, Outcome.WAL_LOST)))
                .as(TakeBackup::new);
        Arbitrary<Step> failover = Combinators.combine(
                Arbitraries.integers().between(0, 6),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)),
                Arbitraries.of(true, false)).as(Switch::new);
        Arbitrary<List<Step>> steps = Arbitraries.frequencyOf(Tuple.of(6, write), Tuple.of(3, backup), Tuple.of(1, failover))
                .list().ofMinSize(1).ofMaxSize(40).withSizeDistribution(RandomDistribution.uniform());
        // Mostly the archiver's usual upload lag; now and then an upload stuck for up to two hours.
        Arbitrary<List<Integer>> lags = Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.integers().between(0, 90)),
                Tuple.of(1, Arbitraries.integers().between(0, 7200))).list().ofMinSize(1).ofMaxSize(8);
        return Combinators.combine(
                steps,
                lags,
                Arbitraries.integers().between(0, 3 * 24 * 60),
                Arbitraries.integers().between(0, 999),
                Arbitraries.integers().between(0, 50).optional(0.6),
                Arbitraries.integers().between(-1, 1),
                Arbitraries.integers().between(0, 50).list().ofMaxSize(2),
                Arbitraries.integers().between(0, 4 * 24 * 60).list().ofMaxSize(3))
                .as(Scenario::new);
    }
}
