package io.tideline.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class LogLimiterTest {

    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-07T12:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void aRepeatedLineIsLetThroughAFewTimesPerWindowThenCounted() {
        LogLimiter limiter = new LogLimiter(Duration.ofMinutes(1), 3, clock);

        long admitted = 0;
        for (int i = 0; i < 100_000; i++) {
            if (limiter.admit("cannot dead-letter t-0@5") >= 0) {
                admitted++;
            }
        }
        assertEquals(3, admitted);

        now.set(now.get().plusSeconds(61));
        assertEquals(99_997, limiter.admit("cannot dead-letter t-0@5"), "the next line says how many were left out");
        assertEquals(0, limiter.admit("cannot dead-letter t-0@5"));
    }

    @Test
    void otherKeysHaveTheirOwnAllowance() {
        LogLimiter limiter = new LogLimiter(Duration.ofMinutes(1), 1, clock);

        assertEquals(0, limiter.admit("a"));
        assertEquals(-1, limiter.admit("a"));
        assertEquals(0, limiter.admit("b"), "one noisy record does not silence another");
    }

    @Test
    void itRemembersABoundedNumberOfKeys() {
        LogLimiter limiter = new LogLimiter(Duration.ofMinutes(1), 1, clock);
        limiter.admit("first");
        for (int i = 0; i < LogLimiter.MAX_KEYS; i++) {
            limiter.admit("key " + i);
        }
        assertEquals(0, limiter.admit("first"), "forgotten, so let through again");
    }
}
