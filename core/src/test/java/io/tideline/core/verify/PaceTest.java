package io.tideline.core.verify;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Issue 15: the background verifier reads no faster than its pace. */
class PaceTest {

    @Test
    void readingTwiceThePaceTakesAtLeastTwoSecondsMinusTheFirstBuffer() throws InterruptedException {
        Pace pace = Pace.of(1 << 20);
        long t0 = System.nanoTime();
        for (int i = 0; i < 8; i++) {
            pace.take(256 << 10); // 2 MiB in all at 1 MiB/s
        }
        assertTrue(System.nanoTime() - t0 >= 1_900_000_000L, "held until the average is back at the pace");
    }

    @Test
    void unlimitedNeverWaitsAndAPaceMustBePositive() throws InterruptedException {
        long t0 = System.nanoTime();
        Pace.unlimited().take(1L << 40);
        assertTrue(System.nanoTime() - t0 < 500_000_000L);
        assertThrows(IllegalArgumentException.class, () -> Pace.of(0));
    }
}
