package io.tideline.archiver.basebackup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.metrics.InstanceMeters;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-instance meters of the base backups this archiver takes (tag {@code instance}):
 * <ul>
 *   <li>{@value #DURATION} — a timer: from the backup's start to its {@code BackupCompleted} (the WAL wait
 *       included: that is when it became restorable); Prometheus {@code tideline_archiver_backup_duration_seconds_*};</li>
 *   <li>{@value #FAILURES} — {@code BackupFailed} published; Prometheus {@code tideline_archiver_backup_failures_total}.</li>
 * </ul>
 * Both exist from an instance's first backup event on (the failure counter at 0), and go with the
 * instance ({@link #forget}). When the service has no registry, nothing is recorded.
 */
final class BackupMetrics {

    static final String PREFIX = "tideline.archiver.backup.";
    static final String DURATION = PREFIX + "duration";
    static final String FAILURES = PREFIX + "failures";

    private final Optional<MeterRegistry> registry;

    BackupMetrics(Optional<MeterRegistry> registry) {
        this.registry = registry;
    }

    void completed(InstanceId instance, Duration took) {
        registry.ifPresent(r -> {
            failures(r, instance);
            Timer.builder(DURATION).tag(InstanceMeters.TAG, instance.value())
                    .description("base backup from its start until it was stored with its WAL (restorable)")
                    .register(r).record(took.isNegative() ? Duration.ZERO : took);
        });
    }

    void failed(InstanceId instance) {
        registry.ifPresent(r -> failures(r, instance).increment());
    }

    /** The instance is gone: its backup meters (and the progress gauges) with it. */
    void forget(InstanceId instance) {
        registry.ifPresent(r -> InstanceMeters.forget(r, PREFIX, instance));
    }

    private static Counter failures(MeterRegistry r, InstanceId instance) {
        return Counter.builder(FAILURES).tag(InstanceMeters.TAG, instance.value())
                .description("base backups that failed (BackupFailed published)").register(r);
    }
}
