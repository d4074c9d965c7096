package io.tideline.scheduler.registry;

import io.tideline.core.registry.InstanceRegistry;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.scheduler.plan.ScheduledInstance;
import io.tideline.scheduler.window.BackupWindow;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link BackupSchedule} in step with the fleet: fed by core's {@link InstanceRegistry}
 * (the shared read model of the compacted {@code tideline.instances} topic, which every replica
 * reads whole), a registration adds or replaces the instance, a removal (tombstone) drops it.
 */
public final class InstanceRegistrations implements Consumer<InstanceRegistry.Change> {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceRegistrations.class);

    private final BackupSchedule schedule;

    public InstanceRegistrations(BackupSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    @Override
    public void accept(InstanceRegistry.Change change) {
        try {
            apply(change);
        } catch (IllegalArgumentException e) {
            // The registration itself is valid (core decoded it); only its window is not: leave the
            // instance out rather than back it up at a time nobody asked for, and say so loudly.
            LOG.error("Not scheduling {}: {}", change.id(), e.getMessage());
        }
    }

    /**
     * Applies one change.
     *
     * @return the instance as now scheduled, empty after a removal
     * @throws IllegalArgumentException if the requested window is not a minute of the day
     */
    public Optional<ScheduledInstance> apply(InstanceRegistry.Change change) {
        if (change.instance().isEmpty()) {
            if (schedule.remove(change.id())) {
                LOG.info("Instance {} removed: no more daily backups", change.id());
            }
            return Optional.empty();
        }
        RegisteredInstance instance = change.instance().get();
        Optional<BackupWindow> requested = instance.backupWindowStartMinuteUtc().map(BackupWindow::new);
        ScheduledInstance scheduled = schedule.register(instance.id(), requested, instance.registeredAt());
        LOG.info("Instance {}: daily backup window {} UTC", scheduled.id(), scheduled.window());
        return Optional.of(scheduled);
    }
}
