package io.tideline.archiver.wal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A stream's stop request, set from any thread and read by the stream's own: whether a stop was
 * asked for, whether the growing segment is to be stored first, and how long that final flush may
 * take. Once raised it stays raised; a single request without flush wins over any with.
 */
final class StopSignal implements Pauses {

    private final Clock clock;
    private final CountDownLatch raised = new CountDownLatch(1);
    private volatile boolean flush = true;
    private volatile Instant requestedAt;

    StopSignal(Clock clock) {
        this.clock = clock;
    }

    void request(boolean flushFirst) {
        if (requestedAt == null) {
            requestedAt = clock.instant();
        }
        flush = flush && flushFirst;
        raised.countDown();
    }

    boolean isRequested() {
        return raised.getCount() == 0;
    }

    /** Whether the growing segment is to be stored before the stream stops. */
    boolean flushFirst() {
        return flush;
    }

    /** When the final flush of a graceful stop must give up: four fifths into the stop timeout, leaving time to stop. */
    Instant finalFlushDeadline(Duration stopTimeout) {
        Instant requested = requestedAt == null ? clock.instant() : requestedAt;
        return requested.plus(stopTimeout.multipliedBy(4).dividedBy(5));
    }

    @Override
    public void untilStopOr(Duration wait) {
        try {
            raised.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            // An interrupted stream thread is being cut: treat it as a stop.
            Thread.currentThread().interrupt();
            raised.countDown();
        }
    }

    @Override
    public void sleep(Duration wait) throws InterruptedException {
        Thread.sleep(wait.toMillis());
    }
}
