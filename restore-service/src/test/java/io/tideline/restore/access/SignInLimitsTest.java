package io.tideline.restore.access;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 14.2: failed sign-ins held per user and address; sessions expire when idle; next= stays on this site. */
class SignInLimitsTest {

    private Instant now = Instant.parse("2026-12-07T21:00:00Z");
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
            return now;
        }
    };

    @Test
    void fiveFailuresAMinuteThenWaitPerUserAndAddress() {
        SignInLimiter limiter = new SignInLimiter(clock, 5, Duration.ofMinutes(1));
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), limiter.wait("vera", "10.0.0.1"));
            limiter.failed("vera", "10.0.0.1");
            now = now.plusSeconds(1);
        }
        Duration wait = limiter.wait("vera", "10.0.0.1").orElseThrow();
        assertEquals(Duration.ofSeconds(55), wait, "until the first failure leaves the window");
        assertEquals(Optional.empty(), limiter.wait("vera", "10.0.0.2"), "another address");
        assertEquals(Optional.empty(), limiter.wait("alice", "10.0.0.1"), "another user");
        now = now.plusSeconds(56);
        assertEquals(Optional.empty(), limiter.wait("vera", "10.0.0.1"));
        limiter.failed("vera", "10.0.0.1");
        limiter.succeeded("vera", "10.0.0.1");
        assertEquals(Optional.empty(), limiter.wait("vera", "10.0.0.1"));
    }

    @Test
    void aSessionEndsAfterItsIdleTimeoutAndUseRestartsTheClock() {
        SignInSessions sessions = new SignInSessions(clock, Duration.ofMinutes(30));
        SignInSessions.Session s = sessions.open("vera");
        now = now.plus(Duration.ofMinutes(29));
        assertTrue(sessions.use(s.id()).isPresent());
        now = now.plus(Duration.ofMinutes(29));
        assertTrue(sessions.peek(s.id()).isPresent(), "used 29 min ago");
        now = now.plus(Duration.ofMinutes(2));
        assertTrue(sessions.use(s.id()).isEmpty(), "idle 31 min");
        assertTrue(sessions.peek(s.id()).isEmpty());
    }

    @Test
    void nextStaysOnThisSite() {
        assertEquals("/backups/shop", SignInController.safeNext("/backups/shop"));
        assertEquals("/backups", SignInController.safeNext("//evil.example/x"));
        assertEquals("/backups", SignInController.safeNext("https://evil.example/"));
        assertEquals("/backups", SignInController.safeNext("/\\evil.example"));
        assertEquals("/backups", SignInController.safeNext(null));
        assertEquals("vera?evil", SignInController.printable("vera\nevil"));
    }
}
