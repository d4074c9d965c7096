package io.tideline.retention.run;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.metrics.InstanceMeters;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.RestorableBackup;
import io.tideline.core.window.RestorableWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * What retention sees of each instance it owns, as meters. Retention reads every owned bucket (the
 * source of truth) every {@code tideline.retention.interval} and after each {@code BackupCompleted}, with
 * exactly one owner per instance across replicas: so it is the one owner of the per-instance state
 * series (tag {@code instance}), read with core's {@link RestorableWindow}, the same computation a restore
 * is validated with:
 * <ul>
 *   <li>{@value #WINDOW_START}, {@value #WINDOW_END} — the restorable window's ends (Unix seconds);
 *       the end is as of the last run (see docs/monitoring.md: the archive lag is what shows WAL trailing);</li>
 *   <li>{@value #LAST_BACKUP} — when the newest restorable base backup finished;</li>
 *   <li>{@value #PROMISE} — how far back the instance's retention promises restorability;</li>
 *   <li>{@value #REGISTERED} — when the instance was registered (a young instance cannot have a full window yet);</li>
 *   <li>{@value #RUNS} (tag {@code outcome}) and {@value #EXPIRED_OBJECTS}, {@value #FREED_BYTES}.</li>
 * </ul>
 * An instance's gauges go when it is removed from the registry, and when this replica no longer owns it
 * (at a partition revocation, and checked again at every run), so two replicas do not both report one
 * instance beyond a rebalance.
 */
public final class RetentionMetrics implements RetentionRunner.Observer {

    static final String INSTANCE_PREFIX = "tideline.instance.";
    static final String WINDOW_START = INSTANCE_PREFIX + "window.start.timestamp";
    static final String WINDOW_END = INSTANCE_PREFIX + "window.end.timestamp";
    static final String LAST_BACKUP = INSTANCE_PREFIX + "last.backup.timestamp";
    static final String PROMISE = INSTANCE_PREFIX + "retention.promise";
    static final String REGISTERED = INSTANCE_PREFIX + "registered.timestamp";
    static final String RUNS = "tideline.retention.runs";
    static final String EXPIRED_OBJECTS = "tideline.retention.expired.objects";
    static final String FREED_BYTES = "tideline.retention.freed";
    /** The {@code outcome} of a run that threw (a bug or an unexpected failure), beside {@link RunOutcome.Kind}'s. */
    static final String ERROR = "error";

    /** What the last run saw of one instance; NaN where there is nothing (no window yet, no backup). */
    private static final class Seen {
        volatile double windowStart = Double.NaN;
        volatile double windowEnd = Double.NaN;
        volatile double lastBackup = Double.NaN;
        volatile double promise = Double.NaN;
        volatile double registered = Double.NaN;
    }

    private final MeterRegistry registry;
    private final Predicate<InstanceId> reportable;
    private final Map<InstanceId, Seen> seen = new ConcurrentHashMap<>();
    private final Counter expiredObjects;
    private final Counter freedBytes;

    /**
     * @param reportable whether an instance's gauges may stay: registered, and owned by this replica
     */
    public RetentionMetrics(MeterRegistry registry, Predicate<InstanceId> reportable) {
        this.registry = registry;
        this.reportable = reportable;
        // Every series at 0 from the start: an alert on increase() sees the first one.
        for (RunOutcome.Kind kind : RunOutcome.Kind.values()) {
            runs(kind.name().toLowerCase(Locale.ROOT));
        }
        runs(ERROR);
        this.expiredObjects = Counter.builder(EXPIRED_OBJECTS).description("objects retention deleted from the buckets")
                .register(registry);
        this.freedBytes = Counter.builder(FREED_BYTES).baseUnit("bytes").description("bytes retention freed in the buckets")
                .register(registry);
    }

    @Override
    public void inventoried(RegisteredInstance registered, BucketInventory inventory, Duration promise) {
        RestorableWindow window = RestorableWindow.of(inventory);
        Seen s = seen.computeIfAbsent(registered.id(), this::register);
        s.registered = seconds(Optional.of(registered.registeredAt()));
        s.windowStart = seconds(window.from());
        s.windowEnd = seconds(window.to());
        s.lastBackup = seconds(window.restorableBackups().stream().map(RestorableBackup::backup)
                .map(BackupEntry::finishedAt).max(Comparator.naturalOrder()));
        s.promise = promise.toMillis() / 1000.0;
        forgetUnowned();
    }

    @Override
    public void ran(InstanceId instance, String outcome, long objectsDeleted, long bytesFreed) {
        runs(outcome).increment();
        expiredObjects.increment(objectsDeleted);
        freedBytes.increment(bytesFreed);
    }

    private Counter runs(String outcome) {
        return Counter.builder(RUNS).tag("outcome", outcome).description("retention runs of one instance, by outcome")
                .register(registry);
    }

    private Seen register(InstanceId instance) {
        Seen s = new Seen();
        String id = instance.value();
        Gauge.builder(WINDOW_START, s, x -> x.windowStart).tag(InstanceMeters.TAG, id).baseUnit("seconds")
                .description("start of the restorable window (Unix time)").register(registry);
        Gauge.builder(WINDOW_END, s, x -> x.windowEnd).tag(InstanceMeters.TAG, id).baseUnit("seconds")
                .description("end of the restorable window as of the last retention run (Unix time)").register(registry);
        Gauge.builder(LAST_BACKUP, s, x -> x.lastBackup).tag(InstanceMeters.TAG, id).baseUnit("seconds")
                .description("when the newest restorable base backup finished (Unix time)").register(registry);
        Gauge.builder(PROMISE, s, x -> x.promise).tag(InstanceMeters.TAG, id).baseUnit("seconds")
                .description("how far back every moment is promised restorable").register(registry);
        Gauge.builder(REGISTERED, s, x -> x.registered).tag(InstanceMeters.TAG, id).baseUnit("seconds")
                .description("when the instance was registered (Unix time)").register(registry);
        return s;
    }

    /** Drops the gauges of every instance no longer reportable here (removed, or its partition revoked). */
    public void forgetUnowned() {
        for (InstanceId id : seen.keySet()) {
            if (!reportable.test(id)) {
                forget(id);
            }
        }
    }

    /** The instance is gone (or no longer this replica's): its gauges with it. */
    public void forget(InstanceId instance) {
        if (seen.remove(instance) != null) {
            InstanceMeters.forget(registry, INSTANCE_PREFIX, instance);
        }
    }

    private static double seconds(Optional<Instant> at) {
        return at.map(t -> t.getEpochSecond() + t.getNano() / 1e9).orElse(Double.NaN);
    }
}
