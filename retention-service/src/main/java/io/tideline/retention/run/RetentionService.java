package io.tideline.retention.run;

import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.retention.RetentionConfiguration;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When retention runs: every {@code interval} for each owned instance, after each
 * {@code BackupCompleted}, and for the instances of partitions newly assigned. Runs go one at a time on
 * one thread (no two runs of one bucket overlap), and a trigger for an instance already waiting to run
 * is merged into it, so replaying a year of {@code BackupCompleted} costs one run per instance.
 *
 * <p>Scheduled on its own executor, not with {@code @Scheduled}: Micronaut does not stop its scheduled
 * methods before destroying their beans (see decisions, "The scheduler's tick is scheduled
 * programmatically"); {@link #stop()} ends the schedule and waits for a run in progress.
 */
@Context
@Requires(property = RetentionConfiguration.ENABLED, notEquals = "false")
@Requires(property = "kafka.bootstrap.servers")
public class RetentionService {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionService.class);

    private final RetentionRunner runner;
    private final InstanceRegistry registry;
    private final InstanceOwnership ownership;
    private final RetentionConfiguration config;
    private final ScheduledExecutorService ticks;
    private final ExecutorService runs;
    private final Set<InstanceId> pending = ConcurrentHashMap.newKeySet();
    private final Map<InstanceId, RunOutcome> last = new ConcurrentHashMap<>();

    public RetentionService(RetentionRunner runner, InstanceRegistry registry, InstanceOwnership ownership,
                            RetentionConfiguration config) {
        this.runner = runner;
        this.registry = registry;
        this.ownership = ownership;
        this.config = config;
        this.ticks = Executors.newSingleThreadScheduledExecutor(r -> thread(r, "retention-tick"));
        this.runs = Executors.newSingleThreadExecutor(r -> thread(r, "retention-run"));
    }

    @PostConstruct
    void start() {
        long every = config.interval().toMillis();
        ticks.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
        LOG.info("retention: every {} (period {} unless an instance sets its own, orphan age {})",
                config.interval(), config.period(), config.orphanAge());
    }

    /** Every owned, registered instance gets a run. */
    public void tick() {
        registry.all().stream().map(RegisteredInstance::id).forEach(this::trigger);
    }

    /** Asks for a run of {@code instance} if this replica owns it; merged with one already waiting. */
    public void trigger(InstanceId instance) {
        if (!ownership.owns(instance) || !pending.add(instance)) {
            return;
        }
        try {
            runs.execute(() -> {
                pending.remove(instance);
                runNow(instance);
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            pending.remove(instance); // stopping
        }
    }

    /** Partitions just assigned: their instances are looked at now rather than at the next tick. */
    public void partitionsAssigned() {
        try {
            runs.execute(() -> {
                try {
                    registry.awaitCaughtUp(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                tick();
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /** The last run's outcome for an instance, if it ran in this process. */
    public Optional<RunOutcome> lastOutcome(InstanceId instance) {
        return Optional.ofNullable(last.get(instance));
    }

    private void runNow(InstanceId instance) {
        if (!ownership.owns(instance)) {
            return; // revoked while waiting
        }
        try {
            RunOutcome outcome = runner.run(instance);
            last.put(instance, outcome);
        } catch (RuntimeException e) {
            // A bug or an unexpected failure in one instance must not stop retention of the others.
            LOG.error("retention run of {} failed", instance, e);
        }
    }

    @PreDestroy
    void stop() {
        ticks.shutdownNow();
        runs.shutdown();
        try {
            if (!runs.awaitTermination(30, TimeUnit.SECONDS)) {
                runs.shutdownNow();
            }
        } catch (InterruptedException e) {
            runs.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
