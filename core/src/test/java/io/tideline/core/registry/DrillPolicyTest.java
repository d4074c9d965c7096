package io.tideline.core.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An instance's restore drill policy: 'off' or an ISO-8601 period, and what travels in its registration. */
class DrillPolicyTest {

    @Test
    void parsesOffAndPeriodsAndRefusesTheRestWithTheRule() {
        assertEquals(Optional.empty(), DrillPolicy.parseEvery("off"));
        assertEquals(Optional.of(Duration.ofDays(1)), DrillPolicy.parseEvery("P1D"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), DrillPolicy.parseEvery(" PT30S "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DrillPolicy.parseEvery("weekly"));
        assertTrue(e.getMessage().contains("'off' or an ISO-8601 duration"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DrillPolicy.parseEvery("PT0S"));
        assertThrows(IllegalArgumentException.class, () -> DrillPolicy.parseEvery("-P1D"));
    }

    @Test
    void theDefaultIsWeeklyAndTravelsAsNullSoOldRegistrationsReadTheSame() {
        assertEquals("P7D", DrillPolicy.DEFAULT.everyText());
        assertEquals(DrillPolicy.DEFAULT, DrillPolicy.from(null));
        DrillPolicy custom = DrillPolicy.every(Duration.ofHours(12)).withProbe("SELECT count(*) FROM orders", "42");
        assertEquals(custom, DrillPolicy.from(custom.toEvent()));
        assertEquals(DrillPolicy.off(), DrillPolicy.from(DrillPolicy.off().toEvent()));
        assertEquals("PT12H", custom.everyText());
    }

    @Test
    void dueOnePeriodAfterTheLaterOfRegistrationAndTheLastGoodDrill() {
        Instant registered = Instant.parse("2026-12-01T00:00:00Z");
        DrillPolicy daily = DrillPolicy.every(Duration.ofDays(1));
        assertEquals(Optional.of(registered.plus(Duration.ofDays(1))), daily.dueBy(registered, Optional.empty()));
        assertEquals(Optional.of(registered.plus(Duration.ofDays(3))), daily.dueBy(registered, Optional.of(registered.plus(Duration.ofDays(2)))));
        assertEquals(Optional.empty(), DrillPolicy.off().dueBy(registered, Optional.empty()));
    }
}
