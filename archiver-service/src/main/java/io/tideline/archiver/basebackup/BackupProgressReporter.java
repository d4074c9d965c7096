package io.tideline.archiver.basebackup;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tideline.core.ids.InstanceId;
import io.tideline.schemas.BackupPhase;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every few seconds, for each running backup: a log line, the per-instance gauges
 * ({@value #BYTES_DONE}, {@value #BYTES_TOTAL}, {@value #BYTES_STORED}, tag {@code instance}), and a
 * {@code BackupProgress} event, from which {@code tideline backup} draws its progress bar. The gauges
 * keep the last backup's figures once it ends (a scrape after the end still sees how big it was).
 */
final class BackupProgressReporter implements AutoCloseable {

    // Named so that the Prometheus names end in their unit once, with no counter's "_total" on a gauge
    // (issue 16): tideline_archiver_backup_read_bytes, _expected_bytes, _stored_bytes.
    static final String BYTES_DONE = BackupMetrics.PREFIX + "read";
    static final String BYTES_TOTAL = BackupMetrics.PREFIX + "expected";
    static final String BYTES_STORED = BackupMetrics.PREFIX + "stored";

    private static final Logger LOG = LoggerFactory.getLogger(BackupProgressReporter.class);

    private record Gauges(AtomicLong done, AtomicLong total, AtomicLong stored) {
    }

    private final BackupEvents events;
    private final Optional<MeterRegistry> meters;
    private final Set<RunningBackup> running = ConcurrentHashMap.newKeySet();
    private final Map<InstanceId, Gauges> gauges = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer;

    BackupProgressReporter(BackupEvents events, Optional<MeterRegistry> meters, Duration interval) {
        this.events = events;
        this.meters = meters;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backup-progress");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(this::reportAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void begin(RunningBackup backup) {
        running.add(backup);
    }

    /** Reports once more (the final figures) and stops reporting {@code backup}. */
    void end(RunningBackup backup) {
        running.remove(backup);
        updateGauges(backup);
    }

    private void reportAll() {
        for (RunningBackup backup : running) {
            try {
                report(backup);
            } catch (RuntimeException e) {
                LOG.warn("progress of backup {} not reported: {}", backup.backup(), e.toString());
            }
        }
    }

    private void report(RunningBackup b) {
        if (!b.announced()) {
            return; // nothing to show before BackupStarted is out
        }
        updateGauges(b);
        BackupPhase phase = b.phase();
        if (phase == BackupPhase.WAITING_FOR_WAL) {
            LOG.info("backup {} of {}: data stored ({} bytes), {}", b.backup(), b.instance(), b.bytesStored(), b.message());
        } else {
            LOG.info("backup {} of {}: {} of {} read, {} stored", b.backup(), b.instance(), mib(b.bytesDone()),
                    b.bytesTotal().isPresent() ? mib(b.bytesTotal().getAsLong()) : "?", mib(b.bytesStored()));
        }
        events.progress(b.instance(), b.backup(), b.commandId(), phase, b.bytesDone(), b.bytesTotal(), b.bytesStored(),
                b.message()).whenComplete((ok, error) -> {
                    if (error != null) {
                        LOG.debug("progress event of backup {} not published: {}", b.backup(), error.getMessage());
                    }
                });
    }

    private void updateGauges(RunningBackup b) {
        if (meters.isEmpty()) {
            return;
        }
        Gauges g = gauges.computeIfAbsent(b.instance(), this::register);
        g.done().set(b.bytesDone());
        g.total().set(b.bytesTotal().orElse(0));
        g.stored().set(b.bytesStored());
    }

    private Gauges register(InstanceId instance) {
        MeterRegistry registry = meters.orElseThrow();
        Gauges g = new Gauges(new AtomicLong(), new AtomicLong(), new AtomicLong());
        Gauge.builder(BYTES_DONE, g.done(), AtomicLong::get).tag("instance", instance.value()).baseUnit("bytes")
                .description("uncompressed bytes of the running (or last) base backup read so far").register(registry);
        Gauge.builder(BYTES_TOTAL, g.total(), AtomicLong::get).tag("instance", instance.value()).baseUnit("bytes")
                .description("the server's size estimate of the running (or last) base backup").register(registry);
        Gauge.builder(BYTES_STORED, g.stored(), AtomicLong::get).tag("instance", instance.value()).baseUnit("bytes")
                .description("compressed bytes of the running (or last) base backup confirmed stored").register(registry);
        return g;
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
