package io.tideline.scheduler.emit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.TaskScheduler;
import io.micronaut.context.annotation.Requires;
import io.tideline.scheduler.SchedulerConfiguration;
import io.tideline.scheduler.registry.BackupSchedule;
import io.tideline.scheduler.registry.InstanceRegistrations;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Named;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@link DailyBackupEmitter} every {@code tideline.scheduler.tick} on Micronaut's
 * scheduled executor, from the start of the service to its stop.
 *
 * <p>Scheduled programmatically rather than with {@code @Scheduled}: Micronaut does not order the
 * shutdown of its {@code @Scheduled} processor before the beans it calls (micronaut-core #6881),
 * so a tick during shutdown re-created the whole bean graph — a new registry consumer and producer
 * that nobody closed. Here the tick is cancelled, and a running one waited for, before any
 * dependency is destroyed (a bean is destroyed before what it depends on).
 */
@Context
@Requires(property = SchedulerConfiguration.ENABLED, notEquals = "false")
public class DailyBackupClock {

    private static final Logger LOG = LoggerFactory.getLogger(DailyBackupClock.class);

    private final DailyBackupEmitter emitter;
    private final SchedulerConfiguration configuration;
    private final TaskScheduler taskScheduler;
    private final Counter sent;
    private final Counter failed;
    private final io.tideline.scheduler.rto.RtoBudgetEmitter rtoBudget;
    private final Counter rtoSent;
    private final ReentrantLock running = new ReentrantLock();
    private ScheduledFuture<?> schedule;
    private boolean stopped;

    /**
     * @param registrations injected so that the backup schedule follows the instances topic from
     *                      the start of the service, and its registry is closed only after the clock stopped
     */
    public DailyBackupClock(DailyBackupEmitter emitter, SchedulerConfiguration configuration,
            @Named(TaskExecutors.SCHEDULED) TaskScheduler taskScheduler, InstanceRegistrations registrations,
            BackupSchedule backupSchedule, MeterRegistry meters,
            @io.micronaut.core.annotation.Nullable io.tideline.scheduler.rto.RtoBudgetEmitter rtoBudget) {
        this.emitter = emitter;
        this.rtoBudget = rtoBudget;
        this.rtoSent = Counter.builder("tideline.scheduler.rto.commands.sent")
                .description("RTO-budget backup commands sent and acknowledged (issue 18.6)").register(meters);
        this.configuration = configuration;
        this.taskScheduler = taskScheduler;
        this.sent = Counter.builder("tideline.scheduler.commands.sent")
                .description("daily backup commands sent and acknowledged").register(meters);
        this.failed = Counter.builder("tideline.scheduler.commands.failed")
                .description("daily backup commands Kafka did not acknowledge (retried at the next tick)").register(meters);
        meters.gauge("tideline.scheduler.instances", backupSchedule, BackupSchedule::size);
    }

    @PostConstruct
    void start() {
        schedule = taskScheduler.scheduleWithFixedDelay(configuration.tick(), configuration.tick(), this::tick);
        LOG.info("Daily backup clock started: a tick every {}", configuration.tick());
    }

    /** One tick; public for tests that drive the clock by hand. */
    public void tick() {
        running.lock();
        try {
            if (stopped) {
                return;
            }
            DailyBackupEmitter.TickResult result = emitter.tick();
            sent.increment(result.sent().size());
            failed.increment(result.failed());
            if (rtoBudget != null && !result.waitingForReplay()) {
                rtoSent.increment(rtoBudget.tick().size());
            }
        } catch (RuntimeException e) {
            // an exception would cancel all later runs of a fixed-delay task: log it and tick again
            LOG.error("Daily backup tick failed; trying again at the next tick", e);
        } finally {
            running.unlock();
        }
    }

    @PreDestroy
    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
        running.lock(); // waits for a tick in progress
        try {
            stopped = true;
        } finally {
            running.unlock();
        }
        LOG.info("Daily backup clock stopped");
    }
}
