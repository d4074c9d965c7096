package io.tideline.core.rto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReplayRatesTest {

    private static final long MIB = 1024 * 1024;
    private static final Instant T0 = Instant.parse("2026-12-08T10:00:00Z");

    @Test
    void theDefaultUntilSomethingWasMeasuredThenTheInstancesOwnElseTheFleets() {
        ReplayRates rates = new ReplayRates(16 * MIB, 64 * MIB);
        assertEquals(new ReplayRate(16 * MIB, 0), rates.rateFor("a"));
        assertEquals("16.0 MiB/s (default: no replay measured yet)", rates.rateFor("a").describe());

        assertTrue(rates.record(new ReplayRates.Measurement("b", 320 * MIB, 10_000, T0)));      // 32 MiB/s
        assertEquals(new ReplayRate(32 * MIB, 1), rates.rateFor("a"), "the fleet's before the instance has its own");

        assertTrue(rates.record(new ReplayRates.Measurement("a", 640 * MIB, 10_000, T0)));      // 64 MiB/s
        assertEquals(new ReplayRate(64 * MIB, 1), rates.rateFor("a"));
        assertEquals(new ReplayRate(32 * MIB, 2), rates.rateFor("c"), "the slowest of the fleet's");
    }

    @Test
    void smallReplaysAreNotMeasurementsAndOnlyTheLastFiveCount() {
        ReplayRates rates = new ReplayRates(16 * MIB, 64 * MIB);
        assertFalse(rates.record(new ReplayRates.Measurement("a", 63 * MIB, 60_000, T0)), "mostly start-up time");
        assertFalse(rates.record(new ReplayRates.Measurement("a", 640 * MIB, 0, T0)));
        assertEquals(0, rates.rateFor("a").measurements());

        rates.record(new ReplayRates.Measurement("a", 100 * MIB, 100_000, T0));                  // 1 MiB/s, then pushed out
        for (int i = 0; i < ReplayRates.KEPT; i++) {
            rates.record(new ReplayRates.Measurement("a", 800 * MIB, 10_000, T0));               // 80 MiB/s
        }
        assertEquals(new ReplayRate(80 * MIB, ReplayRates.KEPT), rates.rateFor("a"));
    }

    @Test
    void aPassedDrillsRunsAreMeasurementsToo() {
        ReplayRates rates = new ReplayRates(16 * MIB, 64 * MIB);
        io.tideline.schemas.RestoreDrillRun measured = io.tideline.schemas.RestoreDrillRun.newBuilder().setTarget("oldest")
                .setTargetTime(T0).setBackupId("b").setDrillInstanceId("a-d-12345678").setRtoMillis(1).setPhases(java.util.List.of())
                .setChecks(java.util.List.of()).setWalBytesReplayed(480 * MIB).setWalReplayMillis(10_000L).build();
        io.tideline.schemas.RestoreDrillRun notMeasured = io.tideline.schemas.RestoreDrillRun.newBuilder(measured)
                .setWalBytesReplayed(null).setWalReplayMillis(null).build();
        rates.record(io.tideline.schemas.RestoreDrillCompleted.newBuilder().setEventId(java.util.UUID.randomUUID()).setInstanceId("a")
                .setOccurredAt(T0).setDrillId("d").setStartedAt(T0).setPolicy(io.tideline.core.registry.DrillPolicy.DEFAULT.toEvent())
                .setRtoMillis(1).setRuns(java.util.List.of(measured, notMeasured)).build());
        assertEquals(new ReplayRate(48 * MIB, 1), rates.rateFor("a"));
    }

    @Test
    void replayTimeRoundsUp() {
        assertEquals(Duration.ofSeconds(2), new ReplayRate(16 * MIB, 0).timeFor(16 * MIB + 1));
        assertEquals(Duration.ZERO, new ReplayRate(16 * MIB, 0).timeFor(0));
        assertThrows(IllegalArgumentException.class, () -> new ReplayRate(0, 0));
    }
}
