package io.tideline.core.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsumerHealthReportTest {

    private static final Instant T = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void aStalledGroupIsDownNamingGroupPartitionOffsetsAndSince() {
        ConsumerStalls.Stall stall = new ConsumerStalls.Stall("archiver", "tideline.backup-commands", 2, 10, 17, T, "7 records not consumed");

        ConsumerHealthReport report = ConsumerHealthReport.of(Map.of(),
                Optional.of(new ConsumerStallMonitor.Check(T.plusSeconds(400), List.of(stall), Optional.empty())));

        assertTrue(report.down());
        assertEquals(Map.of("archiver tideline.backup-commands-2", "no progress since 2026-12-07T12:00:00Z at committed offset 10, "
                + "end offset 17: 7 records not consumed"), report.details());
    }

    @Test
    void aBrokerThatDoesNotAnswerIsSaidButIsNoStall() {
        ConsumerHealthReport report = ConsumerHealthReport.of(Map.of(),
                Optional.of(new ConsumerStallMonitor.Check(T, List.of(), Optional.of("describe groups: no answer within PT3S"))));

        assertFalse(report.down());
        assertEquals("consumer groups not checked at 2026-12-07T12:00:00Z: describe groups: no answer within PT3S",
                report.details().get("broker"));
    }

    @Test
    void noLookYetAndNothingHeldIsUp() {
        assertFalse(ConsumerHealthReport.of(Map.of(), Optional.empty()).down());
    }
}
