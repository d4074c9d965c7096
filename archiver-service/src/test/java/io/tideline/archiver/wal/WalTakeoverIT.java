package io.tideline.archiver.wal;

import static io.tideline.archiver.wal.WalTestBed.MB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.archiver.ArchiverApplication;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.WalGapDetected;
import io.tideline.schemas.WalSegmentStored;
import io.tideline.testkit.FleetExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An archiver process killed with SIGKILL in the middle of a workload, and another replica of the
 * group taking its instances over: the archive has every segment, byte for byte, no gap.
 */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
class WalTakeoverIT {

    private static final Duration FLUSH = Duration.ofSeconds(2);

    private WalTestBed bed;
    private Process child;

    @BeforeEach
    void start(WalTestBed bed) {
        this.bed = bed;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aKilledArchiversInstancesAreTakenOverWithoutLosingAByte() throws Exception {
        RegisteredInstance pg = bed.createInstance("wal-takeover", MB);
        child = startArchiverProcess(bed.archiverProperties(FLUSH));
        try (Connection c = bed.connect(pg)) {
            // the child JVM starts, joins the group and opens the stream: minutes under heavy load (CI), seconds idle
            await().atMost(Duration.ofMinutes(5)).until(() -> slotActive(c));
            Lsn begin = WalTestBed.query(c, "SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'tideline_archiver'");
            await().atMost(Duration.ofSeconds(30)).until(() -> !bed.events(pg.id(), WalSegmentStored.class).isEmpty());

            // a workload that keeps writing while the archiver dies and another takes over
            AtomicBoolean writing = new AtomicBoolean(true);
            AtomicReference<Exception> failed = new AtomicReference<>();
            Thread workload = new Thread(() -> {
                try (Connection w = bed.connect(pg)) {
                    while (writing.get()) {
                        WalTestBed.workload(w, 1);
                        Thread.sleep(100);
                    }
                } catch (Exception e) {
                    failed.set(e);
                }
            }, "workload");
            workload.start();
            int storedBeforeKill = bed.events(pg.id(), WalSegmentStored.class).size();
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.events(pg.id(), WalSegmentStored.class).size() >= storedBeforeKill + 3);

            child.destroyForcibly(); // SIGKILL: no revocation, no flush, no goodbye to the group
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            Lsn atKill = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");

            ApplicationContext replica = bed.startArchiver(FLUSH);
            // the group hands the partitions over once the dead member's session expires; meanwhile the slot keeps the WAL
            await().atMost(Duration.ofSeconds(60)).until(() -> replica.getBean(WalStreams.class).streaming().contains(pg.id())
                    && slotActive(c));
            Thread.sleep(2000);
            writing.set(false);
            workload.join(30_000);
            if (failed.get() != null) {
                throw failed.get();
            }
            Lsn end = WalTestBed.switchWal(c);
            assertTrue(end.bytesSince(atKill) > 0);

            WalSegmentName first = WalSegmentName.of(1, begin, MB);
            bed.awaitStored(pg, 1, first, end, Duration.ofSeconds(60));
            WalSegmentName last = WalSegmentName.of(1, end.minus(1), MB);
            for (long n = first.segmentNo(); n <= last.segmentNo(); n++) {
                WalSegmentName segment = new WalSegmentName(1, n, MB);
                assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), "segment " + segment);
            }
            assertTrue(last.segmentNo() - first.segmentNo() >= 5, "the workload spanned several segments: " + first + " .. " + last);
            assertTrue(bed.events(pg.id(), WalGapDetected.class).isEmpty(), "no gap");
        }
    }

    @Test
    void aJoiningReplicaTakesOverOnePartitionAfterTheOldOwnerStoredWhatItHeld() throws Exception {
        List<RegisteredInstance> fleetOfThree = new ArrayList<>();
        for (InstanceId id : bed.oneIdPerPartition("wal-move")) {
            fleetOfThree.add(bed.createInstance(id, MB));
        }
        ApplicationContext first = bed.startArchiver(FLUSH);
        WalStreams firstStreams = first.getBean(WalStreams.class);
        await().atMost(Duration.ofSeconds(60)).until(() -> firstStreams.streaming().size() == 3);
        Map<InstanceId, Lsn> begin = new HashMap<>();
        for (RegisteredInstance pg : fleetOfThree) {
            try (Connection c = bed.connect(pg)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> slotActive(c));
                begin.put(pg.id(), WalTestBed.query(c, "SELECT restart_lsn FROM pg_replication_slots"));
                WalTestBed.workload(c, 1); // unfinished segments in the first replica's memory
            }
        }

        ApplicationContext second = bed.startArchiver(FLUSH);
        WalStreams secondStreams = second.getBean(WalStreams.class);
        // cooperative rebalancing moves one of the three partitions, and only its instance
        await().atMost(Duration.ofSeconds(60)).until(() -> secondStreams.streaming().size() == 1
                && firstStreams.streaming().size() == 2);
        InstanceId moved = secondStreams.streaming().iterator().next();
        assertFalse(firstStreams.streaming().contains(moved), "never two replicas on one instance");
        for (RegisteredInstance pg : fleetOfThree) {
            try (Connection c = bed.connect(pg)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> slotActive(c));
                WalTestBed.workload(c, 2);
                Lsn end = WalTestBed.switchWal(c);
                WalSegmentName from = WalSegmentName.of(1, begin.get(pg.id()), MB);
                bed.awaitStored(pg, 1, from, end, Duration.ofSeconds(60));
                for (long n = from.segmentNo(); n <= WalSegmentName.of(1, end.minus(1), MB).segmentNo(); n++) {
                    WalSegmentName segment = new WalSegmentName(1, n, MB);
                    assertArrayEquals(bed.serverSegment(pg, segment), bed.storedSegment(pg, segment), pg.id() + " segment " + segment);
                }
            }
        }
        RegisteredInstance movedPg = fleetOfThree.stream().filter(p -> p.id().equals(moved)).findFirst().orElseThrow();
        assertTrue(bed.events(moved, WalSegmentStored.class).stream().anyMatch(WalSegmentStored::getPartial),
                "the old owner stored its growing segment when the partition was revoked: " + movedPg.id());
        assertTrue(bed.events(moved, WalGapDetected.class).isEmpty(), "no gap");
    }

    private static boolean slotActive(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT active FROM pg_replication_slots WHERE slot_name = 'tideline_archiver'")) {
            return rs.next() && rs.getBoolean(1);
        }
    }

    /** The archiver as its own JVM, configured like the in-test replicas, its log in target/. */
    private static Process startArchiverProcess(Map<String, Object> properties) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(ArchiverApplication.class.getName());
        Path log = Path.of("target", "wal-takeover-archiver.log").toAbsolutePath();
        Files.createDirectories(log.getParent());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
