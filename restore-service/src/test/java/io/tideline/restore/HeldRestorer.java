package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestoreCompleted;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Restorer} for the coordination tests: each run records that it started, then waits until the
 * test {@linkplain #finish finishes} it, then publishes {@code RestoreCompleted} as the real process does.
 */
final class HeldRestorer implements Restorer {

    private final List<RestoreId> started = new CopyOnWriteArrayList<>();
    private final Map<RestoreId, CountDownLatch> held = new ConcurrentHashMap<>();
    private volatile RestoreEvents events;

    void publishWith(RestoreEvents events) {
        this.events = events;
    }

    @Override
    public void run(RestorePlan plan, RestoreTracker tracker) {
        started.add(plan.restoreId());
        try {
            if (!latch(plan.restoreId()).await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("restore " + plan.restoreId() + " was never finished by the test");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        events.completed(RestoreCompleted.newBuilder()
                .setEventId(UUID.randomUUID())
                .setInstanceId(plan.sourceId().value())
                .setOccurredAt(events.now())
                .setRestoreId(plan.restoreId().value())
                .setNewInstanceId(plan.newInstance().value())
                .setHost("127.0.0.1").setPort(5432).setDatabase("postgres").setUser("tideline_admin")
                .setSecretRef("instances/" + plan.newInstance() + "/admin")
                .setRecoveredTo(events.now())
                .build());
    }

    void finish(String restoreId) {
        latch(RestoreId.of(restoreId)).countDown();
    }

    /** The restores whose run began, in order. */
    List<RestoreId> started() {
        return List.copyOf(started);
    }

    private CountDownLatch latch(RestoreId id) {
        return held.computeIfAbsent(id, k -> new CountDownLatch(1));
    }
}
