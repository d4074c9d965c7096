package io.tideline.restore;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A task run every {@code period} on a daemon thread of its own, between {@link #start} and {@link #stop};
 * nothing runs before {@link #start}, so its owner can be built and tested without threads. The task must
 * not throw (a scheduled task that throws is never run again).
 */
public final class PeriodicTask {

    private final String threadName;
    private final Duration period;
    private final Runnable task;
    private volatile ScheduledExecutorService timer;

    public PeriodicTask(String threadName, Duration period, Runnable task) {
        this.threadName = threadName;
        this.period = period;
        this.task = task;
    }

    public void start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Lets a run in progress end on its own for up to {@code grace} (no further run starts), then interrupts it and
     * waits as long again: for a task whose run must clean up after itself before its owner's resources close.
     */
    public void stopAndWait(Duration grace) {
        ScheduledExecutorService t = timer;
        if (t == null) {
            return;
        }
        t.shutdown();
        try {
            if (!t.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                t.shutdownNow();
                t.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            t.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    public void stop() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
