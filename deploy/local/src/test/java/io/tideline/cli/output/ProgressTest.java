package io.tideline.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
