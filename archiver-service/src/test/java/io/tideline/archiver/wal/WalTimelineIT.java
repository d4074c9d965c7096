package io.tideline.archiver.wal;

import static io.tideline.archiver.wal.WalTestBed.MB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.micronaut.context.ApplicationContext;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.Fleet;
import io.tideline.testkit.FleetExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A timeline switch on the archived server (it is restarted as a standby of itself and promoted,
 * as after a failover): the old timeline is stored up to the fork, the history file is stored, and
 * streaming follows the new timeline, every segment identical to the server's files.
 */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
class WalTimelineIT {

    private static final Duration FLUSH = Duration.ofSeconds(2);

    private WalTestBed bed;

    @BeforeEach
    void start(WalTestBed bed) {
        this.bed = bed;
    }

    @Test
    void aPromotionWhileStreamingIsFollowedOntoTheNewTimeline(Fleet fleet) throws Exception {
        promoteAndCheck(fleet, true);
    }

    @Test
    void anArchiverThatWasDownStreamsTheOldTimelineUpToTheForkThenTheNewOne(Fleet fleet) throws Exception {
        promoteAndCheck(fleet, false);
    }

    private void promoteAndCheck(Fleet fleet, boolean streamingThroughTheSwitch) throws Exception {
        Map<String, Object> props = bed.archiverProperties(FLUSH);
        props.put("tideline.archiver.wal.socket-timeout", "5s"); // the stream the promotion ends is noticed sooner
        ApplicationContext archiver = bed.startArchiver(props);
        RegisteredInstance pg = bed.createInstance("wal-timeline", MB);
        InstanceId id = pg.id();
        Lsn begin;
        try (Connection c = bed.connect(pg)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            if (!streamingThroughTheSwitch) {
                bed.stop(archiver); // the slot keeps timeline 1's WAL until the archiver is back
            }
            WalTestBed.workload(c, 3);
        }

        // restart the server as a standby of itself, then promote it: timeline 2 forks at the end of timeline 1
        Path pgdata = fleet.postgres().provisioner().get(id).dataDir();
        fleet.postgres().provisioner().stop(id);
        Path signal = Files.createFile(pgdata.resolve("standby.signal"));
        UserPrincipal postgres = pgdata.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(signal, postgres);
        fleet.postgres().provisioner().start(id);
        Lsn end;
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            s.execute("SELECT pg_promote()");
            await().atMost(Duration.ofSeconds(30)).until(() -> WalTestBed.query(c,
                    "SELECT CASE WHEN pg_is_in_recovery() THEN '0/0' ELSE '0/1' END").equals(Lsn.parse("0/1")));
            WalTestBed.workload(c, 3);
            end = WalTestBed.switchWal(c);
        }
        if (!streamingThroughTheSwitch) {
            bed.startArchiver(props);
        }
        String historyContent = Files.readString(pgdata.resolve("pg_wal").resolve("00000002.history"));
        TimelineHistory history = TimelineHistory.parse(2, historyContent);
        Lsn fork = history.switchPointOf(1).orElseThrow();
        WalSegmentName forkSegment = WalSegmentName.of(2, fork, MB);

        // timeline 2 from the fork's segment on, complete and identical
        bed.awaitStored(pg, 2, forkSegment, end, Duration.ofSeconds(90));
        BucketLayout layout = BucketLayout.forSegmentSize(MB);
        for (long n = forkSegment.segmentNo(); n <= WalSegmentName.of(2, end.minus(1), MB).segmentNo(); n++) {
            WalSegmentName segment = new WalSegmentName(2, n, MB);
            assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
        }
        // timeline 1 up to the fork: complete segments before it, identical
        WalSegmentName first = WalSegmentName.of(1, begin, MB);
        for (long n = first.segmentNo(); n < forkSegment.segmentNo(); n++) {
            WalSegmentName segment = new WalSegmentName(1, n, MB);
            assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
        }
        // the history file, as the server has it
        byte[] storedHistory = bed.bucket(pg).get(layout.timelineHistory(2));
        assertEquals(historyContent, new String(storedHistory, StandardCharsets.UTF_8));
        // the old timeline's part of the fork segment, if it was stored as a partial, is exactly the server's bytes up to the fork
        var partial = bed.bucket(pg).head(layout.walPartial(forkSegment.onTimeline(1)));
        if (partial.isPresent()) {
            WalObjectMetadata meta = WalObjectMetadata.from(partial.get());
            assertFalse(meta.endLsn().isAfter(fork), "the old timeline is never stored past its fork");
            byte[] compressed = bed.bucket(pg).getVerified(layout.walPartial(forkSegment.onTimeline(1)));
            byte[] bytes = Zstd.decompress(compressed, (int) meta.rawBytes());
            byte[] server = bed.serverSegment(pg, forkSegment.onTimeline(1));
            assertArrayEquals(Arrays.copyOf(server, bytes.length), bytes);
        }
        assertTrue(bed.storedSegments(pg).stream().noneMatch(s -> s.timeline() == 1 && s.segmentNo() >= forkSegment.segmentNo()),
                "no complete timeline-1 segment at or after the fork");
        if (!streamingThroughTheSwitch && fork.segmentOffset(MB) > 0) {
            assertTrue(partial.isPresent(), "timeline 1 was streamed up to its fork inside segment " + forkSegment);
            assertEquals(fork, WalObjectMetadata.from(partial.get()).endLsn());
        }
    }
}
