package io.tideline.cli.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RestoreTargetTest {

    @Test
    void latestInAnyCase() {
        assertEquals("latest", RestoreTarget.parse("LATEST").asEventText());
        assertTrue(RestoreTarget.parse(" latest ").time().isEmpty());
    }

    @Test
    void aUtcTimeIsKeptToTheNanosecond() {
        assertEquals(Instant.parse("2026-11-05T10:15:30.123456Z"), RestoreTarget.parse("2026-11-05T10:15:30.123456Z").time().orElseThrow());
    }

    @Test
    void anOffsetIsConvertedToUtc() {
        assertEquals("2026-11-05T09:15:30Z", RestoreTarget.parse("2026-11-05T10:15:30+01:00").asEventText());
    }

    @Test
    void aTimeWithoutZoneOrGarbageIsRefusedWithTheFormat() {
        for (String bad : new String[] {"2026-11-05T10:15:30", "yesterday", "2026-13-05T10:15:30Z", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RestoreTarget.parse(bad), bad);
            assertTrue(e.getMessage().contains("2026-11-05T10:15:30Z"), e.getMessage());
        }
    }
}
