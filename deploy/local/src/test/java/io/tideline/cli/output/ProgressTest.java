package io.tideline.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void aKnownTotalDrawsAProportionalBar() {
        String line = Progress.render("replaying WAL", 50, 200, 65);
        assertTrue(line.startsWith("[" + "#".repeat(8) + ".".repeat(22) + "]  25%"), line);
        assertTrue(line.endsWith("replaying WAL  01:05"), line);
    }

    @Test
    void anUnknownTotalShowsAMovingMarkerAndTheElapsedTime() {
        String first = Progress.render("copying", 0, 0, 0);
        String later = Progress.render("copying", 0, 0, 5);
        assertTrue(first.startsWith("[#"), first);
        assertTrue(later.startsWith("[.....#"), later);
        assertTrue(later.endsWith("copying  00:05"), later);
    }

    @Test
    void withoutATerminalOnlyPhaseChangesArePrinted() {
        StringWriter text = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(text, true), false)) {
            p.update("waiting", 0, 0);
            p.update("waiting", 0, 0);
            p.update("copying", 1024, 4096);
        }
        assertEquals(java.util.List.of("  waiting", "  copying  (1.0 KiB of 4.0 KiB)"), text.toString().lines().toList());
    }

    @Test
    void offATerminalAPhaseStartsWithItsTotalNotWithZeroOfIt() {
        StringWriter text = new StringWriter();
        long[] now = {0};
        try (Progress p = new Progress(new PrintWriter(text, true), false, () -> 80, () -> now[0])) {
            p.update("restoring backup", "downloading", 0, 4 * MIB);
            now[0] = SECOND;
            p.update("restoring backup", "downloading", MIB / 2, 4 * MIB);
            now[0] = 2 * SECOND;
            p.update("restoring backup", "still downloading", 2 * MIB, 4 * MIB);
            p.update("restoring backup", 2 * MIB + 1, 4 * MIB);
            now[0] = 4 * SECOND;
            p.update("restoring backup", 5 * MIB, 4 * MIB);
            p.update("replaying WAL", 0, 0);
        }
        assertEquals(java.util.List.of(
                "  restoring backup: downloading  (4.0 MiB)",
                "  restoring backup   50%  2.0 MiB / 4.0 MiB  1.0 MiB/s",
                "  restoring backup  100%  4.0 MiB / 4.0 MiB  1.0 MiB/s",
                "  replaying WAL"), text.toString().lines().toList());
        assertFalse(text.toString().contains("0 B of"), text.toString());
    }

    static final long MIB = 1024 * 1024;
    static final long SECOND = 1_000_000_000L;

    @Test
    void neverMoreThanTheTotal() {
        String line = Progress.render("replaying WAL", new Progress.Figures(48 * MIB, 21 * MIB, true, 5), 7, 160);
        assertTrue(line.contains("100%  21.0 MiB / 21.0 MiB"), line);
        assertFalse(line.contains("48.0"), line);
        assertFalse(line.contains("left"), "no time left once at the total: " + line);
    }

    @Test
    void speedAndTimeLeft() {
        String line = Progress.render("restoring backup", new Progress.Figures(10 * MIB, 40 * MIB, true, 5), 7, 160);
        assertTrue(line.contains("25%  10.0 MiB / 40.0 MiB  2.0 MiB/s  00:15 left  restoring backup  00:07"), line);
    }

    @Test
    void noLineIsWiderThanTheTerminal() {
        String phase = "replaying wal: 123 WAL segments (replaying WAL to 2026-12-07T10:15:30Z, fetched from bucket tideline-orders)";
        for (int columns = 20; columns <= 200; columns++) {
            for (long done : new long[] {0, 1, 5 * MIB, 300 * MIB}) {
                for (long total : new long[] {0, 187 * MIB}) {
                    String line = Progress.render(phase, new Progress.Figures(done, total, true, 3), 4000, columns);
                    assertTrue(line.length() < columns, columns + " columns: " + line.length() + " " + line);
                }
            }
        }
        String narrow = Progress.render(phase, new Progress.Figures(5 * MIB, 187 * MIB, true, 3), 12, 80);
        assertTrue(narrow.startsWith("["), "80 columns keep the bar: " + narrow);
        assertTrue(narrow.contains("2%  5.0 MiB / 187.0 MiB"), narrow);
        assertTrue(narrow.contains(" left  replaying wal"), "time left kept: " + narrow);
        assertTrue(narrow.endsWith("…"), "the phase is shortened: " + narrow);
    }

    @Test
    void atEightyColumnsALongPhaseGivesWayToSpeedAndTimeLeft() {
        String phase = "restoring backup: downloading and unpacking backup 20261207T154212Z-5cdb3b (1 part(s))";
        String line = Progress.render(phase, new Progress.Figures(10 * MIB, 40 * MIB, true, 5), 7, 80);
        assertTrue(line.length() < 80, line);
        assertTrue(line.startsWith("[##"), "the bar is kept: " + line);
        assertTrue(line.contains("2.0 MiB/s  00:15 left  restoring backup"), line);
        assertTrue(line.endsWith("…"), "the phase is shortened, after the elapsed clock was dropped: " + line);
    }

    @Test
    void redrawsFitTheTerminalAndBlankOnlyWithinIt() {
        StringWriter text = new StringWriter();
        long[] now = {0};
        int[] columns = {120};
        try (Progress p = new Progress(new PrintWriter(text, true), true, () -> columns[0], () -> now[0])) {
            p.update("a long phase name that goes on and on and on and on and on and on", 0, 100 * MIB);
            columns[0] = 40;
            now[0] = SECOND;
            p.update("short", 10 * MIB, 100 * MIB);
        }
        String[] draws = text.toString().split("\r");
        assertTrue(draws[draws.length - 2].length() < 40, "the redraw after the resize: '" + draws[draws.length - 2] + "'");
        for (String draw : draws) {
            assertTrue(draw.length() < 120, draw);
        }
    }

    @Test
    void countsAreShownAsPlainNumbers() {
        StringWriter text = new StringWriter();
        try (Progress p = new Progress(new PrintWriter(text, true), false)) {
            p.updateCount("writing orders", 10_000, 40_000);
        }
        assertEquals("  writing orders  (10000 of 40000)", text.toString().strip().replaceFirst("^", "  "));
        assertTrue(Progress.render("rows", 1, 4, 0, false).contains("25%  1 / 4"));
    }

    @Test
    void bytesInBinaryUnits() {
        assertEquals("512 B", Progress.bytes(512));
        assertEquals("1.5 MiB", Progress.bytes(1536 * 1024));
    }
}
