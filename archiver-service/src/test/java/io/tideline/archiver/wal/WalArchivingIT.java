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
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.WalSegmentStored;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** Continuous archiving against a real server, Kafka and S3: what is stored is exactly the server's WAL, in time. */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WalArchivingIT {

    private static final Duration FLUSH = Duration.ofSeconds(2);

    private WalTestBed bed;
    private ApplicationContext archiver;

    @BeforeAll
    void start(WalTestBed bed) {
        this.bed = bed;
        Map<String, Object> props = bed.archiverProperties(FLUSH);
        props.put("tideline.archiver.wal.idle-release", "3s");
        archiver = bed.startArchiver(props);
    }


    @Test
    void everyCompletedSegmentIsTheServersFileByteForByteWithItsSha256Recorded() throws Exception {
        RegisteredInstance pg = bed.onboard("wal-identical");
        assertEquals(16 * MB, pg.walSegmentSize(), "made as `tideline instance create` makes it");
        Lsn end;
        Lsn begin;
        try (Connection c = bed.connect(pg)) {
            begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            WalTestBed.workload(c, 40);
            end = WalTestBed.switchWal(c);
        }
        WalSegmentName first = WalSegmentName.of(1, begin, pg.walSegmentSize());
        bed.awaitStored(pg, 1, first, end, Duration.ofSeconds(90));

        BucketLayout layout = BucketLayout.forSegmentSize(pg.walSegmentSize());
        Set<WalSegmentName> stored = bed.storedSegments(pg);
        assertTrue(stored.size() >= 3, "40 MB of WAL fill several 16 MB segments: " + stored);
        List<WalSegmentStored> events = bed.events(pg.id(), WalSegmentStored.class);
        for (WalSegmentName segment : stored) {
            byte[] archived = bed.storedSegment(pg, segment);
            assertArrayEquals(bed.serverSegment(pg, segment), archived, "segment " + segment);
            StoredObject object = bed.bucket(pg).head(layout.walSegment(segment)).orElseThrow();
            WalObjectMetadata meta = WalObjectMetadata.from(object);
            assertEquals(Sha256.of(archived), meta.rawSha256(), "raw sha256 in the metadata of " + segment);
            assertEquals(segment.startLsn(), meta.startLsn());
            assertEquals(segment.endLsn(), meta.endLsn());
            await().atMost(Duration.ofSeconds(10)).until(() -> bed.events(pg.id(), WalSegmentStored.class).stream()
                    .anyMatch(e -> !e.getPartial() && e.getSegment().equals(segment.toString())));
            WalSegmentStored event = bed.events(pg.id(), WalSegmentStored.class).stream()
                    .filter(e -> !e.getPartial() && e.getSegment().equals(segment.toString())).findFirst().orElseThrow();
            assertEquals(Sha256.of(archived).hex(), event.getSha256());
            assertEquals(16 * MB, event.getBytes());
            assertEquals(object.size(), event.getStoredBytes());
            assertEquals(segment.startLsn().toString(), event.getStartLsn());
            assertEquals(segment.endLsn().toString(), event.getEndLsn());
            assertEquals(layout.walSegment(segment), event.getObjectKey());
            // stamped just before the PUT, so no later than the store's write nor the confirmation the event reports
            Instant storedAt = meta.storedAt().orElseThrow(() -> new AssertionError("no stored-at on " + segment));
            assertFalse(storedAt.isAfter(object.lastModified().plusSeconds(1)), storedAt + " vs Last-Modified " + object.lastModified());
            assertFalse(storedAt.isAfter(event.getStoredAt().plusMillis(1)), storedAt + " vs confirmed " + event.getStoredAt());
            assertEquals(storedAt, event.getCoveredUntil(), "the event reports the coverage the bucket records for " + segment);
        }
        assertFalse(events.isEmpty());
        // once complete, a segment's partial is gone
        await().atMost(Duration.ofSeconds(10)).until(() -> stored.stream()
                .noneMatch(s -> bed.bucket(pg).head(layout.walPartial(s)).isPresent()));
        // and the slot lets the server recycle what is stored
        await().atMost(Duration.ofSeconds(10)).until(() -> !bed.slotRestart(pg).isBefore(WalSegmentName.of(1, end.minus(1),
                pg.walSegmentSize()).startLsn()));
    }

    @Test
    void aCommittedRowIsCoveredByStoredWalWithinTheFlushInterval() throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-flush", MB);
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            // let the stream settle so the measured commit starts a fresh flush period
            Thread.sleep(FLUSH.toMillis() + 500);
            for (int round = 0; round < 3; round++) {
                Instant before = Instant.now();
                s.execute("INSERT INTO orders VALUES (" + round + ", 'committed')"); // autocommit: committed on return
                Instant committedAt = Instant.now();
                Lsn commitEnd = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");

                Duration promise = FLUSH.plus(Duration.ofMillis(1500)); // the flush interval + a small margin
                await().atMost(promise).pollInterval(Duration.ofMillis(50)).until(() -> coveredBy(pg, commitEnd).isPresent());
                WalSegmentStored covering = coveredBy(pg, commitEnd).orElseThrow();
                Instant storedAt = covering.getStoredAt();
                assertTrue(!storedAt.isAfter(committedAt.plus(promise)), "stored at " + storedAt + ", committed at " + committedAt);
                // the event tells the truth: the object it names holds the commit
                StoredObject object = bed.bucket(pg).head(covering.getObjectKey()).orElseThrow();
                WalObjectMetadata meta = WalObjectMetadata.from(object);
                assertFalse(meta.endLsn().isBefore(commitEnd));
                // and what it covers in the primary's time (a later upload of the partial may have replaced it
                // since, covering more), no later than the confirmation
                assertFalse(meta.storedAt().orElseThrow().isBefore(covering.getCoveredUntil()));
                assertFalse(covering.getCoveredUntil().isAfter(storedAt), covering.getCoveredUntil() + " vs confirmed " + storedAt);
                // the object holds the commit record, so it reaches every target before the commit's own stamp
                // (taken after `before`): the record's time, not the send time less its allowance
                assertFalse(covering.getCoveredUntil().isBefore(before.minusMillis(1)),
                        "covered until " + covering.getCoveredUntil() + ", commit stamped after " + before);
                Thread.sleep(700);
            }
        }
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(meters, WalStreamMetrics.LAG_BYTES, pg) == 0.0);
        assertTrue(meters.get(WalStreamMetrics.STORED_BYTES).tag("instance", pg.id().value()).counter().count() > 0);
        assertEquals(1.0, gauge(meters, WalStreamMetrics.STREAMING, pg));
    }

    @Test
    void manySegmentsInQuickSuccessionAreAllStoredAndIdentical() throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-many", MB);
        Lsn begin;
        Lsn end;
        try (Connection c = bed.connect(pg)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            WalTestBed.workload(c, 25);
            end = WalTestBed.switchWal(c);
        }
        WalSegmentName first = WalSegmentName.of(1, begin, MB);
        bed.awaitStored(pg, 1, first, end, Duration.ofSeconds(60));
        WalSegmentName last = WalSegmentName.of(1, end.minus(1), MB);
        assertTrue(last.segmentNo() - first.segmentNo() >= 20, "many 1 MB segments: " + first + " .. " + last);
        for (long n = first.segmentNo(); n <= last.segmentNo(); n++) {
            WalSegmentName segment = new WalSegmentName(1, n, MB);
            assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
        }
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        double segments = meters.get(WalStreamMetrics.STORED_SEGMENTS).tag("instance", pg.id().value()).counter().count();
        assertTrue(segments >= last.segmentNo() - first.segmentNo(), "counted " + segments);
    }

    @Test
    void anIdleStreamHoldsNoMemoryAndPicksUpFromItsStoredPartial() throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-idle", MB);
        MeterRegistry meters = archiver.getBean(MeterRegistry.class);
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            s.execute("CREATE TABLE t (x int)");
            s.execute("INSERT INTO t SELECT generate_series(1, 1000)");
            Lsn written = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            WalSegmentName segment = WalSegmentName.of(1, written, MB);
            assertTrue(written.segmentOffset(MB) > 0, "the segment is partly filled");

            // stored as a partial, then the quiet stream lets go of its buffer
            await().atMost(Duration.ofSeconds(20)).until(() -> gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg) == 0.0
                    && coveredBy(pg, written).isPresent());
            assertEquals(0.0, gauge(meters, WalStreamMetrics.LAG_SECONDS, pg));

            // WAL again: the segment is completed from the stored partial plus the new bytes, exactly the server's
            WalTestBed.workload(c, 2);
            Lsn end = WalTestBed.switchWal(c);
            bed.awaitStored(pg, 1, segment, end, Duration.ofSeconds(30));
            assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
            assertTrue(gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg) <= 3 * MB,
                    "one segment and its compressed frames at most: " + gauge(meters, WalStreamMetrics.BUFFER_BYTES, pg));
        }
    }

    private Optional<WalSegmentStored> coveredBy(RegisteredInstance pg, Lsn position) {
        return bed.events(pg.id(), WalSegmentStored.class).stream()
                .filter(e -> !Lsn.parse(e.getEndLsn()).isBefore(position))
                .findFirst();
    }

    private static double gauge(MeterRegistry meters, String name, RegisteredInstance pg) {
        return meters.get(name).tag("instance", pg.id().value()).gauge().value();
    }
}
