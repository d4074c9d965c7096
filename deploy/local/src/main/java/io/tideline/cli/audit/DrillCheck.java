package io.tideline.cli.audit;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.restore.drill.DrillHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * "Every instance was proven restorable within its drill policy": a registered instance with drills on whose
 * last good restore drill ({@code RestoreDrillCompleted}) — or, without one, its registration — is older than
 * its policy's period is overdue. Pure: the replayed log, the registered fleet and the time are given. An
 * instance younger than its period is never overdue; an instance with drills off never is.
 */
public final class DrillCheck {

    public static final String CHECK = "every instance was proven restorable by a restore drill within its policy";

    private DrillCheck() {
    }

    public static List<Finding> check(List<AuditEvent> log, Collection<RegisteredInstance> fleet, Instant now) {
        DrillHistory history = new DrillHistory();
        log.forEach(e -> e.value().ifPresent(history::apply));
        List<Finding> findings = new ArrayList<>();
        for (RegisteredInstance instance : fleet) {
            String id = instance.id().value();
            Optional<DrillHistory.GoodDrill> good = history.lastGood(id);
            Optional<Instant> due = instance.restoreDrill().dueBy(instance.registeredAt(), good.map(DrillHistory.GoodDrill::at));
            if (due.isEmpty() || !now.isAfter(due.get())) {
                continue;
            }
            String since = good.map(g -> "its last good restore drill was " + g.drillId() + " at " + g.at())
                    .orElse("it has had no good restore drill since it was registered at " + instance.registeredAt());
            String lastFailure = history.lastFailed(id)
                    .filter(f -> good.map(g -> f.at().isAfter(g.at())).orElse(true))
                    .map(f -> "; the last drill, " + f.drillId() + " at " + f.at() + ", failed: " + f.reason())
                    .orElse("");
            findings.add(new Finding(CHECK, id, "overdue a restore drill since " + due.get() + " (policy: every "
                    + instance.restoreDrill().everyText() + "): " + since + lastFailure, "tideline.instances"));
        }
        return findings;
    }
}
