package io.tideline.archiver.wal;

import static io.tideline.archiver.wal.WalTestBed.MB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.WalSegmentStored;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** While the object store is down nothing is reported stored and the slot keeps the WAL; afterwards the archive catches up. */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
class WalOutageIT {

    private static final Duration FLUSH = Duration.ofSeconds(2);

    private WalTestBed bed;

    @BeforeEach
    void start(WalTestBed bed) {
        this.bed = bed;
    }

    @Test
    void anObjectStoreOutageDelaysTheArchiveButLosesNothing(Fleet fleet) throws Exception {
        ApplicationContext archiver = bed.startArchiver(FLUSH);
        RegisteredInstance pg = bed.createInstance("wal-outage", MB);
        Lsn begin;
        Lsn beforeOutage;
        try (Connection c = bed.connect(pg)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            WalTestBed.workload(c, 3);
            beforeOutage = WalTestBed.switchWal(c);
            WalSegmentName first = WalSegmentName.of(1, begin, MB);
            bed.awaitStored(pg, 1, first, beforeOutage, Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(10)).until(() -> !bed.slotRestart(pg).isBefore(beforeOutage));

            fleet.s3().stop();
            Instant outageBegan = Instant.now();
            Lsn slotAtOutage;
            Lsn duringOutage;
            try {
                Thread.sleep(500); // an upload confirmed just before the stop may still be reported
                slotAtOutage = bed.slotRestart(pg);
                int reportedBefore = bed.events(pg.id(), WalSegmentStored.class).size();
                WalTestBed.workload(c, 4);
                duringOutage = WalTestBed.switchWal(c);
                Thread.sleep(3 * FLUSH.toMillis());

                List<WalSegmentStored> reported = bed.events(pg.id(), WalSegmentStored.class);
                assertEquals(reportedBefore, reported.size(), "nothing is reported stored while the store is down: "
                        + reported.subList(reportedBefore, reported.size()));
                assertEquals(slotAtOutage, bed.slotRestart(pg), "the slot does not move: the server keeps the WAL");
                assertTrue(duringOutage.bytesSince(slotAtOutage) >= 4 * MB, "the server holds the unstored WAL");
                MeterRegistry meters = archiver.getBean(MeterRegistry.class);
                assertTrue(meters.get(WalStreamMetrics.UPLOAD_ERRORS).tag("instance", pg.id().value()).counter().count() > 0);
                assertTrue(meters.get(WalStreamMetrics.LAG_BYTES).tag("instance", pg.id().value()).gauge().value() > 0);
                assertTrue(meters.get(WalStreamMetrics.LAG_SECONDS).tag("instance", pg.id().value()).gauge().value() >= FLUSH.toSeconds());
            } finally {
                fleet.s3().start();
            }

            // back: everything from before, during and after the outage ends up stored, identical
            WalTestBed.workload(c, 2);
            Lsn end = WalTestBed.switchWal(c);
            bed.awaitStored(pg, 1, first, end, Duration.ofSeconds(60));
            for (long n = first.segmentNo(); n <= WalSegmentName.of(1, end.minus(1), MB).segmentNo(); n++) {
                WalSegmentName segment = new WalSegmentName(1, n, MB);
                assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !bed.slotRestart(pg).isBefore(end));
            assertTrue(bed.events(pg.id(), WalSegmentStored.class).stream()
                    .allMatch(e -> e.getStoredAt().isBefore(outageBegan.plusMillis(500)) || !e.getStoredAt().isBefore(outageBegan)),
                    "every event's time is a real store time");
        }
    }

    /**
     * Issue 18.4: complete segments are stored off the stream's thread, two at a time, and confirmed in order.
     * The real S3 server refusing segment n while it took n+1 must not move the slot past n nor report n+1;
     * once n is stored, everything is, identical, and reported in stream order.
     */
    @Test
    void aSegmentTheStoreRefusesHoldsTheSlotBeforeItThoughTheNextOneIsStored() throws Exception {
        bed.startArchiver(FLUSH);
        RegisteredInstance pg = bed.createInstance("wal-refused", MB);
        BucketLayout layout = BucketLayout.forSegmentSize(MB);
        try (Connection c = bed.connect(pg)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            WalSegmentName first = WalSegmentName.of(1, WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()"), MB);
            WalSegmentName refused = first.next();
            WalSegmentName after = refused.next();
            Lsn end;
            PutRefusal.refuse(bed.bucket(pg).bucket(), layout.walSegment(refused), layout.walSegment(after));
            try {
                WalTestBed.workload(c, 4);
                end = WalTestBed.switchWal(c);
                // n's first attempt was held until n+1 was stored, then refused; then two retries were refused too
                await().atMost(Duration.ofSeconds(90)).until(() -> PutRefusal.refusals() >= 3);
                assertTrue(bed.storedSegments(pg).contains(after), "segment n+1 was stored while n was refused");
                assertFalse(bed.storedSegments(pg).contains(refused));
                assertTrue(bed.slotRestart(pg).isBefore(refused.endLsn()),
                        "the slot is not past segment n: " + bed.slotRestart(pg) + " (n ends at " + refused.endLsn() + ")");
                assertTrue(bed.events(pg.id(), WalSegmentStored.class).stream()
                                .noneMatch(e -> !e.getPartial() && e.getSegment().toString().equals(after.toString())),
                        "segment n+1 is not reported stored before n");
            } finally {
                PutRefusal.allow();
            }

            bed.awaitStored(pg, 1, first, end, Duration.ofSeconds(60));
            for (long n = first.segmentNo(); n <= WalSegmentName.of(1, end.minus(1), MB).segmentNo(); n++) {
                WalSegmentName segment = new WalSegmentName(1, n, MB);
                assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !bed.slotRestart(pg).isBefore(end));
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.events(pg.id(), WalSegmentStored.class).stream()
                    .anyMatch(e -> !e.getPartial() && e.getSegment().toString().equals(after.toString())));
            List<String> reported = bed.events(pg.id(), WalSegmentStored.class).stream()
                    .filter(e -> !e.getPartial()).map(e -> e.getSegment().toString()).toList();
            assertEquals(reported.stream().sorted().toList(), reported, "complete segments reported in stream order");
        }
    }
}
