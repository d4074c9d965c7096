package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.instance.InstanceSpec;
import io.tideline.core.instance.ProvisionedInstance;
import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.PostgresClusters;
import io.tideline.testkit.PostgresExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scanner against a real server's WAL: every commit and abort record {@code pg_waldump} lists, with
 * the same timestamp, in the same order, from the WAL fed in random pieces; none invented when the stream
 * starts mid-page or a record is damaged. 1 MB segments, so many records cross pages and segments.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CommitRecordScannerIT {

    private static final long SEGMENT = 1L << 20;
    private static final Pattern DUMPED = Pattern.compile(
            "tx: +(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+),.*desc: (COMMIT|ABORT) (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) UTC");
    private static final DateTimeFormatter DUMP_TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd().toFormatter();

    private byte[] wal;
    private long walStart;
    private List<Dumped> expected;

    private record Dumped(Lsn start, Instant at, long xid, boolean committed) {
    }

    private record Found(Lsn end, Instant at) {
    }

    private record Ended(long xid, boolean committed, Lsn end) {
    }

    @BeforeAll
    void writeWal(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("commit-scan", new InstanceSpec(SEGMENT));
        Lsn begin;
        Lsn end;
        try (Connection c = clusters.connect(pg); Statement s = c.createStatement()) {
            begin = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            s.execute("CREATE TABLE t (id int, v text)");
            for (int i = 0; i < 3000; i++) { // small commits: many of them straddle a page or segment boundary
                s.execute("INSERT INTO t VALUES (" + i + ", repeat('x', " + (i % 300) + "))");
            }
            c.setAutoCommit(false);
            s.execute("INSERT INTO t VALUES (-1, 'rolled back')");
            c.rollback(); // an abort record
            for (int i = 0; i < 1500; i++) { // a commit record listing 1,500 subtransactions: longer than a page
                s.execute("SAVEPOINT p" + i);
                s.execute("INSERT INTO t VALUES (" + i + ", 'sub')");
            }
            c.commit();
            for (int i = 0; i < 40; i++) { // commit records listing dropped relations
                s.execute("CREATE TABLE drop_me_" + i + " (x int)");
            }
            c.commit();
            for (int i = 0; i < 40; i++) {
                s.execute("DROP TABLE drop_me_" + i);
            }
            c.commit();
            c.setAutoCommit(true);
            s.execute("INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
            end = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            s.execute("SELECT pg_switch_wal()");
        }
        WalSegmentName first = WalSegmentName.of(1, begin, SEGMENT);
        WalSegmentName last = WalSegmentName.of(1, end, SEGMENT);
        Path pgWal = pg.dataDir().resolve("pg_wal");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (WalSegmentName seg = first; !seg.equals(last.next()); seg = seg.next()) {
            bytes.write(Files.readAllBytes(pgWal.resolve(seg.toString())));
        }
        wal = bytes.toByteArray();
        walStart = first.startLsn().value();
        expected = waldump(clusters.provisioner().config().binDir().resolve("pg_waldump"), pgWal, first, last);
        assertTrue(expected.size() > 3000, "pg_waldump lists the workload's commits: " + expected.size());
    }

    @Test
    void findsEveryCommitAndAbortThatPgWaldumpListsFromWalFedInRandomPieces() {
        for (long seed = 1; seed <= 3; seed++) {
            List<Found> found = scan(wal, 0, new Random(seed));
            assertEquals(expected.size(), found.size(), "records found (seed " + seed + ")");
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).at(), found.get(i).at(), "timestamp of the record at " + expected.get(i).start());
                assertTrue(found.get(i).end().isAfter(expected.get(i).start()), "ends after it starts: " + found.get(i));
                if (i + 1 < expected.size()) {
                    assertFalse(found.get(i).end().isAfter(expected.get(i + 1).start()), "ends before the next begins");
                }
            }
        }
    }

    @Test
    void reportsTheTransactionIdAndOutcomeOfEachRecordAsPgWaldumpDoes() {
        List<Ended> ended = new ArrayList<>();
        List<Found> found = scan(wal, 0, new Random(11), ended);
        assertEquals(expected.size(), ended.size(), "a transaction end for every plain commit/abort record");
        for (int i = 0; i < expected.size(); i++) {
            Dumped d = expected.get(i);
            assertEquals(d.xid(), ended.get(i).xid(), "xid of the record at " + d.start());
            assertEquals(d.committed(), ended.get(i).committed(), "outcome of the record at " + d.start());
            assertEquals(found.get(i).end(), ended.get(i).end());
        }
        assertTrue(expected.stream().anyMatch(d -> !d.committed()), "the workload has an abort");
    }

    @Test
    void aStreamStartingMidPageFindsTheCommitsAfterTheNextPageStartAndInventsNone() {
        int from = (int) (SEGMENT + 5 * CommitRecordScanner.PAGE + 1234); // inside a record, inside a page
        List<Found> found = scan(wal, from, new Random(7));
        List<Instant> all = expected.stream().map(Dumped::at).toList();
        List<Instant> times = found.stream().map(Found::at).toList();
        assertFalse(times.isEmpty());
        assertEquals(all.subList(all.size() - times.size(), all.size()), times, "a suffix of what pg_waldump lists");
        long firstPage = walStart + from + CommitRecordScanner.PAGE - from % CommitRecordScanner.PAGE;
        long missed = expected.stream().filter(d -> d.start().value() >= firstPage).count() - times.size();
        assertEquals(0, missed, "every record that starts after the first page header is found");
    }

    @Test
    void aDamagedRecordIsNotBelievedAndTheOthersStillAre() {
        List<Found> clean = scan(wal, 0, new Random(1));
        Found victim = clean.get(clean.size() / 2);
        byte[] damaged = wal.clone();
        int at = (int) (victim.end().value() - walStart - 1);
        damaged[at] ^= 0x40;
        List<Found> found = scan(damaged, 0, new Random(1));
        List<Found> expectedFound = new ArrayList<>(clean);
        expectedFound.remove(victim);
        assertEquals(expectedFound, found);
    }

    private List<Found> scan(byte[] bytes, int from, Random random) {
        return scan(bytes, from, random, new ArrayList<>());
    }

    private List<Found> scan(byte[] bytes, int from, Random random, List<Ended> ended) {
        List<Found> found = new ArrayList<>();
        CommitRecordScanner scanner = new CommitRecordScanner(SEGMENT, new CommitRecordScanner.Listener() {
            @Override
            public void commit(Lsn recordEnd, Instant xactTime) {
                found.add(new Found(recordEnd, xactTime));
            }

            @Override
            public void transactionEnd(long xid, boolean committed, Lsn recordEnd, Instant xactTime) {
                ended.add(new Ended(xid, committed, recordEnd));
            }
        });
        int i = from;
        while (i < bytes.length) {
            int n = Math.min(bytes.length - i, 1 + random.nextInt(random.nextBoolean() ? 64 : 40_000));
            scanner.feed(new Lsn(walStart + i), bytes, i, n);
            i += n;
        }
        assertEquals(found.size(), scanner.found());
        return found;
    }

    private static List<Dumped> waldump(Path pgWaldump, Path pgWal, WalSegmentName first, WalSegmentName last)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(pgWaldump.toString(), "-p", pgWal.toString(), "-r", "Transaction",
                first.toString(), last.toString()).redirectErrorStream(true);
        pb.environment().put("TZ", "UTC");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<Dumped> dumped = new ArrayList<>();
        Matcher m = DUMPED.matcher(out);
        while (m.find()) {
            dumped.add(new Dumped(Lsn.parse(m.group(2)), LocalDateTime.parse(m.group(4), DUMP_TIME).toInstant(ZoneOffset.UTC),
                    Long.parseLong(m.group(1)), m.group(3).equals("COMMIT")));
        }
        return dumped;
    }

    private static Lsn lsn(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return Lsn.parse(rs.getString(1));
        }
    }
}
