package io.tideline.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code status} (and the status {@code up} prints) waits for each part as long as $TIDELINE_ANSWER_TIMEOUT says, as every
 * other client command does: it used a fixed 5 s, and on a loaded machine said "kafka not answering" right after a
 * successful {@code up} (CliUpDownIT, 2026-12-08).
 */
class StatusProbeTimeoutTest {

    @Test
    void fiveSecondsUnlessTheEnvironmentSaysOtherwise() {
        assertEquals(Duration.ofSeconds(5), StatusReport.probeTimeout(Map.of()));
        assertEquals(Duration.ofSeconds(5), StatusReport.probeTimeout(Map.of(NoAnswer.TIMEOUT_ENV, " ")));
        assertEquals(Duration.ofSeconds(60), StatusReport.probeTimeout(Map.of(NoAnswer.TIMEOUT_ENV, "60s")));
        CliException bad = assertThrows(CliException.class, () -> StatusReport.probeTimeout(Map.of(NoAnswer.TIMEOUT_ENV, "soon")));
        assertEquals(ExitCodes.USAGE, bad.exitCode());
        assertTrue(bad.getMessage().startsWith("$TIDELINE_ANSWER_TIMEOUT: "), bad.getMessage());
    }
}
