package io.tideline.restore.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.window.RestorableWindow;
import io.tideline.restore.RestoreFixtures;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A drill restores the window's oldest moment and a random moment inside it, never outside. */
class DrillTargetsTest {

    private final RestorableWindow window = RestorableWindow.of(RestoreFixtures.twoBackupsAndAPartial());

    @Test
    void theOldestMomentIsTheWindowsStartAndTheRandomOneIsAlwaysRestorable() {
        SplittableRandom random = new SplittableRandom(15);
        Instant from = window.from().orElseThrow();
        Instant to = window.to().orElseThrow();
        boolean sawMiddle = false;
        for (int i = 0; i < 500; i++) {
            List<DrillTargets.Target> targets = DrillTargets.choose(window, random);
            assertEquals(List.of("oldest", "random"), targets.stream().map(DrillTargets.Target::name).toList());
            assertEquals(from, targets.get(0).time());
            Instant t = targets.get(1).time();
            assertTrue(window.isRestorable(t), t + " is outside " + window.ranges());
            assertEquals(0, t.getNano() % 1_000_000, "milliseconds, as events carry them: " + t);
            sawMiddle |= t.isAfter(from.plusSeconds(60)) && t.isBefore(to.minusSeconds(60));
        }
        assertTrue(sawMiddle, "the random moment spreads over the window");
    }
}
