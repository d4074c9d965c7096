package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.inventory.BucketInventoryReader;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.window.WalEntry;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An idle server writes no WAL, so nothing would tell how far its archive reaches in time: the archiver's
 * heartbeat commits keep the stored coverage (the restorable window's end) moving while nobody writes.
 */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalHeartbeatIT {

    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    private WalTestBed bed;
    private ApplicationContext archiver;

    @BeforeAll
    void start(WalTestBed bed) {
        this.bed = bed;
        Map<String, Object> props = bed.archiverProperties(Duration.ofSeconds(1));
        props.put("tideline.archiver.wal.heartbeat-interval", HEARTBEAT.toMillis() + "ms");
        archiver = bed.startArchiver(props);
    }


    @Test
    void anIdleInstancesStoredWalKeepsCoveringLaterMoments() throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-heartbeat", WalTestBed.MB);
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        // The last write must come after the stream began: a stream that starts later (a loaded machine) stores
        // the writes with its own, later send times, which would pass the goal below without any heartbeat.
        await().atMost(Duration.ofSeconds(60)).until(() -> meters.find(WalStreamMetrics.STREAMING)
                .tag("instance", pg.id().value()).gauges().stream().anyMatch(g -> g.value() == 1.0));
        Instant lastWrite;
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int)");
            s.execute("INSERT INTO t VALUES (1)");
            lastWrite = Instant.now();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> covered(pg).filter(t -> !t.isBefore(lastWrite.minusSeconds(1))).isPresent());

        // Nobody writes from here on: heartbeats every 2 s keep the window moving. Counted first, then a moment
        // after the second one must be covered — not a fixed time after the last write, which under heavy load
        // PostgreSQL's own running-xacts record (15 s after activity, claiming its send time less 1 s) can reach
        // before any heartbeat was due.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> meters.get(WalStreamMetrics.HEARTBEATS).tag("instance", pg.id().value()).counter().count() >= 2);
        Instant goal = Instant.now();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> covered(pg).filter(t -> t.isAfter(goal)).isPresent());
        assertTrue(lastWrite.isBefore(goal));
    }

    /** How far the bucket's WAL reaches in time (the newest object's stored-at). */
    private Optional<Instant> covered(RegisteredInstance pg) {
        return new BucketInventoryReader(BucketLayout.forSegmentSize(pg.walSegmentSize())).read(bed.bucket(pg)).inventory().wal()
                .stream().map(WalEntry::storedAt).max(Comparator.naturalOrder());
    }
}
