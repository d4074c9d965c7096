package io.tideline.archiver.wal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Paces the stream sessions of one replica ({@link StreamStartSettings}): each start takes the next free
 * slot of the rate plus a random jitter, then one of {@code max-concurrent} permits, which it gives back
 * once it streams (or failed). Shared by every {@link InstanceStreamer} of the replica.
 */
final class StartGate {

    /** A permit to start a session; giving it back twice is harmless. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    private final StreamStartSettings settings;
    private final Clock clock;
    private final Duration interval;
    private final Semaphore starting;
    private Instant nextSlot = Instant.MIN;

    StartGate(StreamStartSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.interval = Duration.ofNanos(1_000_000_000L / settings.rate());
        this.starting = new Semaphore(settings.maxConcurrent());
    }

    static StartGate unpaced(Clock clock) {
        return new StartGate(StreamStartSettings.unpaced(), clock);
    }

    /** How long the caller must wait before its start: its slot of the rate, plus jitter. */
    synchronized Duration reserve() {
        Instant now = clock.instant();
        Instant slot = nextSlot.isAfter(now) ? nextSlot : now;
        nextSlot = slot.plus(interval);
        long jitterNanos = settings.jitter().isZero() ? 0 : ThreadLocalRandom.current().nextLong(settings.jitter().toNanos() + 1);
        return Duration.between(now, slot).plusNanos(jitterNanos);
    }

    /** Waits for a start permit, giving up (null) when {@code stopped} says so. */
    Permit acquire(StopSignal stopped) throws InterruptedException {
        while (!starting.tryAcquire(200, TimeUnit.MILLISECONDS)) {
            if (stopped.isRequested()) {
                return null;
            }
        }
        return new Permit() {
            private boolean released;

            @Override
            public synchronized void close() {
                if (!released) {
                    released = true;
                    starting.release();
                }
            }
        };
    }

    int starting() {
        return settings.maxConcurrent() - starting.availablePermits();
    }
}
