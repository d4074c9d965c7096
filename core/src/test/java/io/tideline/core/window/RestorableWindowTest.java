package io.tideline.core.window;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.tideline.core.window.WindowFixture.at;
import static io.tideline.core.window.WindowFixture.bucket;
import static io.tideline.core.window.WindowFixture.lsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Named.named;

class RestorableWindowTest {

    private static TimeRange range(long fromMinute, long toMinute) {
        return new TimeRange(at(fromMinute), at(toMinute));
    }

    /** Backup "aaaa": timeline 1, starts in segment 1, ends in segment 2, consistent at minute 21. */
    private static WindowFixture withBackupA() {
        return bucket().backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21);
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                row("empty bucket", bucket(), List.of(), Set.of()),
                row("one backup, WAL contiguous to segment 6",
                        withBackupA().segments(1, 1, 6), List.of(range(21, 60)), Set.of()),
                row("backup whose end LSN's WAL is not stored",
                        withBackupA().segments(1, 1, 1), List.of(), Set.of("aaaa")),
                row("backup whose start segment is missing",
                        withBackupA().segments(1, 2, 6), List.of(), Set.of("aaaa")),
                row("WAL gap: after it only the backup taken after the gap restores",
                        withBackupA().segments(1, 1, 4).segments(1, 6, 9)
                                .backup("bbbb", 1, lsn(7, 0x40), lsn(7, 0x900), 71, 75),
                        List.of(range(21, 40), range(75, 90)), Set.of()),
                row("WAL gap with no backup after it: the window ends at the gap",
                        withBackupA().segments(1, 1, 4).segments(1, 6, 9), List.of(range(21, 40)), Set.of()),
                row("the partial segment extends the window to its upload",
                        withBackupA().segments(1, 1, 3).partial(1, 4, 0x1000, 45), List.of(range(21, 45)), Set.of()),
                row("a complete segment supersedes its partial, whichever was stored last",
                        withBackupA().segments(1, 1, 4).partial(1, 4, 0x1000, 41).segment(1, 5, 50),
                        List.of(range(21, 50)), Set.of()),
                row("a late re-upload of an old segment does not extend the window",
                        withBackupA().segments(1, 1, 1).segment(1, 2, 100).segments(1, 3, 4),
                        List.of(range(21, 40)), Set.of()),
                row("WAL stored before the backup's consistent moment: it restores just that moment",
                        bucket().backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 25).segment(1, 1, 10).segment(1, 2, 20),
                        List.of(range(25, 25)), Set.of()),
                row("timeline switch: a backup on the parent reaches the child's newest WAL",
                        withBackupA().segments(1, 1, 5).branch(2, 1, lsn(5, 0x800))
                                .segment(2, 5, 52).segment(2, 6, 60).segment(2, 7, 70),
                        List.of(range(21, 70)), Set.of()),
                row("timeline switch, child's copy of the switch segment missing: parent's copy up to the branch point",
                        withBackupA().segments(1, 1, 5).branch(2, 1, lsn(5, 0x800)).segment(2, 6, 60).segment(2, 7, 70),
                        List.of(range(21, 50)), Set.of()),
                row("timeline switch: the parent's abandoned tail is not history",
                        withBackupA().segments(1, 1, 7).branch(2, 1, lsn(5, 0x800))
                                .segment(2, 5, 55).segment(2, 6, 65)
                                .backup("dddd", 1, lsn(6, 0x10), lsn(6, 0x100), 61, 62),
                        List.of(range(21, 65)), Set.of("dddd")),
                row("backup taken on the child timeline",
                        bucket().segments(1, 1, 5).branch(2, 1, lsn(5, 0x800)).segment(2, 5, 52).segment(2, 6, 60)
                                .backup("cccc", 2, lsn(6, 0x10), lsn(6, 0x100), 56, 58),
                        List.of(range(58, 60)), Set.of()),
                row("a child timeline's file of a segment before the child began is never read",
                        withBackupA().segment(1, 1, 10).segment(2, 2, 20).segments(1, 3, 5).branch(2, 1, lsn(5, 0x800))
                                .segment(2, 5, 52),
                        List.of(), Set.of("aaaa")),
                row("two switches: 1 -> 2 -> 3",
                        withBackupA().segments(1, 1, 3).branch(2, 1, lsn(3, 0x10)).branch(3, 2, lsn(4, 0x10))
                                .segment(2, 3, 35).segment(3, 4, 45).segment(3, 5, 50),
                        List.of(range(21, 50)), Set.of()),
                row("history of the newest timeline unknown: older timelines fall off the path",
                        withBackupA().segments(1, 1, 5).segment(2, 5, 52).segment(2, 6, 60)
                                .backup("cccc", 2, lsn(6, 0x10), lsn(6, 0x100), 56, 58),
                        List.of(range(58, 60)), Set.of("aaaa")),
                row("bucket of a restored instance starts on timeline 3 without its history",
                        bucket().segment(3, 8, 10).segment(3, 9, 20)
                                .backup("eeee", 3, lsn(8, 0x28), lsn(8, 0x400), 5, 8),
                        List.of(range(8, 20)), Set.of()),
                row("incomplete backups and unexplained objects restore nothing",
                        bucket().segments(1, 1, 4).incomplete("ffff", 12, 30).unexplained(WindowFixture.stray("x"), 3),
                        List.of(), Set.of()),
                row("overlapping intervals of two backups merge",
                        withBackupA().segments(1, 1, 6).backup("bbbb", 1, lsn(3, 0), lsn(3, 0x10), 30, 31),
                        List.of(range(21, 60)), Set.of()));
    }

    private static Arguments row(String name, WindowFixture bucket, List<TimeRange> ranges, Set<String> unusable) {
        return Arguments.of(named(name, bucket.build()), ranges, unusable);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void computesTheRestorableRanges(BucketInventory inventory, List<TimeRange> expected, Set<String> unusableSuffixes) {
        RestorableWindow window = RestorableWindow.of(inventory);

        assertEquals(expected, window.ranges());
        assertEquals(expected.stream().findFirst().map(TimeRange::from), window.from());
        assertEquals(expected.isEmpty() ? Optional.empty() : Optional.of(expected.get(expected.size() - 1).to()), window.to());
        assertEquals(unusableSuffixes, window.unusableBackups().stream().map(u -> suffix(u.backup())).collect(Collectors.toSet()));
        for (TimeRange r : expected) {
            assertTrue(window.isRestorable(r.from()), "from of " + r);
            assertTrue(window.isRestorable(r.to()), "to of " + r);
            assertFalse(window.isRestorable(r.from().minusNanos(1)), "just before " + r);
            assertFalse(window.isRestorable(r.to().plusNanos(1)), "just after " + r);
            assertTrue(window.backupFor(r.to()).isPresent(), "a backup restores the end of " + r);
        }
    }

    @Test
    void backupForPicksTheNewestBackupThatReachesTheTargetAtExactBoundaries() {
        BucketInventory inventory = withBackupA().segments(1, 1, 9)
                .backup("bbbb", 1, lsn(5, 0x40), lsn(5, 0x900), 41, 45)
                .build();
        RestorableWindow window = RestorableWindow.of(inventory);

        assertEquals(Optional.empty(), window.backupFor(at(21).minusNanos(1)));
        assertEquals("aaaa", suffix(window.backupFor(at(21)).orElseThrow()));
        assertEquals("aaaa", suffix(window.backupFor(at(45).minusNanos(1)).orElseThrow()));
        assertEquals("bbbb", suffix(window.backupFor(at(45)).orElseThrow()));
        assertEquals("bbbb", suffix(window.backupFor(at(90)).orElseThrow()));
        assertEquals(Optional.empty(), window.backupFor(at(90).plusNanos(1)));
        assertEquals(lsn(10, 0), window.restorableBackupFor(at(60)).orElseThrow().walReachedLsn());
    }

    @Test
    void afterAGapTheOlderBackupNoLongerServesAndTheNewerOneDoes() {
        BucketInventory inventory = withBackupA().segments(1, 1, 4).segments(1, 6, 9)
                .backup("bbbb", 1, lsn(7, 0x40), lsn(7, 0x900), 71, 75)
                .build();
        RestorableWindow window = RestorableWindow.of(inventory);

        assertEquals(Optional.empty(), window.backupFor(at(50)), "inside the gap");
        assertFalse(window.isRestorable(at(74)));
        assertEquals("bbbb", suffix(window.backupFor(at(80)).orElseThrow()));
        assertTrue(window.covers(range(21, 40)));
        assertFalse(window.covers(range(21, 75)));
    }

    @Test
    void explainsWhyABackupIsNotRestorable() {
        BucketInventory inventory = withBackupA().segments(1, 1, 1).build();

        UnusableBackup unusable = RestorableWindow.of(inventory).unusableBackups().get(0);

        assertTrue(unusable.reason().contains("missing from 0/2000000 (000000010000000000000002)"), unusable.reason());
    }

    @Test
    void followsTheNewestTimelinesHistory() {
        BucketInventory inventory = bucket().segments(1, 1, 3).branch(2, 1, lsn(3, 0x10)).branch(3, 2, lsn(4, 0x10))
                .segment(3, 4, 45).build();

        TimelinePath path = RestorableWindow.of(inventory).timelinePath();

        assertEquals(List.of(1L, 2L, 3L), path.spans().stream().map(TimelinePath.Span::timeline).toList());
        assertTrue(path.contains(1, lsn(3, 0x0F)));
        assertFalse(path.contains(1, lsn(3, 0x10)));
        assertTrue(path.contains(2, lsn(3, 0x10)));
        assertFalse(path.contains(2, lsn(4, 0x10)));
        assertTrue(path.contains(3, lsn(400, 0)));
        assertEquals(3, path.newest());
    }

    static String suffix(BackupEntry b) {
        return b.id().value().replaceAll(".*-", "");
    }
}
