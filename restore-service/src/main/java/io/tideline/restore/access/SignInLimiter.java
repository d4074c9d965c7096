package io.tideline.restore.access;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed sign-ins counted per user and address: after {@code attempts} failures within {@code window}, further
 * attempts of that pair are refused until the oldest failure leaves the window (the answer says when). Another
 * address, or the same address for another user, is not held up by it. A success clears the pair.
 */
public final class SignInLimiter {

    private final Map<String, Deque<Instant>> failures = new ConcurrentHashMap<>();
    private final Clock clock;
    private final int attempts;
    private final Duration window;

    public SignInLimiter(Clock clock, int attempts, Duration window) {
        this.clock = clock;
        this.attempts = attempts;
        this.window = window;
    }

    /** How long {@code user} from {@code address} must wait before trying again; empty when it may try now. */
    public Optional<Duration> wait(String user, String address) {
        Instant now = clock.instant();
        Deque<Instant> recent = failures.get(key(user, address));
        if (recent == null) {
            return Optional.empty();
        }
        synchronized (recent) {
            recent.removeIf(t -> !t.plus(window).isAfter(now));
            if (recent.size() < attempts) {
                return Optional.empty();
            }
            Duration left = Duration.between(now, recent.peekFirst().plus(window));
            return Optional.of(left.isNegative() || left.isZero() ? Duration.ofSeconds(1) : left);
        }
    }

    public void failed(String user, String address) {
        Instant now = clock.instant();
        Deque<Instant> recent = failures.computeIfAbsent(key(user, address), k -> new ArrayDeque<>());
        synchronized (recent) {
            recent.removeIf(t -> !t.plus(window).isAfter(now));
            recent.addLast(now);
        }
    }

    public void succeeded(String user, String address) {
        failures.remove(key(user, address));
    }

    private static String key(String user, String address) {
        return user + "\u0000" + address;
    }
}
