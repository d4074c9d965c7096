package io.tideline.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideline.core.ids.RestoreId;
import io.tideline.schemas.RestorePhase;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Issue 16: restores started/completed/failed and the time of each phase, Prometheus-named. */
class RestoreMetricsTest {

    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RestoreMetrics metrics = new RestoreMetrics(prometheus);

    @Test
    void everySeriesExistsAtZeroBeforeTheFirstRestore() {
        String scrape = prometheus.scrape();
        for (String counter : new String[] {"started", "completed", "failed", "rejected"}) {
            assertEquals(0, value(scrape, "tideline_restore_" + counter + "_total"), 0, counter);
        }
        for (RestorePhase phase : RestorePhase.values()) {
            assertEquals(0, value(scrape, "tideline_restore_phase_duration_seconds_count{phase=\""
                    + phase.name().toLowerCase(java.util.Locale.ROOT) + "\"}"), 0);
        }
    }

    @Test
    void eachPhaseIsTimedFromItsFirstProgressEventToTheNextPhaseOrTheEnd() {
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        metrics.accepted();
        metrics.progress(id, RestorePhase.PROVISIONING, T0);
        metrics.progress(id, RestorePhase.RESTORING_BACKUP, T0.plusSeconds(2));
        metrics.progress(id, RestorePhase.RESTORING_BACKUP, T0.plusSeconds(5)); // a heartbeat: same phase
        metrics.progress(id, RestorePhase.REPLAYING_WAL, T0.plusSeconds(12));
        metrics.completed(id, T0.plusSeconds(15));

        String scrape = prometheus.scrape();
        assertEquals(1, value(scrape, "tideline_restore_started_total"), 0);
        assertEquals(1, value(scrape, "tideline_restore_completed_total"), 0);
        assertEquals(2, value(scrape, "tideline_restore_phase_duration_seconds_sum{phase=\"provisioning\"}"), 0.001);
        assertEquals(10, value(scrape, "tideline_restore_phase_duration_seconds_sum{phase=\"restoring_backup\"}"), 0.001);
        assertEquals(1, value(scrape, "tideline_restore_phase_duration_seconds_count{phase=\"restoring_backup\"}"), 0);
        assertEquals(3, value(scrape, "tideline_restore_phase_duration_seconds_sum{phase=\"replaying_wal\"}"), 0.001);
        assertTrue(scrape.contains("# TYPE tideline_restore_started_total counter")
                || scrape.contains("# TYPE tideline_restore_started counter"), scrape);
    }

    @Test
    void aFailedRestoreCountsAndEndsItsPhase() {
        RestoreId id = RestoreId.of(UUID.randomUUID().toString());
        metrics.progress(id, RestorePhase.VERIFYING, T0);
        metrics.failed(id, T0.plusSeconds(4));
        String scrape = prometheus.scrape();
        assertEquals(1, value(scrape, "tideline_restore_failed_total"), 0);
        assertEquals(4, value(scrape, "tideline_restore_phase_duration_seconds_sum{phase=\"verifying\"}"), 0.001);
    }

    private static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in the scrape:\n" + scrape));
    }
}
