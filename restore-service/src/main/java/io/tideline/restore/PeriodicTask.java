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

    public void stop() {
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
    }
}
