package io.tideline.core.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RestoreTargetTest {

    @ParameterizedTest
    @ValueSource(strings = {"latest", "LATEST", " Latest "})
    void latestInAnyCase(String text) {
        assertInstanceOf(RestoreTarget.Latest.class, RestoreTarget.parse(text));
        assertEquals("latest", RestoreTarget.parse(text).asEventText());
        assertTrue(RestoreTarget.parse(text).targetTime().isEmpty());
    }

    /** The CLI's {@code --to} refusals (it parses with this type too): each shows the format with an example. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-05T10:15:30  | 2026-11-05T10:15:30Z",
            "yesterday            | 2026-11-24T08:15:30Z",
            "2026-13-05T10:15:30Z | 2026-11-24T08:15:30Z",
            "''                   | 2026-11-24T08:15:30Z",
    })
    void refusalsShowTheFormatWithAnExample(String text, String example) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(text), text);
        assertTrue(e.getMessage().contains(example), e.getMessage());
    }

    @Test
    void theFactoriesMakeWhatParseMakes() {
        assertEquals(RestoreTarget.parse("latest"), RestoreTarget.latest());
        assertEquals(RestoreTarget.parse("2026-11-05T10:15:30+01:00"), RestoreTarget.at(Instant.parse("2026-11-05T09:15:30Z")));
    }

    @ParameterizedTest
    @CsvSource({
            "2026-11-24T08:15:30Z,           2026-11-24T08:15:30Z",
            "2026-11-24T08:15:30.123456Z,    2026-11-24T08:15:30.123456Z",
            "2026-11-24T10:15:30+02:00,      2026-11-24T08:15:30Z",
            "2026-11-24T03:15:30-05:00,      2026-11-24T08:15:30Z",
            "2026-11-24T09:15:30+01:00[Europe/Paris], 2026-11-24T08:15:30Z",
    })
    void zonedTimesBecomeUtcInstants(String text, String utc) {
        RestoreTarget target = RestoreTarget.parse(text);
        assertEquals(Instant.parse(utc), target.targetTime().orElseThrow());
        assertEquals(utc, target.asEventText(), "events carry the normalized UTC instant");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2026-11-24T08:15:30 | no time zone",
            "2026-11-24T08:15    | no time zone",
            "2026-11-24          | a date, not a moment",
            "yesterday           | not a time Tideline understands",
            "2026-11-24 08:15:30Z| not a time Tideline understands",
            "2026-13-01T00:00:00Z| not a time Tideline understands",
            "''                  | no target time given",
    })
    void malformedOrAmbiguousTimesAreRefusedWithAReason(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(text));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }
}
