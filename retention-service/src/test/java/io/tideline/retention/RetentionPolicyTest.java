package io.tideline.retention;

import io.tideline.core.ids.BackupId;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import io.tideline.core.window.WalEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.tideline.retention.RetentionFixture.LAYOUT;
import static io.tideline.retention.RetentionFixture.at;
import static io.tideline.retention.RetentionFixture.bucket;
import static io.tideline.retention.RetentionFixture.id;
import static io.tideline.retention.RetentionFixture.lsn;
import static io.tideline.retention.RetentionFixture.name;
import static io.tideline.retention.RetentionFixture.stray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

class RetentionPolicyTest {

    /** Every decision is taken at minute 400; the retention period sets the cutoff. */
    private static final Instant NOW = at(400);
    private static final Duration DAY = Duration.ofDays(1);

    /** What a case expects: a wait whose reasons mention a text, or exactly these deletions. */
    sealed interface Expect permits Waits, Expires {
    }

    record Waits(String reasonContains) implements Expect {
    }

    /**
     * @param kept     suffix of the kept backup, or null
     * @param backups  suffixes of the expired backups
     * @param wal      expired WAL as "timeline:segment", a partial as "timeline:segment.partial"
     * @param orphans  keys of the removed orphans
     */
    record Expires(String kept, Set<String> backups, Set<String> wal, Set<String> orphans) implements Expect {
    }

    /**
     * Three backups on timeline 1, WAL segments 1..30 stored at minute 10 n:
     * aaaa consistent at minute 21 (starts in segment 1), bbbb at 115 (segment 11), cccc at 215 (segment 21).
     * The window is [21, 300].
     */
    private static RetentionFixture threeBackups() {
        return bucket().segments(1, 1, 30)
                .backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .backup("bbbb", 1, lsn(11, 0x40), lsn(11, 0x900), 111, 115)
                .backup("cccc", 1, lsn(21, 0x40), lsn(21, 0x900), 211, 215);
    }

    /** As {@link #threeBackups()}, but segment 12 is lost: bbbb's end is not stored and the window has a hole. */
    private static RetentionFixture threeBackupsWithGap() {
        return bucket().segments(1, 1, 11).segments(1, 13, 30)
                .backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .backup("bbbb", 1, lsn(11, 0x40), lsn(12, 0x100), 111, 125)
                .backup("cccc", 1, lsn(21, 0x40), lsn(21, 0x900), 211, 215);
    }

    /**
     * Timeline 1 segments 1..7, timeline 2 branched at segment 5 (+0x800), its segments 5..20 stored at
     * minute 10 n + 5. Timeline 1's segments 6 and 7 are the abandoned tail. aaaa on timeline 1 (minute 21),
     * ffff on the abandoned tail (62), dddd on timeline 2 (115), eeee on timeline 2 (175).
     */
    private static RetentionFixture timelineSwitch() {
        RetentionFixture b = bucket().segments(1, 1, 7).branch(2, 1, lsn(5, 0x800));
        for (long n = 5; n <= 20; n++) {
            b.segment(2, n, 10 * n + 5);
        }
        return b.backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .backup("ffff", 1, lsn(6, 0x40), lsn(6, 0x900), 61, 62)
                .backup("dddd", 2, lsn(11, 0x40), lsn(11, 0x900), 111, 115)
                .backup("eeee", 2, lsn(17, 0x40), lsn(17, 0x900), 171, 175);
    }

    private static Set<String> wal(long timeline, long from, long to) {
        Set<String> s = new java.util.TreeSet<>();
        for (long n = from; n <= to; n++) {
            s.add(timeline + ":" + n);
        }
        return s;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.TreeSet<>(a);
        s.addAll(b);
        return s;
    }

    private static Duration minutes(long m) {
        return Duration.ofMinutes(m);
    }

    static Stream<Arguments> cases() {
        Instant graceAgo = NOW.minus(DAY);
        return Stream.of(
                row("no backup consistent before the cutoff: nothing expires",
                        threeBackups(), minutes(390), List.of(), List.of(),
                        new Expires(null, Set.of(), Set.of(), Set.of())),
                row("cutoff exactly at a backup's consistent moment keeps that backup",
                        threeBackups(), minutes(285), List.of(), List.of(),
                        new Expires("bbbb", Set.of("aaaa"), wal(1, 1, 10), Set.of())),
                row("cutoff one nanosecond before it keeps the older one",
                        threeBackups(), minutes(285).plusNanos(1), List.of(), List.of(),
                        new Expires("aaaa", Set.of(), Set.of(), Set.of())),
                row("everything behind the newest old-enough backup expires",
                        threeBackups(), minutes(150), List.of(), List.of(),
                        new Expires("cccc", Set.of("aaaa", "bbbb"), wal(1, 1, 20), Set.of())),
                row("a running restore keeps its backup and the WAL from its start",
                        threeBackups(), minutes(150), List.of(RestoreClaim.uses("r1", id("aaaa", 12))), List.of(),
                        new Expires("cccc", Set.of("bbbb"), Set.of(), Set.of())),
                row("a running restore of a newer backup changes nothing behind the kept one",
                        threeBackups(), minutes(150), List.of(RestoreClaim.uses("r1", id("cccc", 211))), List.of(),
                        new Expires("cccc", Set.of("aaaa", "bbbb"), wal(1, 1, 20), Set.of())),
                row("a running restore whose backup is not chosen yet: wait",
                        threeBackups(), minutes(150), List.of(RestoreClaim.backupNotChosenYet("r2")), List.of(),
                        new Waits("restore r2 is running and its backup is not chosen yet")),
                row("a running restore of a backup the bucket does not hold: wait",
                        threeBackups(), minutes(150), List.of(RestoreClaim.uses("r3", id("zzzz", 0))), List.of(),
                        new Waits("which the bucket does not hold")),
                row("timeline not read up to date: wait, say why",
                        threeBackups(), minutes(150), List.of(), List.of("tideline.timeline is not read up to date (lag 17)"),
                        new Waits("lag 17")),
                row("bucket listing failed: wait",
                        threeBackups().unexplained(stray("old"), -5000), minutes(150), List.of(), List.of("bucket listing failed: 503"),
                        new Waits("listing failed")),
                row("gap: the newest old-enough backup is not restorable, so the older restorable one is kept",
                        threeBackupsWithGap(), minutes(250), List.of(), List.of(),
                        new Expires("aaaa", Set.of(), Set.of(), Set.of())),
                row("gap: a kept backup after the gap expires what lies before it, restorable or not",
                        threeBackupsWithGap(), minutes(150), List.of(), List.of(),
                        new Expires("cccc", Set.of("aaaa", "bbbb"), union(wal(1, 1, 11), wal(1, 13, 20)), Set.of())),
                row("timeline switch: kept on the parent before the switch, nothing of either timeline goes",
                        timelineSwitch(), minutes(350), List.of(), List.of(),
                        new Expires("aaaa", Set.of(), Set.of(), Set.of())),
                row("timeline switch: kept on the child, the parent's WAL and abandoned tail before its start go",
                        timelineSwitch(), minutes(280), List.of(), List.of(),
                        new Expires("dddd", Set.of("aaaa", "ffff"), union(wal(1, 1, 7), wal(2, 5, 10)), Set.of())),
                row("timeline with data but no history: wait",
                        threeBackups().segment(2, 31, 310), minutes(150), List.of(), List.of(),
                        new Waits("timeline 2 holds data but its history file is not known")),
                row("incomplete backup untouched for longer than a day is removed, manifest-less parts and all",
                        threeBackups().incomplete("gggg", -3000, graceAgo.minusNanos(1)), minutes(390), List.of(), List.of(),
                        new Expires(null, Set.of(), Set.of(), Set.of(
                                LAYOUT.backupPart(id("gggg", -3000), 1), LAYOUT.backupPart(id("gggg", -3000), 2)))),
                row("incomplete backup written to exactly a day ago stays (an upload may be in progress)",
                        threeBackups().incomplete("gggg", -3000, graceAgo), minutes(390), List.of(), List.of(),
                        new Expires(null, Set.of(), Set.of(), Set.of())),
                row("unexplained objects: older than a day removed, younger kept",
                        threeBackups().unexplained(stray("old"), graceAgo.minusSeconds(1)).unexplained(stray("young"), graceAgo.plusSeconds(1)),
                        minutes(390), List.of(), List.of(),
                        new Expires(null, Set.of(), Set.of(), Set.of(stray("old")))),
                row("a partial superseded by its complete segment is an orphan; the live partial is not, however old",
                        threeBackups().partialWritten(1, 30, 0x100, graceAgo.minusSeconds(1))
                                .partialWritten(1, 31, 0x100, graceAgo.minusSeconds(1)),
                        minutes(390), List.of(), List.of(),
                        new Expires(null, Set.of(), Set.of(), Set.of(LAYOUT.walPartial(name(1, 30))))),
                row("orphans go together with expiry",
                        threeBackups().unexplained(stray("old"), -5000), minutes(150), List.of(), List.of(),
                        new Expires("cccc", Set.of("aaaa", "bbbb"), wal(1, 1, 20), Set.of(stray("old")))));
    }

    private static Arguments row(String name, RetentionFixture bucket, Duration retention, List<RestoreClaim> claims,
                                 List<String> missing, Expect expect) {
        return Arguments.of(named(name, bucket.build()), retention, claims, missing, expect);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decides(BucketInventory inventory, Duration retention, List<RestoreClaim> claims, List<String> missing, Expect expect) {
        ExpiryDecision decision = new RetentionPolicy(retention, DAY).decide(inventory, NOW, claims, missing);

        if (expect instanceof Waits w) {
            ExpiryDecision.Wait wait = assertInstanceOf(ExpiryDecision.Wait.class, decision);
            assertTrue(wait.reasons().stream().anyMatch(r -> r.contains(w.reasonContains())), wait.reasons().toString());
            return;
        }
        Expires e = (Expires) expect;
        ExpiryDecision.Expire expire = assertInstanceOf(ExpiryDecision.Expire.class, decision, decision::toString);
        assertEquals(Optional.ofNullable(e.kept()), expire.keptBackup().map(RetentionPolicyTest::suffix), "kept backup");
        assertEquals(e.backups(), expire.expiredBackups().stream().map(RetentionPolicyTest::suffix).collect(Collectors.toSet()), "expired backups");
        assertEquals(e.wal(), expire.expiredWal().stream().map(RetentionPolicyTest::walLabel).collect(Collectors.toCollection(java.util.TreeSet::new)), "expired WAL");
        assertEquals(e.orphans(), expire.orphans().stream().map(o -> o.object().key()).collect(Collectors.toSet()), "orphans");
        assertEquals(NOW.minus(retention), expire.cutoff());

        // Whatever the case: nothing a restore from the cutoff on needs went, and claims are honoured.
        RestorableWindow after = RestorableWindow.of(inventory.without(expire.deletedKeys()));
        for (TimeRange r : RestorableWindow.of(inventory).ranges()) {
            if (!r.to().isBefore(expire.cutoff())) {
                TimeRange tail = new TimeRange(r.from().isBefore(expire.cutoff()) ? expire.cutoff() : r.from(), r.to());
                assertTrue(after.covers(tail), tail + " still restorable");
            }
        }
        for (RestoreClaim c : claims) {
            assertTrue(after.restorableBackups().stream().anyMatch(r -> r.backup().id().equals(c.backupId().orElseThrow())),
                    "claimed backup still restorable");
        }
    }

    @Test
    void deletesManifestsFirstOldestBackupFirstThenWalUpwardsThenOrphans() {
        BucketInventory inventory = threeBackups().unexplained(stray("old"), -5000).build();

        ExpiryDecision.Expire expire = (ExpiryDecision.Expire) RetentionPolicy.of(minutes(150)).decide(inventory, NOW, List.of(), List.of());

        List<String> keys = expire.deletedKeys();
        BackupId a = id("aaaa", 12);
        BackupId b = id("bbbb", 111);
        assertEquals(List.of(LAYOUT.backupManifest(a), LAYOUT.backupPart(a, 1), LAYOUT.backupPart(a, 2),
                LAYOUT.backupManifest(b), LAYOUT.backupPart(b, 1), LAYOUT.backupPart(b, 2)), keys.subList(0, 6));
        List<String> walKeys = keys.subList(6, 26);
        List<String> sorted = new ArrayList<>(walKeys);
        sorted.sort(null);
        assertEquals(sorted, walKeys, "WAL deleted from the lowest segment up");
        assertEquals(LAYOUT.walSegment(name(1, 1)), walKeys.get(0));
        assertEquals(List.of(stray("old")), keys.subList(26, keys.size()));
        assertEquals(2 * 50_510 + 20 * 1000 + 1, expire.bytesFreed());
    }

    @Test
    void reportsExpiredWalAsRunsPerTimeline() {
        BucketInventory inventory = timelineSwitch().build();

        ExpiryDecision.Expire expire = (ExpiryDecision.Expire) RetentionPolicy.of(minutes(280)).decide(inventory, NOW, List.of(), List.of());

        assertEquals(List.of(
                new WalRun(1, name(1, 1), name(1, 7)),
                new WalRun(2, name(2, 5), name(2, 10))), expire.expiredWalRuns());
    }

    @Test
    void gapsInExpiredWalSplitTheRuns() {
        BucketInventory inventory = threeBackupsWithGap().build();

        ExpiryDecision.Expire expire = (ExpiryDecision.Expire) RetentionPolicy.of(minutes(150)).decide(inventory, NOW, List.of(), List.of());

        assertEquals(List.of(
                new WalRun(1, name(1, 1), name(1, 11)),
                new WalRun(1, name(1, 13), name(1, 20))), expire.expiredWalRuns());
    }

    @Test
    void whenTimesInTheMetadataContradictEachOtherItKeepsAnOlderBackupRatherThanShrinkTheWindow() {
        // Segment 3 was stored (re-uploaded) at minute 200, after segment 4 was lost: aaaa's WAL reaches
        // minute 200 by the rules, while bbbb, taken after the gap, only reaches minute 60. Keeping bbbb
        // (the newest old-enough backup) would lose (60, 200].
        BucketInventory inventory = bucket().segment(1, 1, 10).segment(1, 2, 20).segment(1, 3, 200)
                .segment(1, 5, 50).segment(1, 6, 60)
                .backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .backup("bbbb", 1, lsn(5, 0x40), lsn(5, 0x900), 45, 50)
                .build();

        ExpiryDecision.Expire expire = (ExpiryDecision.Expire) RetentionPolicy.of(minutes(345)).decide(inventory, NOW, List.of(), List.of());

        assertEquals(Optional.of("aaaa"), expire.keptBackup().map(RetentionPolicyTest::suffix));
        assertTrue(expire.isEmpty());
        assertTrue(expire.notes().stream().anyMatch(n -> n.contains("did not keep " + id("bbbb", 45))), expire.notes().toString());
    }

    @Test
    void aWaitDeletesNothingEvenOldOrphans() {
        BucketInventory inventory = threeBackups().unexplained(stray("old"), -5000).build();

        ExpiryDecision decision = RetentionPolicy.defaults().decide(inventory, NOW, List.of(), List.of("listing failed"));

        assertEquals(List.of("listing failed"), assertInstanceOf(ExpiryDecision.Wait.class, decision).reasons());
    }

    @Test
    void theDefaultsAreSevenDaysAndOneDay() {
        assertEquals(Duration.ofDays(7), RetentionPolicy.defaults().retention());
        assertEquals(Duration.ofDays(1), RetentionPolicy.defaults().orphanGrace());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(Duration.ZERO, DAY));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new RetentionPolicy(DAY, Duration.ofSeconds(-1)));
    }

    static String suffix(BackupEntry b) {
        return b.id().value().replaceAll(".*-", "");
    }

    static String walLabel(WalEntry w) {
        return w.timeline() + ":" + w.segment().segmentNo() + (w.partial() ? ".partial" : "");
    }

    @SuppressWarnings("unused")
    private static long size(List<ListedObject> objects) {
        return objects.stream().mapToLong(ListedObject::size).sum();
    }
}
