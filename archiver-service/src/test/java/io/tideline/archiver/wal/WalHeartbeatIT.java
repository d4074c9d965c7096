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
        await().atMost(Duration.ofSeconds(30)).until(() -> covered(pg).filter(t -> !t.isBefore(lastWrite.minusSeconds(1))).isPresent());

        // Nobody writes from here on. Heartbeats every 2 s, stored within the 1 s flush interval: coverage
        // passes lastWrite + 4 s well within 10 s. (PostgreSQL's own running-xacts record, every 15 s after
        // activity, claims less: its send time less the 1 s allowance.)
        Instant goal = lastWrite.plusSeconds(4);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)) // 10 s idle; generous under load
                .until(() -> covered(pg).filter(t -> t.isAfter(goal)).isPresent());
        double heartbeats = meters.get(WalStreamMetrics.HEARTBEATS).tag("instance", pg.id().value()).counter().count();
        // One may do it: under load the stream can go on receiving other WAL a while after the last write, so the
        // first heartbeat (2 s after the last WAL received) may come late enough to pass the goal by itself.
        assertTrue(heartbeats >= 1, "heartbeats made: " + heartbeats);
    }

    /** How far the bucket's WAL reaches in time (the newest object's stored-at). */
    private Optional<Instant> covered(RegisteredInstance pg) {
        return new BucketInventoryReader(BucketLayout.forSegmentSize(pg.walSegmentSize())).read(bed.bucket(pg)).inventory().wal()
                .stream().map(WalEntry::storedAt).max(Comparator.naturalOrder());
    }
}
