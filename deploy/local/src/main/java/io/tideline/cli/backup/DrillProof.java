package io.tideline.cli.backup;

import io.tideline.cli.events.Event;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.restore.drill.DrillHistory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The "last proven restorable" line of {@code tideline backups}: the instance's last good restore drill (time,
 * drill id, RTO), the last drill if it failed since, and its policy. Pure: read from the timeline's events.
 */
public final class DrillProof {

    private final RegisteredInstance instance;
    private final Optional<DrillHistory.GoodDrill> good;
    private final Optional<DrillHistory.FailedDrill> failedSince;

    private DrillProof(RegisteredInstance instance, DrillHistory history) {
        this.instance = instance;
        String id = instance.id().value();
        this.good = history.lastGood(id);
        this.failedSince = history.lastFailed(id).filter(f -> good.map(g -> f.at().isAfter(g.at())).orElse(true));
    }

    public static DrillProof of(RegisteredInstance instance, List<Event> events) {
        DrillHistory history = new DrillHistory();
        events.stream().filter(e -> instance.id().value().equals(e.key())).forEach(e -> e.value().ifPresent(history::apply));
        return new DrillProof(instance, history);
    }

    /** {@code last proven restorable: <time>, drill <id>, RTO <s> s} (or never), and the policy. */
    public String line() {
        String proof = good.map(g -> "Last proven restorable: " + g.at() + ", drill " + g.drillId() + ", RTO " + seconds(g.rto()) + " s")
                .orElse("Last proven restorable: never (no restore drill has passed yet)");
        return proof + " (restore drills: " + (instance.restoreDrill().isOff() ? "off" : "every " + instance.restoreDrill().everyText()) + ")";
    }

    /** The last drill, if it failed after the last good one. */
    public Optional<String> failure() {
        return failedSince.map(f -> "Last restore drill FAILED: " + f.drillId() + " at " + f.at() + ": " + f.reason());
    }

    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("policy", instance.restoreDrill().everyText());
        m.put("lastProvenRestorable", good.map(g -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("at", g.at().toString());
            d.put("drillId", g.drillId());
            d.put("rtoSeconds", g.rto().toMillis() / 1000.0);
            return d;
        }).orElse(null));
        m.put("lastFailedDrill", failedSince.map(f -> Map.of("at", f.at().toString(), "drillId", f.drillId(), "reason", f.reason()))
                .orElse(null));
        return m;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
