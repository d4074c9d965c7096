package io.tideline.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void columnsArePaddedToTheWidestCellAndNullsShowAsDash() {
        StringWriter text = new StringWriter();
        new Table("NAME", "PORT").row("orders", 5432).row("a", null).print(new PrintWriter(text));
        assertEquals(List.of("NAME    PORT", "orders  5432", "a       -"), text.toString().lines().toList());
    }

    @Test
    void timesInATableHaveOnePrecision() {
        StringWriter text = new StringWriter();
        new Table("STARTED", "CONSISTENT AT")
                .row(java.time.Instant.parse("2026-12-07T10:15:30.120Z"), java.time.Instant.parse("2026-12-07T10:15:31.123456789Z"))
                .row(java.time.Instant.parse("2026-12-07T10:15:30Z"), java.time.Instant.parse("2026-12-07T10:15:31.000001Z"))
                .print(new PrintWriter(text));
        assertEquals(List.of("STARTED                   CONSISTENT AT",
                "2026-12-07T10:15:30.120Z  2026-12-07T10:15:31.123Z",
                "2026-12-07T10:15:30.000Z  2026-12-07T10:15:31.000Z"), text.toString().lines().toList());
    }

    @Test
    void aRowOfTheWrongWidthIsABug() {
        assertThrows(IllegalArgumentException.class, () -> new Table("A", "B").row("only one"));
    }
}
