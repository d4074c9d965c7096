package io.tideline.restore.drill;

import io.tideline.core.window.RestorableWindow;
import io.tideline.core.window.TimeRange;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The moments a drill restores to (pure): the window's oldest moment — the end of the oldest kept backup, the
 * restore that depends on the most stored WAL and the oldest backup — and a random moment of the window, drawn
 * uniformly over its ranges (a WAL gap is never drawn). Milliseconds, as events carry them; the oldest moment
 * is rounded up so it stays inside the window.
 */
final class DrillTargets {

    /** One moment to restore to, and its name in events ('oldest' or 'random'). */
    record Target(String name, Instant time) {
    }

    static final String OLDEST = "oldest";
    static final String RANDOM = "random";

    private DrillTargets() {
    }

    /** Both targets of a non-empty window, oldest first. */
    static List<Target> choose(RestorableWindow window, RandomGenerator random) {
        if (window.isEmpty()) {
            throw new IllegalArgumentException("an empty window has no moment to restore to");
        }
        Instant oldest = ceilMillis(window.from().orElseThrow());
        if (!window.isRestorable(oldest)) {
            oldest = window.from().orElseThrow();
        }
        return List.of(new Target(OLDEST, oldest), new Target(RANDOM, randomMoment(window, random)));
    }

    private static Instant randomMoment(RestorableWindow window, RandomGenerator random) {
        long totalMillis = window.ranges().stream().mapToLong(r -> Duration.between(r.from(), r.to()).toMillis()).sum();
        long pick = totalMillis <= 0 ? 0 : random.nextLong(totalMillis + 1);
        for (TimeRange r : window.ranges()) {
            long length = Duration.between(r.from(), r.to()).toMillis();
            if (pick <= length) {
                Instant t = ceilMillis(r.from()).plusMillis(pick);
                return r.contains(t) ? t : r.from();
            }
            pick -= length + 1;
        }
        return window.from().orElseThrow();
    }

    private static Instant ceilMillis(Instant t) {
        Instant down = t.truncatedTo(ChronoUnit.MILLIS);
        return down.equals(t) ? t : down.plusMillis(1);
    }
}
