package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.testkit.time.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 18: a replica that gets many instances at once starts their sessions at a bounded rate. */
class StartGateTest {

    @Test
    void startsAreSpacedByTheRateWithJitterOnTop() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T18:00:00Z"));
        StartGate gate = new StartGate(new StreamStartSettings(10, Duration.ofMillis(50), 4), clock);
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            waits.add(gate.reserve());
        }
        for (int i = 0; i < 100; i++) {
            Duration slot = Duration.ofMillis(100L * i);
            Duration wait = waits.get(i);
            assertTrue(wait.compareTo(slot) >= 0 && wait.compareTo(slot.plusMillis(50)) <= 0, i + ": " + wait);
        }
        clock.advance(Duration.ofSeconds(60));
        assertTrue(gate.reserve().compareTo(Duration.ofMillis(50)) <= 0, "after a quiet minute a start goes at once");
    }

    @Test
    void atMostMaxConcurrentSessionsAreStartingAndAStopEndsTheWait() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-07T18:00:00Z"));
        StartGate gate = new StartGate(new StreamStartSettings(100, Duration.ZERO, 2), clock);
        StopSignal stop = new StopSignal(clock);
        StartGate.Permit a = gate.acquire(stop);
        StartGate.Permit b = gate.acquire(stop);
        assertEquals(2, gate.starting());
        stop.request(false);
        assertNull(gate.acquire(stop), "a third waits until a stop ends its wait");
        a.close();
        a.close(); // twice is harmless
        assertEquals(1, gate.starting());
        b.close();
        assertEquals(0, gate.starting());
    }
}
