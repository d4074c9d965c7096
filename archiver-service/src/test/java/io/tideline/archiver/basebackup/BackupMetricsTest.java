package io.tideline.archiver.basebackup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideline.core.ids.InstanceId;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Issue 16: backup duration and failures per instance, and progress gauges whose Prometheus names end in their unit once. */
class BackupMetricsTest {

    private static final InstanceId SHOP = InstanceId.of("shop-0001");

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final BackupMetrics metrics = new BackupMetrics(Optional.of(prometheus));

    @Test
    void durationIsATimerInSecondsAndFailuresACounterFromTheFirstBackupOn() {
        metrics.completed(SHOP, Duration.ofSeconds(90));
        String scrape = prometheus.scrape();
        assertEquals(1, value(scrape, "tideline_archiver_backup_duration_seconds_count{instance=\"shop-0001\"}"), 0);
        assertEquals(90, value(scrape, "tideline_archiver_backup_duration_seconds_sum{instance=\"shop-0001\"}"), 0.001);
        assertEquals(0, value(scrape, "tideline_archiver_backup_failures_total{instance=\"shop-0001\"}"), 0);

        metrics.failed(SHOP);
        assertEquals(1, value(prometheus.scrape(), "tideline_archiver_backup_failures_total{instance=\"shop-0001\"}"), 0);
    }

    @Test
    void progressGaugesAreNamedWithTheirUnitOnceAndNoCounterSuffix() {
        for (String name : new String[] {BackupProgressReporter.BYTES_DONE, BackupProgressReporter.BYTES_TOTAL,
                BackupProgressReporter.BYTES_STORED}) {
            Gauge.builder(name, () -> 1).tag("instance", SHOP.value()).baseUnit("bytes").register(prometheus);
        }
        String scrape = prometheus.scrape();
        assertTrue(scrape.contains("tideline_archiver_backup_read_bytes{"), scrape);
        assertTrue(scrape.contains("tideline_archiver_backup_expected_bytes{"), scrape);
        assertTrue(scrape.contains("tideline_archiver_backup_stored_bytes{"), scrape);
        assertFalse(scrape.contains("_total_bytes"), scrape);
        assertFalse(scrape.contains("_bytes_bytes"), scrape);
        assertFalse(scrape.contains("bytes_done_bytes"), scrape);
    }

    @Test
    void aRemovedInstanceTakesItsBackupMetersWithIt() {
        metrics.completed(SHOP, Duration.ofSeconds(1));
        Gauge.builder(BackupProgressReporter.BYTES_DONE, () -> 1).tag("instance", SHOP.value()).baseUnit("bytes").register(prometheus);
        metrics.forget(SHOP);
        assertFalse(prometheus.scrape().contains("shop-0001"), prometheus.scrape());
    }

    private static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in the scrape:\n" + scrape));
    }
}
