package io.tideline.core.verify;

import java.time.Duration;

/**
 * How fast a verification may read: at most {@code bytesPerSecond} over the whole run, shared by all its
 * reader threads (the background verifier must not take the bandwidth backups and restores need). A
 * reader asks {@link #take} after each buffer it read and is held until the average is back under the
 * limit. Thread-safe.
 */
public final class Pace {

    private final long bytesPerSecond;
    private final long startNanos = System.nanoTime();
    private long taken;

    private Pace(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    /** No limit: the CLI's verify reads as fast as the store answers. */
    public static Pace unlimited() {
        return new Pace(0);
    }

    public static Pace of(long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("a pace is a positive number of bytes per second, not " + bytesPerSecond);
        }
        return new Pace(bytesPerSecond);
    }

    /** Accounts {@code bytes} read and sleeps until the run is back at or under its rate. */
    public void take(long bytes) throws InterruptedException {
        if (bytesPerSecond == 0) {
            return;
        }
        long due;
        synchronized (this) {
            taken += bytes;
            due = startNanos + Duration.ofSeconds(taken / bytesPerSecond).toNanos()
                    + (taken % bytesPerSecond) * 1_000_000_000L / bytesPerSecond;
        }
        long wait = due - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
