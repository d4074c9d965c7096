package io.tideline.retention.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tideline.core.ids.BackupId;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.secrets.SecretRef;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.core.window.BackupEntry;
import io.tideline.core.window.BucketInventory;
import io.tideline.core.window.ListedObject;
import io.tideline.core.window.WalEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 16: the per-instance window, last backup and promise series, Prometheus-named, and gone with their instance. */
class RetentionMetricsTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final long SEG = WalSegmentName.DEFAULT_SEGMENT_SIZE;
    private static final BucketLayout LAYOUT = BucketLayout.DEFAULT;
    private static final InstanceId SHOP = InstanceId.of("shop-0001");

    private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Set<InstanceId> reportable = new HashSet<>(Set.of(SHOP));
    private final RetentionMetrics metrics = new RetentionMetrics(prometheus, reportable::contains);

    @Test
    void theWindowTheLastBackupAndThePromiseAreGaugesInSecondsWithNoCounterSuffix() {
        metrics.inventoried(registered(SHOP), oneBackupAndItsWal(), Duration.ofDays(7));
        String scrape = prometheus.scrape();

        double start = value(scrape, "tideline_instance_window_start_timestamp_seconds{instance=\"shop-0001\"}");
        double end = value(scrape, "tideline_instance_window_end_timestamp_seconds{instance=\"shop-0001\"}");
        assertEquals(at(21).getEpochSecond(), start, 0.001, "the window starts where the backup ends");
        assertEquals(at(50).getEpochSecond(), end, 0.001, "and ends with the newest WAL stored");
        assertEquals(at(21).getEpochSecond(), value(scrape, "tideline_instance_last_backup_timestamp_seconds{instance=\"shop-0001\"}"), 0.001);
        assertEquals(7 * 86400, value(scrape, "tideline_instance_retention_promise_seconds{instance=\"shop-0001\"}"), 0.001);
        assertEquals(T0.getEpochSecond(), value(scrape, "tideline_instance_registered_timestamp_seconds{instance=\"shop-0001\"}"), 0.001);
        assertTrue(scrape.contains("# TYPE tideline_instance_window_start_timestamp_seconds gauge"), scrape);
    }

    @Test
    void runsAndExpiredObjectsAreCountersThatExistAtZero() {
        String before = prometheus.scrape();
        assertEquals(0, value(before, "tideline_retention_runs_total{outcome=\"expired\"}"), 0);
        assertEquals(0, value(before, "tideline_retention_expired_objects_total"), 0);

        metrics.ran(SHOP, "expired", 12, 4096);
        metrics.ran(SHOP, "nothing_to_expire", 0, 0);
        String after = prometheus.scrape();
        assertEquals(1, value(after, "tideline_retention_runs_total{outcome=\"expired\"}"), 0);
        assertEquals(1, value(after, "tideline_retention_runs_total{outcome=\"nothing_to_expire\"}"), 0);
        assertEquals(12, value(after, "tideline_retention_expired_objects_total"), 0);
        assertEquals(4096, value(after, "tideline_retention_freed_bytes_total"), 0);
    }

    @Test
    void anInstanceNoLongerReportableLosesItsGaugesAtTheNextRun() {
        InstanceId other = InstanceId.of("other-0002");
        reportable.add(other);
        metrics.inventoried(registered(SHOP), oneBackupAndItsWal(), Duration.ofDays(7));
        metrics.inventoried(registered(other), oneBackupAndItsWal(), Duration.ofDays(3));
        reportable.remove(SHOP); // removed, or its partition went to another replica

        metrics.inventoried(registered(other), oneBackupAndItsWal(), Duration.ofDays(3));
        String scrape = prometheus.scrape();
        assertFalse(scrape.contains("instance=\"shop-0001\""), scrape);
        assertTrue(scrape.contains("instance=\"other-0002\""), scrape);

        metrics.forget(other);
        assertFalse(prometheus.scrape().contains("instance=\"other-0002\""));
    }

    @Test
    void aRevokedPartitionDropsItsInstancesAtOnce() {
        metrics.inventoried(registered(SHOP), oneBackupAndItsWal(), Duration.ofDays(7));
        reportable.remove(SHOP);
        metrics.forgetUnowned(); // what the timeline listener does when partitions are revoked
        assertFalse(prometheus.scrape().contains("instance=\"shop-0001\""), prometheus.scrape());
    }

    /** WAL segments 1..5 stored at minute 10 n; one backup from segment 1 to 2, finished at minute 21. */
    private static BucketInventory oneBackupAndItsWal() {
        BucketInventory.Builder b = BucketInventory.builder();
        for (long n = 1; n <= 5; n++) {
            WalSegmentName s = new WalSegmentName(1, n, SEG);
            b.wal(WalEntry.complete(s, at(10 * n), new ListedObject(LAYOUT.walSegment(s), 1000, at(10 * n))));
        }
        BackupId id = BackupId.of(at(12), "aaaa");
        b.backup(new BackupEntry(id, 1, new Lsn(SEG + 0x100), new Lsn(2 * SEG + 0x100), at(12), at(21),
                new ListedObject(LAYOUT.backupManifest(id), 500, at(21)),
                List.of(new ListedObject(LAYOUT.backupPart(id, 1), 50_000, at(21)))));
        return b.build();
    }

    private static RegisteredInstance registered(InstanceId id) {
        SecretRef secret = new SecretRef("instances/" + id.value() + "/x");
        return new RegisteredInstance(id, id.value(), "127.0.0.1", 5432, "postgres", "tideline", secret, "replicator", secret,
                "bucket-" + id.value(), secret, secret, 15, SEG, Optional.empty(), Optional.empty(), Optional.empty(), T0);
    }

    private static Instant at(long minutes) {
        return T0.plus(Duration.ofMinutes(minutes));
    }

    /** The value of one series line of a scrape; fails the test when absent. */
    static double value(String scrape, String series) {
        return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError(series + " not in the scrape:\n" + scrape));
    }
}
