package io.tideline.scheduler.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.plan.ScheduledInstance;
import io.tideline.scheduler.window.BackupWindow;
import io.tideline.schemas.InstanceRegistered;
import java.util.Objects;
import java.util.Optional;

/** Applies the records of the compacted {@code tideline.instances} topic to the backup schedule. */
public final class InstanceRegistrations {

    private final BackupSchedule schedule;

    public InstanceRegistrations(BackupSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    /**
     * Applies one record: a registration adds or replaces the instance, a tombstone ({@code value}
     * null) removes it.
     *
     * @return the instance as now scheduled, empty after a tombstone
     * @throws IllegalArgumentException for a record that contradicts itself (key and instanceId
     *                                  differ, a window outside the day): a dead letter
     */
    public Optional<ScheduledInstance> apply(String key, InstanceRegistered value) {
        if (key == null) {
            throw new IllegalArgumentException("a tideline.instances record without a key (the instance id)");
        }
        InstanceId id = InstanceId.of(key);
        if (value == null) {
            schedule.remove(id);
            return Optional.empty();
        }
        if (!key.equals(value.getInstanceId())) {
            throw new IllegalArgumentException("record key " + key + " is not the registration's instanceId "
                    + value.getInstanceId());
        }
        Optional<BackupWindow> requested = Optional.ofNullable(value.getBackupWindowStartMinuteUtc()).map(BackupWindow::new);
        return Optional.of(schedule.register(id, requested, value.getRegisteredAt()));
    }
}
