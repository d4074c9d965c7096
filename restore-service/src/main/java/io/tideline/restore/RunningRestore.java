package io.tideline.restore;

import io.tideline.core.ids.RestoreId;
import java.util.Objects;

/**
 * A restore this replica has accepted and runs (or will run when a restore thread is free). Its progress
 * is published only once it is {@linkplain #announced() announced}: after {@code RestoreAccepted}.
 */
final class RunningRestore {

    private final RestorePlan plan;
    private final RestoreTracker tracker;
    private volatile boolean announced;

    RunningRestore(RestorePlan plan) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.tracker = new RestoreTracker(plan.restoreId(), plan.sourceId().value());
        tracker.replayTarget(plan.replayTargetTime());
    }

    RestoreId restoreId() {
        return plan.restoreId();
    }

    RestorePlan plan() {
        return plan;
    }

    RestoreTracker tracker() {
        return tracker;
    }

    boolean announced() {
        return announced;
    }

    void announce() {
        announced = true;
    }
}
