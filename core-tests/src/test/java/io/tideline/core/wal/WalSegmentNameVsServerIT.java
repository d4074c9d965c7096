package io.tideline.core.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.PostgresExtension;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Checks {@link WalSegmentName} and {@link Lsn} against a real server's own arithmetic.
 *
 * <p>What the server does, and so what this test expects (PostgreSQL 15, {@code xlogfuncs.c}):
 * {@code pg_walfile_name(lsn)} and the {@code file_name} of {@code pg_walfile_name_offset(lsn)}
 * name the segment of the byte BEFORE {@code lsn} ({@code XLByteToPrevSeg}), because they are
 * meant for end positions such as the result of {@code pg_switch_wal()}; {@code file_offset} is
 * nevertheless {@code lsn}'s own offset. So for an LSN exactly at a segment start, the server
 * answers (previous segment, offset 0) while {@link WalSegmentName#of} answers the segment that
 * starts there; for any other LSN both agree. At {@code 0/0} the server's "previous byte" wraps
 * around to the very last segment ({@code ...FFFFFFFF000000FF}). The name uses the server's
 * current timeline, 1 on a fresh cluster.
 */
@ExtendWith(PostgresExtension.class)
class WalSegmentNameVsServerIT {

    @Test
    void namesMatchTheServerWith16MbSegments(PostgresClusters clusters) throws Exception {
        compareWithServer(clusters, clusters.create("walnames-16"), 16L << 20);
    }

    @Test
    void namesMatchTheServerWith64MbSegments(PostgresClusters clusters) throws Exception {
        compareWithServer(clusters, clusters.create("walnames-64", new InstanceSpec(64L << 20)), 64L << 20);
    }

    private static void compareWithServer(PostgresClusters clusters, ProvisionedInstance pg, long segmentSize) throws Exception {
        List<Lsn> lsns = interestingLsns(segmentSize);
        int atBoundary = 0;
        try (Connection c = clusters.connect(pg)) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT timeline_id FROM pg_control_checkpoint()")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "a fresh cluster is on timeline 1");
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_size_bytes(current_setting('wal_segment_size'))")) {
                rs.next();
                assertEquals(segmentSize, rs.getLong(1));
            }

            Array array = c.createArrayOf("text", lsns.stream().map(Lsn::toString).toArray());
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT l, l::pg_lsn::text, pg_walfile_name(l::pg_lsn), (pg_walfile_name_offset(l::pg_lsn)).*"
                            + " FROM unnest(?::text[]) WITH ORDINALITY AS u(l, n) ORDER BY n")) {
                ps.setArray(1, array);
                try (ResultSet rs = ps.executeQuery()) {
                    int i = 0;
                    while (rs.next()) {
                        Lsn lsn = lsns.get(i++);
                        assertEquals(lsn.toString(), rs.getString(1));
                        // The server prints LSNs exactly as Lsn does, and reads them back the same.
                        assertEquals(lsn, Lsn.parse(rs.getString(2)));

                        String serverName = rs.getString(3);
                        assertEquals(serverName, rs.getString("file_name"));
                        long serverOffset = rs.getLong("file_offset");

                        Lsn byteBefore = lsn.equals(Lsn.ZERO) ? Lsn.MAX : lsn.minus(1);
                        assertEquals(WalSegmentName.of(1, byteBefore, segmentSize).toString(), serverName, "pg_walfile_name(" + lsn + ")");
                        assertEquals(lsn.segmentOffset(segmentSize), serverOffset, "file_offset of " + lsn);
                        WalSegmentName holding = WalSegmentName.of(1, lsn, segmentSize);
                        if (lsn.isSegmentStart(segmentSize)) {
                            atBoundary++;
                            assertNotEquals(holding.toString(), serverName, "at a segment start the server names the previous segment");
                            if (!lsn.equals(Lsn.ZERO)) {
                                assertEquals(holding.previous(), WalSegmentName.parse(serverName, segmentSize));
                            }
                        } else {
                            assertEquals(holding.toString(), serverName, "inside a segment both name the same file");
                            assertEquals(holding, WalSegmentName.parse(serverName, segmentSize));
                        }
                    }
                    assertEquals(lsns.size(), i);
                }
            }

            // The file that holds the current write position exists under the name we compute.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT pg_current_wal_lsn()::text, array_agg(name::text) FROM pg_ls_waldir()")) {
                rs.next();
                Lsn current = Lsn.parse(rs.getString(1));
                List<Object> files = List.of((Object[]) rs.getArray(2).getArray());
                assertTrue(files.contains(WalSegmentName.of(1, current, segmentSize).toString()),
                        "pg_wal " + files + " should hold the segment of " + current);
            }
        }
        assertTrue(lsns.size() >= 300, "compared " + lsns.size() + " LSNs");
        assertTrue(atBoundary >= 10, "compared only " + atBoundary + " segment starts");
    }

    /** Random positions over the whole 64-bit range plus the edges of segments and log ids. */
    private static List<Lsn> interestingLsns(long segmentSize) {
        Set<Lsn> lsns = new LinkedHashSet<>();
        long perLogId = 0x1_0000_0000L / segmentSize;
        long[] segments = {0, 1, 2, perLogId - 1, perLogId, perLogId + 1, 2 * perLogId - 1, 2 * perLogId,
                0x16B3L, 0x7FFF_FFFFL * perLogId, 0x8000_0000L * perLogId, Long.divideUnsigned(-1L, segmentSize)};
        for (long seg : segments) {
            long start = seg * segmentSize;
            lsns.add(new Lsn(start));
            lsns.add(new Lsn(start + 1));
            lsns.add(new Lsn(start + segmentSize - 1));
            if (start != 0) {
                lsns.add(new Lsn(start - 1));
            }
        }
        lsns.add(Lsn.MAX);
        lsns.add(Lsn.parse("7FFFFFFF/FFFFFFFF"));
        lsns.add(Lsn.parse("80000000/0"));
        lsns.add(Lsn.parse("0/FFFFFFFF"));
        lsns.add(Lsn.parse("1/0"));
        SplittableRandom random = new SplittableRandom(segmentSize);
        while (lsns.size() < 360) {
            long v = random.nextLong();
            lsns.add(new Lsn(v));
            // Also positions of realistic size, and exact segment starts among them.
            lsns.add(new Lsn(random.nextLong(1L << 40)));
            lsns.add(new Lsn(random.nextLong(1L << 24) * segmentSize));
        }
        return new ArrayList<>(lsns);
    }
}
