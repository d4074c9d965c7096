package io.tideline.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimelineHistoryTest {

    private static final long MB16 = 16L << 20;

    // What PostgreSQL 15 wrote after two point-in-time restores (the second file copies the first and appends).
    private static final String TLI3 = """
            1\t0/3000158\tbefore 2026-11-24 08:00:00.123456+00
            
            2\t0/5A000000\tno recovery target specified
            """;

    @Test
    void parsesWhatTheServerWrites() {
        TimelineHistory h = TimelineHistory.parse(3, TLI3);
        assertEquals(3, h.timeline());
        assertEquals(List.of(
                new TimelineHistory.Entry(1, Lsn.parse("0/3000158"), "before 2026-11-24 08:00:00.123456+00"),
                new TimelineHistory.Entry(2, Lsn.parse("0/5A000000"), "no recovery target specified")), h.entries());
        assertEquals(List.of(1L, 2L, 3L), h.timelines());
        assertTrue(h.contains(2));
        assertFalse(h.contains(4));
    }

    @Test
    void formatRoundTrips() {
        TimelineHistory h = TimelineHistory.parse(3, TLI3);
        String formatted = h.format();
        assertEquals("1\t0/3000158\tbefore 2026-11-24 08:00:00.123456+00\n2\t0/5A000000\tno recovery target specified\n", formatted);
        assertEquals(h, TimelineHistory.parse(3, formatted));
    }

    @Test
    void toleratesCommentsBlankLinesSpacesAndMissingReason() {
        TimelineHistory h = TimelineHistory.parse(5, "# written by hand\r\n  \n  1   0/1000000\n4\t1/0\t  reason with\ttabs  \n");
        assertEquals(2, h.entries().size());
        assertEquals("", h.entries().get(0).reason());
        assertEquals("reason with\ttabs", h.entries().get(1).reason());
        assertEquals(Lsn.parse("1/0"), h.entries().get(1).switchPoint());
    }

    @Test
    void timelineOneHasNoAncestors() {
        TimelineHistory h = TimelineHistory.parse(1, "");
        assertEquals(TimelineHistory.initial(), h);
        assertEquals(List.of(1L), h.timelines());
        assertEquals(1, h.timelineAt(Lsn.MAX));
        assertEquals(Optional.empty(), h.switchPointOf(1));
    }

    @Test
    void findsTheTimelineOfAPositionWithTheSwitchPointBelongingToTheChild() {
        TimelineHistory h = TimelineHistory.parse(3, TLI3);
        assertEquals(1, h.timelineAt(Lsn.ZERO));
        assertEquals(1, h.timelineAt(Lsn.parse("0/3000157")));
        assertEquals(2, h.timelineAt(Lsn.parse("0/3000158")));
        assertEquals(2, h.timelineAt(Lsn.parse("0/59FFFFFF")));
        assertEquals(3, h.timelineAt(Lsn.parse("0/5A000000")));
        assertEquals(3, h.timelineAt(Lsn.MAX));
        assertEquals(Optional.of(Lsn.parse("0/3000158")), h.switchPointOf(1));
        assertEquals(Optional.of(Lsn.parse("0/5A000000")), h.switchPointOf(2));
        assertEquals(Optional.empty(), h.switchPointOf(3));
        assertThrows(IllegalArgumentException.class, () -> h.switchPointOf(7));
    }

    @Test
    void theSegmentOfASwitchIsReadFromTheNewTimeline() {
        TimelineHistory h = TimelineHistory.parse(3, TLI3);
        assertEquals("000000010000000000000002", h.segmentAt(Lsn.parse("0/2FFFFFF"), MB16).toString());
        // 0/3000158 is inside segment 3: the server reads 00000002...03, which holds timeline 1's WAL up to the switch.
        assertEquals("000000020000000000000003", h.segmentAt(Lsn.parse("0/3000000"), MB16).toString());
        assertEquals("000000020000000000000004", h.segmentAt(Lsn.parse("0/4000000"), MB16).toString());
        // The second switch is at a segment start: segment 5A belongs to timeline 3 entirely, 59 to timeline 2.
        assertEquals("000000020000000000000059", h.segmentAt(Lsn.parse("0/59FFFFFF"), MB16).toString());
        assertEquals("00000003000000000000005A", h.segmentAt(Lsn.parse("0/5A000000"), MB16).toString());
        assertEquals("000000030000000100000000", h.segmentAt(Lsn.parse("1/0"), MB16).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "x\t0/1\treason",            // timeline not a number
            "1\t\treason",               // no LSN
            "1",                         // only a timeline
            "1\t0/G\treason",            // bad LSN
            "1\t0/1\n1\t0/2",            // timeline ids not increasing
            "2\t0/5\n1\t0/6",            // timeline ids going down
            "1\t0/5\n2\t0/4",            // switch point going back
            "3\t0/5",                    // ancestor not older than the timeline itself
            "0\t0/5",                    // timeline 0 does not exist
    })
    void rejectsMalformedHistories(String content) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimelineHistory.parse(3, content));
        assertTrue(e.getMessage().contains("timeline 3"), e.getMessage());
    }

    @Test
    void namesHistoryFiles() {
        assertEquals("00000002.history", TimelineHistory.fileName(2));
        assertEquals("0000001A.history", TimelineHistory.fileName(26));
        assertEquals(26, TimelineHistory.timelineOfFileName("0000001A.history"));
        for (String bad : new String[] {"0000001a.history", "00000000.history", "1A.history", "0000001A.partial", "000000010000000000000001"}) {
            assertThrows(IllegalArgumentException.class, () -> TimelineHistory.timelineOfFileName(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> TimelineHistory.fileName(0));
    }
}
