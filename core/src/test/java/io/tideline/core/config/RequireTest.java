package io.tideline.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class RequireTest {

    private static String failure(Executable check) {
        return assertThrows(IllegalArgumentException.class, check).getMessage();
    }

    @Test
    void failuresNameThePropertyTheRuleAndTheValueAsItIsWritten() {
        assertEquals("tideline.archiver.wal.flush-interval must be at least 1s, not 500ms",
                failure(() -> Require.atLeast(Duration.ofMillis(500), Duration.ofSeconds(1), "tideline.archiver.wal.flush-interval")));
        assertEquals("x.retry-max-delay must be at least x.retry-initial-delay (2m), not 90s",
                failure(() -> Require.atLeast(Duration.ofSeconds(90), "x.retry-initial-delay", Duration.ofMinutes(2), "x.retry-max-delay")));
        assertEquals("x.period must be positive, not 0s", failure(() -> Require.positive(Duration.ZERO, "x.period")));
        assertEquals("x.period must be positive, not null", failure(() -> Require.positive(null, "x.period")));
        assertEquals("x.grace must be zero or positive, not -1d", failure(() -> Require.notNegative(Duration.ofDays(-1), "x.grace")));
        assertEquals("x.level must be 1..19, not 20", failure(() -> Require.between(20, 1, 19, "x.level")));
        assertEquals("x.curl must be set, not ' '", failure(() -> Require.notBlank(" ", "x.curl")));
        assertEquals("x.band: no", failure(() -> Require.parsed("22-04", text -> {
            throw new IllegalArgumentException("no");
        }, "x.band")));
    }

    @Test
    void valuesWithinTheRulePass() {
        Require.atLeast(Duration.ofSeconds(1), Duration.ofSeconds(1), "x");
        Require.positive(Duration.ofNanos(1), "x");
        Require.notNegative(Duration.ZERO, "x");
        Require.between(1, 1, 19, "x");
        Require.between(19, 1, 19, "x");
        assertEquals(Integer.valueOf(7), Require.parsed("7", Integer::valueOf, "x"));
    }

    @Test
    void durationsReadAsTheyAreWritten() {
        assertEquals("90s", Require.text(Duration.ofSeconds(90)));
        assertEquals("5m", Require.text(Duration.ofMinutes(5)));
        assertEquals("7d", Require.text(Duration.ofDays(7)));
        assertEquals("1500ms", Require.text(Duration.ofMillis(1500)));
        assertEquals("PT0.0000001S", Require.text(Duration.ofNanos(100)));
    }

    @Test
    void defaultsReadAsMicronautBindsThem() {
        assertEquals(Duration.ofDays(7), Defaults.read("7d", Duration.class));
        assertEquals(256L * 1024 * 1024, Defaults.bytes("256MB"));
    }
}
