package io.tideline.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void parsesWhatPeopleType() {
        assertEquals(Duration.ofMillis(500), DurationText.parse("500ms"));
        assertEquals(Duration.ofSeconds(5), DurationText.parse("5s"));
        assertEquals(Duration.ofMinutes(2), DurationText.parse("2m"));
        assertEquals(Duration.ofHours(1), DurationText.parse("1h"));
        assertEquals(Duration.ofSeconds(5), DurationText.parse("PT5S"));
    }

    @Test
    void refusesGarbageWithAnExample() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationText.parse("soon"));
        assertEquals("not a duration (e.g. 5s, 500ms, 2m): 'soon'", e.getMessage());
    }

    @Test
    void formatsForPeople() {
        assertEquals("750 ms", DurationText.format(Duration.ofMillis(750)));
        assertEquals("12.3 s", DurationText.format(Duration.ofMillis(12_300)));
        assertEquals("3 min 05 s", DurationText.format(Duration.ofSeconds(185)));
    }
}
