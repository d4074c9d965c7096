package io.tideline.restore;

import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.RestoreId;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs accepted restores, at most {@code max-concurrent-restores} at once (the others wait for a free
 * restore thread, already accepted), and knows which restores run on this replica. A restore counts as
 * running from its {@link #claim} (before {@code RestoreAccepted} is published: its new name is taken and it
 * is never mistaken for abandoned) until its run has ended; their progress is published by its
 * {@link ProgressHeartbeat}. Threads (the restores' and the heartbeat's) exist between {@link #start} and
 * {@link #stop}.
 */
@Singleton
@Requires(property = RestoreConfiguration.ENABLED, notEquals = "false")
final class RestoreRunner {

    private final int threads;
    private final Restorer restorer;
    private final ProgressHeartbeat heartbeat;
    private final Map<RestoreId, RunningRestore> running = new ConcurrentHashMap<>();
    private volatile ExecutorService pool;

    RestoreRunner(RestoreConfiguration config, Restorer restorer, RestoreEvents events, Clock clock) {
        this.threads = config.maxConcurrentRestores();
        this.restorer = restorer;
        this.heartbeat = new ProgressHeartbeat(config, this::running, events, clock);
    }

    @PostConstruct
    void start() {
        AtomicInteger n = new AtomicInteger();
        pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "restore-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        heartbeat.start();
    }

    @PreDestroy
    void stop() {
        heartbeat.stop();
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
    }

    /** What publishes the progress of the restores running here (started and stopped with this runner). */
    ProgressHeartbeat heartbeat() {
        return heartbeat;
    }

    /** Counts {@code plan}'s restore as running here from now; nothing runs until {@link #launch}. */
    RunningRestore claim(RestorePlan plan) {
        RunningRestore run = new RunningRestore(plan);
        if (running.putIfAbsent(plan.restoreId(), run) != null) {
            throw new IllegalStateException("restore " + plan.restoreId() + " runs here already");
        }
        return run;
    }

    /** Forgets a claim whose acceptance could not be published (nothing was made). */
    void release(RestoreId id) {
        running.remove(id);
    }

    /** Announces the claimed restore (its progress is published from now) and runs it on a free restore thread. */
    void launch(RunningRestore run) {
        ExecutorService p = pool;
        if (p == null) {
            throw new IllegalStateException("the restore runner has not been started");
        }
        run.announce();
        p.execute(() -> {
            try {
                restorer.run(run.plan(), run.tracker());
            } finally {
                running.remove(run.restoreId());
            }
        });
    }

    /**
     * Cancels a restore running (or waiting for a thread) here; it stops at its next step and removes what it
     * made. False when it does not run here (already ended, or never accepted).
     */
    boolean cancel(RestoreId id, String by) {
        RunningRestore run = running.get(id);
        if (run == null) {
            return false;
        }
        run.tracker().cancel(by);
        return true;
    }

    boolean runs(RestoreId id) {
        return running.containsKey(id);
    }

    /** The restores running here now (claimed, waiting for a thread, or under way). */
    Collection<RunningRestore> running() {
        return List.copyOf(running.values());
    }
}
