package io.tideline.archiver.wal;

import static io.tideline.archiver.wal.WalTestBed.MB;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micronaut.context.ApplicationContext;
import io.tideline.core.registry.RegisteredInstance;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.schemas.BackupCommand;
import io.tideline.schemas.BackupReason;
import io.tideline.schemas.WalGapDetected;
import io.tideline.testkit.FleetExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** WAL the server no longer has is a gap: reported, a base backup asked for, and streaming goes on past it. */
@ExtendWith({FleetExtension.class, WalTestBedExtension.class})
class WalGapIT {

    private static final Duration FLUSH = Duration.ofSeconds(2);

    private WalTestBed bed;

    @BeforeEach
    void start(WalTestBed bed) {
        this.bed = bed;
    }

    @Test
    void aDroppedSlotAndRemovedSegmentsAreReportedAsAGapWithABackupCommand() throws Exception {
        ApplicationContext archiver = bed.startArchiver(FLUSH);
        RegisteredInstance pg = bed.createInstance("wal-gap", MB);
        try (Connection c = bed.connect(pg); Statement s = c.createStatement()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> bed.slotRestart(pg).isAfter(Lsn.ZERO));
            Lsn begin = WalTestBed.query(c, "SELECT pg_current_wal_flush_lsn()");
            WalTestBed.workload(c, 2);
            Lsn archived = WalTestBed.switchWal(c);
            bed.awaitStored(pg, 1, WalSegmentName.of(1, begin, MB), archived, Duration.ofSeconds(30));
            bed.stop(archiver);

            // Nobody holds the WAL any more: drop the slot, let the server recycle what it wrote since.
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                s.execute("SELECT pg_drop_replication_slot('tideline_archiver')");
                return true;
            });
            s.execute("ALTER SYSTEM RESET wal_keep_size");
            s.execute("SELECT pg_reload_conf()");
            for (int i = 0; i < 3; i++) {
                WalTestBed.workload(c, 2);
                WalTestBed.switchWal(c);
                s.execute("CHECKPOINT");
            }
            WalSegmentName missing = WalSegmentName.of(1, archived, MB);
            assertFalse(serverHas(c, missing), "precondition: the server removed " + missing);
            // From here on the server keeps its recent WAL, so the resumed segments can still be compared
            // with its own files after the checkpoint of the backup the gap asks for (it may come after the
            // slot has moved past them).
            s.execute("ALTER SYSTEM SET wal_keep_size = '64MB'");
            s.execute("SELECT pg_reload_conf()");

            bed.startArchiver(FLUSH);
            await().atMost(Duration.ofSeconds(30)).until(() -> !bed.events(pg.id(), WalGapDetected.class).isEmpty()
                    && !bed.events(pg.id(), BackupCommand.class).isEmpty());
            WalGapDetected gap = bed.events(pg.id(), WalGapDetected.class).get(0);
            assertEquals(1, gap.getTimeline());
            assertEquals(archived.toString(), gap.getMissingFromLsn(), "the gap starts where the archive ends");
            Lsn availableFrom = Lsn.parse(gap.getMissingToLsn());
            assertTrue(availableFrom.isAfter(archived));
            assertTrue(gap.getReason().contains("removed"), gap.getReason());
            BackupCommand command = bed.events(pg.id(), BackupCommand.class).get(0);
            assertEquals(BackupReason.AFTER_WAL_GAP, command.getReason());
            assertEquals("archiver", command.getRequestedBy());
            assertEquals("wal-gap:" + pg.id().value() + ":1:" + archived, command.getCommandId());

            // streaming goes on from where the server has WAL again
            WalTestBed.workload(c, 2);
            Lsn end = WalTestBed.switchWal(c);
            WalSegmentName resumed = WalSegmentName.of(1, availableFrom, MB);
            bed.awaitStored(pg, 1, resumed, end, Duration.ofSeconds(30));
            Set<WalSegmentName> stored = bed.storedSegments(pg);
            int compared = 0;
            for (WalSegmentName segment : stored) {
                // The first resumed segments lie before the new slot's reserved start, so a checkpoint may
                // remove them from the server meanwhile; the ones after it are kept for us.
                if (segment.compareTo(resumed) < 0) {
                    continue;
                }
                byte[] onServer;
                try {
                    onServer = bed.serverSegment(pg, segment);
                } catch (java.io.UncheckedIOException e) {
                    if (e.getCause() instanceof java.nio.file.NoSuchFileException) {
                        continue;
                    }
                    throw e;
                }
                assertArrayEquals(onServer, bed.storedSegment(pg, segment), "segment " + segment);
                compared++;
            }
            assertTrue(compared > 0, "no resumed segment left on the server to compare with: " + stored);
            List<WalGapDetected> gaps = bed.events(pg.id(), WalGapDetected.class);
            assertTrue(gaps.stream().allMatch(g -> g.getEventId().equals(gap.getEventId())), "one gap, reported once: " + gaps);
        }
    }

    private static boolean serverHas(Connection c, WalSegmentName segment) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_ls_waldir() WHERE name = '" + segment + "'")) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }
}
