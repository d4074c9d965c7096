package io.tideline.restore.drill;

import io.tideline.schemas.RestoreDrillCompleted;
import io.tideline.schemas.RestoreDrillFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;

/**
 * What the event log says about each instance's restore drills ({@code RestoreDrillCompleted/Failed} on
 * {@code tideline.timeline}): its last good drill and its last attempt. Pure and thread-safe; applying an
 * event twice or out of order keeps the newest. Read by the scheduler (what is due), the metric and the
 * Backups view ("last proven restorable").
 */
public final class DrillHistory {

    /** A drill that proved the instance restorable. */
    public record GoodDrill(String drillId, Instant at, Duration rto) {
    }

    /** A drill that did not. */
    public record FailedDrill(String drillId, Instant at, String reason) {
    }

    private final Map<String, GoodDrill> good = new HashMap<>();
    private final Map<String, FailedDrill> failed = new HashMap<>();
    private final Map<String, Instant> attempted = new HashMap<>();

    /** Takes a drill outcome; any other event is ignored. */
    public synchronized void apply(SpecificRecord event) {
        if (event instanceof RestoreDrillCompleted c) {
            GoodDrill g = new GoodDrill(c.getDrillId(), c.getOccurredAt(), Duration.ofMillis(c.getRtoMillis()));
            good.merge(c.getInstanceId(), g, (a, b) -> b.at().isAfter(a.at()) ? b : a);
            attempted(c.getInstanceId(), c.getStartedAt());
        } else if (event instanceof RestoreDrillFailed f) {
            FailedDrill d = new FailedDrill(f.getDrillId(), f.getOccurredAt(), f.getReason());
            failed.merge(f.getInstanceId(), d, (a, b) -> b.at().isAfter(a.at()) ? b : a);
            attempted(f.getInstanceId(), f.getStartedAt());
        }
    }

    /** Records that a drill of {@code instance} started at {@code at} (before its outcome is published). */
    public synchronized void attempted(String instance, Instant at) {
        attempted.merge(instance, at, (a, b) -> b.isAfter(a) ? b : a);
    }

    public synchronized Optional<GoodDrill> lastGood(String instance) {
        return Optional.ofNullable(good.get(instance));
    }

    public synchronized Optional<FailedDrill> lastFailed(String instance) {
        return Optional.ofNullable(failed.get(instance));
    }

    /** When the last drill of {@code instance} (good or not) started. */
    public synchronized Optional<Instant> lastAttempt(String instance) {
        return Optional.ofNullable(attempted.get(instance));
    }

    /** Instances with a good drill, and their last one. */
    public synchronized Map<String, GoodDrill> allGood() {
        return Map.copyOf(good);
    }
}
