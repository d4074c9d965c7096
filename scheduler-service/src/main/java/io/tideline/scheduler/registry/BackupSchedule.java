package io.tideline.scheduler.registry;

import io.tideline.core.ids.InstanceId;
import io.tideline.scheduler.plan.ScheduledInstance;
import io.tideline.scheduler.window.BackupWindow;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The instances the scheduler backs up, as read from the compacted {@code tideline.instances}
 * topic: a registration adds or replaces an instance, a tombstone removes it. Written by the
 * topic's listener thread, read by the scheduler's tick.
 */
public final class BackupSchedule {

    private final WindowPolicy policy;
    private final Map<InstanceId, ScheduledInstance> instances = new ConcurrentHashMap<>();

    public BackupSchedule(WindowPolicy policy) {
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /** Adds or replaces an instance; the window is resolved by the {@link WindowPolicy}. */
    public ScheduledInstance register(InstanceId id, Optional<BackupWindow> requestedWindow, Instant registeredAt) {
        ScheduledInstance instance = new ScheduledInstance(id, policy.windowFor(id, requestedWindow), registeredAt);
        instances.put(id, instance);
        return instance;
    }

    /** Removes an instance (tombstone); true if it was known. */
    public boolean remove(InstanceId id) {
        return instances.remove(id) != null;
    }

    public Optional<ScheduledInstance> find(InstanceId id) {
        return Optional.ofNullable(instances.get(id));
    }

    /** A consistent-enough copy for one tick, ordered by id so that logs and tests are stable. */
    public List<ScheduledInstance> snapshot() {
        return instances.values().stream()
                .sorted(Comparator.comparing(i -> i.id().value()))
                .toList();
    }

    public int size() {
        return instances.size();
    }
}
