package io.tideline.scheduler.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WindowBandTest {

    @ParameterizedTest(name = "{0} -> start {1}, length {2}")
    @CsvSource({
            "00:00-24:00, 0,    1440",
            "00:00-00:00, 0,    1440",
            "01:00-05:00, 60,   240",
            "22:00-04:00, 1320, 360",
            "23:59-00:00, 1439, 1",
            "' 02:30-02:31 ', 150, 1",
    })
    void parses(String text, int start, int length) {
        assertEquals(new WindowBand(start, length), WindowBand.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1:00-2:00", "24:00-01:00", "00:60-01:00", "25:00-26:00", "00:00-24:01", "00:00", "x"})
    void rejectsMalformedText(String text) {
        assertThrows(IllegalArgumentException.class, () -> WindowBand.parse(text));
    }

    @Test
    void rejectsOutOfRangeComponents() {
        assertThrows(IllegalArgumentException.class, () -> new WindowBand(-1, 10));
        assertThrows(IllegalArgumentException.class, () -> new WindowBand(1440, 10));
        assertThrows(IllegalArgumentException.class, () -> new WindowBand(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new WindowBand(0, 1441));
        assertThrows(IllegalArgumentException.class, () -> WindowBand.parse(null));
    }

    @Test
    void wrappingBandContainsBothSidesOfMidnightOnly() {
        WindowBand night = WindowBand.parse("22:00-04:00");
        assertTrue(night.contains(22 * 60));
        assertTrue(night.contains(23 * 60 + 59));
        assertTrue(night.contains(0));
        assertTrue(night.contains(4 * 60 - 1));
        assertFalse(night.contains(4 * 60));
        assertFalse(night.contains(12 * 60));
        assertFalse(night.contains(22 * 60 - 1));
        assertEquals(0, night.minuteAt(120));
        assertEquals("22:00-04:00", night.toString());
    }

    @Test
    void minuteAtRejectsOffsetsOutsideTheBand() {
        WindowBand band = WindowBand.parse("01:00-02:00");
        assertEquals(60, band.minuteAt(0));
        assertEquals(119, band.minuteAt(59));
        assertThrows(IllegalArgumentException.class, () -> band.minuteAt(60));
        assertThrows(IllegalArgumentException.class, () -> band.minuteAt(-1));
    }
}
