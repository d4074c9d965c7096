package io.tideline.archiver.wal;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.storage.StoredObject;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The restorable window ends at the newest WAL object's {@code stored-at}, so an object must hold every
 * commit made before its {@code stored-at} — also when the archive runs behind the server (here: the object
 * store down for a while, uploads held back, then the backlog stored). Checked against samples of
 * (flush position, then the server's clock) taken after every commit of a steady workload.
 */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
class WalCommitCoverageIT {

    private static final Duration FLUSH = Duration.ofSeconds(1);
    private static final long MB = 1 << 20;

    private record Sample(Lsn flushed, Instant at) {
    }

    private WalTestBed bed;

    @BeforeEach
    void start(WalTestBed bed) {
        this.bed = bed;
    }

    @Test
    void everyCommitBeforeAnObjectsStoredAtIsInsideItEvenWhenTheArchiveRanBehind(Fleet fleet) throws Exception {
        bed.startArchiver(FLUSH);
        RegisteredInstance pg = bed.createInstance("wal-covers", MB);
        List<Sample> samples = new ArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        Lsn begin;
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            s.execute("CREATE TABLE commits (n int, pad text)");
            begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            CompletableFuture<Void> workload = CompletableFuture.runAsync(() -> {
                try (Connection w = bed.connect(pg); Statement ws = w.createStatement()) {
                    for (int n = 0; running.get(); n++) {
                        ws.execute("INSERT INTO commits SELECT " + n + ", repeat('x', 2000) FROM generate_series(1, 20)");
                        // The position first, then the clock: the sample's time is no earlier than its position.
                        try (ResultSet rs = ws.executeQuery("SELECT pg_current_wal_flush_lsn()::text, clock_timestamp()")) {
                            rs.next();
                            synchronized (samples) {
                                samples.add(new Sample(Lsn.parse(rs.getString(1)), rs.getTimestamp(2).toInstant()));
                            }
                        }
                        Thread.sleep(5);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                Thread.sleep(3_000);
                fleet.s3().stop();               // the archive falls behind: uploads fail and are retried
                try {
                    Thread.sleep(5_000);
                } finally {
                    fleet.s3().start();
                }
                Thread.sleep(3_000);
            } finally {
                running.set(false);
                workload.join();
            }
            Lsn end = WalTestBed.switchWal(c);
            bed.awaitStored(pg, 1, WalSegmentName.of(1, begin, MB), end, Duration.ofSeconds(60));
        }

        ObjectStore bucket = bed.bucket(pg);
        BucketLayout layout = BucketLayout.forSegmentSize(MB);
        int objects = 0;
        int checked = 0;
        for (StoredObject listed : bucket.list(layout.walPrefix())) {
            if (!(layout.parse(listed.key()) instanceof io.tideline.core.storage.ObjectKind.WalSegment)
                    && !(layout.parse(listed.key()) instanceof io.tideline.core.storage.ObjectKind.WalPartial)) {
                continue;
            }
            Optional<StoredObject> head = bucket.head(listed.key());
            if (head.isEmpty()) {
                continue;
            }
            WalObjectMetadata meta = WalObjectMetadata.from(head.get());
            if (meta.storedAt().isEmpty()) {
                continue;
            }
            objects++;
            Instant storedAt = meta.storedAt().get();
            for (Sample sample : samples) {
                if (!sample.at().isAfter(storedAt)) {
                    checked++;
                    assertTrue(!sample.flushed().isAfter(meta.endLsn()), () -> listed.key() + " claims every commit up to "
                            + storedAt + " but ends at " + meta.endLsn() + ", while WAL was flushed to " + sample.flushed()
                            + " at " + sample.at());
                }
            }
        }
        assertTrue(objects >= 5, "WAL objects with a stored-at: " + objects);
        assertTrue(checked >= 1_000, "commits checked against objects: " + checked + " (of " + samples.size() + " samples)");
    }
}
