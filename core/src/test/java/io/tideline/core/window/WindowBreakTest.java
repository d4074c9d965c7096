package io.tideline.core.window;

import static io.tideline.core.window.WindowFixture.at;
import static io.tideline.core.window.WindowFixture.bucket;
import static io.tideline.core.window.WindowFixture.lsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16: for about a minute after each backup, the WAL of the moments just before it (the rest of the
 * segment the backup switched away from) is not stored yet; the window then has two ranges. That is WAL on
 * its way, not a WAL gap, until it has been missing longer than the archive lag anyone is warned about.
 */
class WindowBreakTest {

    /**
     * Backup aaaa (consistent at minute 21), WAL 1-3 complete, segment 4 as a partial stored at minute 45;
     * backup bbbb starts in segment 5 (whose WAL is stored) and is consistent at minute 46: segment 4's
     * complete copy is not uploaded yet.
     */
    private static RestorableWindow justAfterABackup() {
        return RestorableWindow.of(bucket().backup("aaaa", 1, lsn(1, 0x100), lsn(2, 0x100), 12, 21)
                .segments(1, 1, 3).partial(1, 4, 0x1000, 45)
                .backup("bbbb", 1, lsn(5, 0x40), lsn(5, 0x900), 45, 46).segment(1, 5, 46).build());
    }

    @Test
    void aBreakYoungerThanTheGraceIsWalNotUploadedYet() {
        RestorableWindow window = justAfterABackup();
        assertEquals(List.of(new TimeRange(at(21), at(45)), new TimeRange(at(46), at(46))), window.ranges());

        List<WindowBreak> breaks = WindowBreak.between(window.ranges(), at(46).plusSeconds(50));
        assertEquals(1, breaks.size());
        assertEquals(at(45), breaks.get(0).lastBefore());
        assertEquals(at(46), breaks.get(0).firstAfter());
        assertTrue(breaks.get(0).awaitingUpload());
        assertEquals("WAL not uploaded yet", breaks.get(0).describe());
        // Never inverted: the break lies between the ranges it separates.
        assertTrue(breaks.get(0).lastBefore().isBefore(breaks.get(0).firstAfter()));
    }

    @Test
    void aBreakOlderThanTheGraceIsAWalGap() {
        List<WindowBreak> breaks = WindowBreak.between(justAfterABackup().ranges(),
                at(45).plus(WindowBreak.UPLOAD_GRACE).plus(Duration.ofSeconds(1)));
        assertFalse(breaks.get(0).awaitingUpload());
        assertEquals("WAL gap", breaks.get(0).describe());
    }

    @Test
    void oneRangeHasNoBreak() {
        assertTrue(WindowBreak.between(List.of(new TimeRange(at(21), at(21))), at(22)).isEmpty());
    }
}
