package io.tideline.archiver.changes;

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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The undo finder's scan against {@code pg_waldump} on a recorded workload — a large DELETE (crossing
 * segments, its first touch of each page carrying a full-page image), HOT and non-HOT UPDATEs, TOASTed rows
 * deleted, many small transactions with committed and rolled-back savepoints, a rolled-back DELETE,
 * TRUNCATE, DROP TABLE and DROP DATABASE — compared per transaction: the same destructive transactions, the
 * same rows deleted and updated per relation file, the same files and databases dropped. The WAL is fed in
 * random pieces; started in the middle of the large DELETE, nothing claimed complete is wrong; a damaged
 * record is not believed. 1 MB segments.
 */
@ExtendWith(PostgresExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChangeIndexScanIT {

    private static final long SEGMENT = 1L << 20;
    private static final Pattern LINE = Pattern.compile("^rmgr: (\\w+)\\s+len \\(rec/tot\\):\\s+\\d+/\\s*\\d+, tx:\\s+(\\d+), lsn: ([0-9A-F]+/[0-9A-F]+), prev [0-9A-F/]+, desc: (.*)$",
            Pattern.MULTILINE);
    private static final Pattern HEAP = Pattern.compile("^(DELETE|UPDATE|HOT_UPDATE) .*blkref #0: rel (\\d+)/(\\d+)/(\\d+) ");
    private static final Pattern RELS = Pattern.compile("rels: ([^;]*)");
    private static final Pattern SUBXACTS = Pattern.compile("subxacts: ([\\d ]*)");
    private static final Pattern REL_PATH = Pattern.compile("(?:base/(\\d+)/(\\d+)|global/(\\d+)|pg_tblspc/\\d+/[^/]+/(\\d+)/(\\d+))");
    private static final Pattern DB_DROP = Pattern.compile("^DROP dir \\d+/(\\d+)");

    private byte[] wal;
    private long walStart;
    /** What pg_waldump says, per committed destructive transaction, in commit order. */
    private Map<Long, Outcome> expected;
    private long bigDeleteXid;

    /** A transaction's effects, relation files as (database, relfilenode) — pg_waldump's rel paths omit the default tablespace. */
    record Outcome(Map<List<Long>, Long> deleted, Map<List<Long>, Long> updated, Set<List<Long>> droppedFiles, Set<Long> droppedDatabases) {
        static Outcome of(CommittedTransaction t) {
            Map<List<Long>, Long> deleted = new HashMap<>();
            t.deleted().forEach((f, n) -> deleted.put(List.of(f.database(), f.relfilenode()), n));
            Map<List<Long>, Long> updated = new HashMap<>();
            t.updated().forEach((f, n) -> updated.put(List.of(f.database(), f.relfilenode()), n));
            Set<List<Long>> dropped = new HashSet<>();
            t.droppedFiles().forEach(f -> dropped.add(List.of(f.database(), f.relfilenode())));
            return new Outcome(deleted, updated, dropped, new HashSet<>(t.droppedDatabases()));
        }
    }

    @BeforeAll
    void recordWorkload(PostgresClusters clusters) throws Exception {
        ProvisionedInstance pg = clusters.create("undo-scan", new InstanceSpec(SEGMENT));
        Lsn begin;
        Lsn end;
        try (Connection c = clusters.connect(pg); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET wal_keep_size = '1GB'"); // the checkpoints below must not recycle the recorded WAL
            s.execute("SELECT pg_reload_conf()");
            s.execute("CREATE TABLE orders (id int PRIMARY KEY, note text)");
            s.execute("INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 50000) g");
            s.execute("CREATE TABLE docs (id int, body text)");
            s.execute("ALTER TABLE docs ALTER COLUMN body SET STORAGE EXTERNAL"); // TOASTed, uncompressed
            s.execute("INSERT INTO docs SELECT g, repeat(md5(g::text), 200) FROM generate_series(1, 50) g");
            s.execute("CREATE TABLE gone (x int PRIMARY KEY, y text)");
            s.execute("INSERT INTO gone SELECT g, 'y' FROM generate_series(1, 100) g");
            s.execute("CREATE TABLE emptied (x int)");
            s.execute("INSERT INTO emptied SELECT generate_series(1, 100)");
            s.execute("CREATE DATABASE scratch STRATEGY FILE_COPY");
            s.execute("CHECKPOINT"); // the deletes below carry full-page images
            begin = lsn(s, "SELECT pg_current_wal_insert_lsn()");
            bigDeleteXid = Long.parseLong(string(s, "SELECT pg_current_xact_id()::text")) + 1;
            s.execute("DELETE FROM orders WHERE id % 5 <> 0"); // 40,000 rows, over a megabyte of WAL
            s.execute("CHECKPOINT"); // a RUNNING_XACTS after it
            s.execute("UPDATE orders SET note = 'hot' WHERE id <= 5000"); // HOT where the page has room
            s.execute("UPDATE orders SET id = id + 1000000 WHERE id BETWEEN 5001 AND 5200"); // key changes: not HOT
            s.execute("DELETE FROM docs WHERE id <= 10"); // TOAST chunks too
            c.setAutoCommit(false);
            s.execute("DELETE FROM orders WHERE id BETWEEN 10000 AND 10100");
            c.rollback(); // aborted: nothing to index
            for (int i = 0; i < 300; i++) { // many small transactions, some with savepoints
                int id = 20000 + i * 5;
                if (i % 3 == 0) {
                    s.execute("SAVEPOINT a");
                    s.execute("DELETE FROM orders WHERE id = " + id);
                    s.execute("RELEASE SAVEPOINT a");
                    s.execute("SAVEPOINT b");
                    s.execute("DELETE FROM orders WHERE id = " + (id + 100000));
                    s.execute("UPDATE orders SET note = 'sub' WHERE id = " + (id + 1500));
                    s.execute("ROLLBACK TO SAVEPOINT b"); // this subtransaction's rows stay
                    s.execute("UPDATE orders SET note = 'kept' WHERE id = " + (id + 2500));
                } else {
                    s.execute("DELETE FROM orders WHERE id = " + id);
                    s.execute("INSERT INTO orders VALUES (" + (-id) + ", 'new')");
                }
                c.commit();
            }
            c.setAutoCommit(true);
            s.execute("TRUNCATE emptied");
            s.execute("DROP TABLE gone");
            s.execute("DROP DATABASE scratch");
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
        assertTrue(expected.size() > 200, "pg_waldump lists the workload's destructive transactions: " + expected.size());
        assertTrue(last.segmentNo() - first.segmentNo() >= 2, "the workload spans segments");
    }

    @Test
    void indexesWhatPgWaldumpShowsPerTransactionFromWalFedInRandomPieces() {
        for (long seed = 1; seed <= 3; seed++) {
            List<CommittedTransaction> found = scan(wal, 0, new Random(seed));
            Map<Long, Outcome> got = new LinkedHashMap<>();
            found.forEach(t -> got.put(t.xid(), Outcome.of(t)));
            assertEquals(expected.keySet().stream().toList(), got.keySet().stream().toList(), "the same transactions in commit order (seed " + seed + ")");
            for (Long xid : expected.keySet()) {
                assertEquals(expected.get(xid), got.get(xid), "xid " + xid + " (seed " + seed + ")");
            }
        }
        Outcome big = expected.get(bigDeleteXid);
        assertTrue(big.deleted().values().stream().anyMatch(n -> n == 40_000L), "the large DELETE's 40,000 rows: " + big.deleted());
        assertTrue(expected.values().stream().anyMatch(o -> !o.droppedDatabases().isEmpty()), "DROP DATABASE is in the workload");
    }

    @Test
    void startedInsideTheLargeDeleteItClaimsNothingCompleteThatIsNot() {
        List<CommittedTransaction> all = scan(wal, 0, new Random(5));
        CommittedTransaction big = all.stream().filter(t -> t.xid() == bigDeleteXid).findFirst().orElseThrow();
        int from = (int) (big.commitEnd().value() - walStart) / 2 + 4321; // inside the large delete, mid-page
        List<CommittedTransaction> found = scan(wal, from, new Random(9));
        CommittedTransaction partial = found.stream().filter(t -> t.xid() == bigDeleteXid).findFirst().orElseThrow();
        assertFalse(partial.countsComplete(), "a transaction begun before the scan is not claimed complete");
        long rows = partial.deleted().values().stream().mapToLong(Long::longValue).sum();
        assertTrue(rows > 0 && rows < 40_000, "some of the rows: " + rows);
        long complete = 0;
        for (CommittedTransaction t : found) {
            if (t.countsComplete()) {
                complete++;
                assertEquals(expected.get(t.xid()), Outcome.of(t), "complete counts are exact: xid " + t.xid());
            }
        }
        assertTrue(complete > 200, "the transactions after the first RUNNING_XACTS are complete: " + complete);
    }

    @Test
    void aDamagedRecordIsNotBelievedAndTheRestStillIs() {
        // damage the last byte of one small DELETE's record: its CRC fails, that one row is not counted
        List<CommittedTransaction> clean = scan(wal, 0, new Random(1));
        CommittedTransaction victim = clean.get(clean.size() / 2);
        byte[] damaged = wal.clone();
        int at = (int) (victim.commitEnd().value() - walStart - 1); // the commit record's last byte
        damaged[at] ^= 0x40;
        List<CommittedTransaction> found = scan(damaged, 0, new Random(1));
        assertEquals(clean.size() - 1, found.size());
        assertFalse(found.stream().anyMatch(t -> t.xid() == victim.xid()), "a commit whose record is damaged is not indexed");
    }

    private List<CommittedTransaction> scan(byte[] bytes, int from, Random random) {
        List<CommittedTransaction> found = new ArrayList<>();
        TransactionTracker tracker = new TransactionTracker(t -> {
            if (t.destructive()) {
                found.add(t);
            }
        });
        CommitRecordScanner scanner = new CommitRecordScanner(SEGMENT, (end, at) -> { }, tracker);
        int i = from;
        while (i < bytes.length) {
            int n = Math.min(bytes.length - i, 1 + random.nextInt(random.nextBoolean() ? 64 : 40_000));
            scanner.feed(new Lsn(walStart + i), bytes, i, n);
            i += n;
        }
        return found;
    }

    /** The oracle: pg_waldump's listing, folded per transaction as PostgreSQL itself would on commit. */
    private static Map<Long, Outcome> waldump(Path pgWaldump, Path pgWal, WalSegmentName first, WalSegmentName last)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(pgWaldump.toString(), "-p", pgWal.toString(), first.toString(), last.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        Map<Long, Outcome> pending = new HashMap<>();
        Map<Long, Outcome> committed = new LinkedHashMap<>();
        Matcher m = LINE.matcher(out);
        while (m.find()) {
            String rmgr = m.group(1);
            long xid = Long.parseLong(m.group(2));
            String desc = m.group(4);
            if (rmgr.equals("Heap")) {
                Matcher h = HEAP.matcher(desc);
                if (h.find()) {
                    Outcome o = pending.computeIfAbsent(xid, x -> empty());
                    List<Long> file = List.of(Long.parseLong(h.group(3)), Long.parseLong(h.group(4)));
                    (h.group(1).equals("DELETE") ? o.deleted() : o.updated()).merge(file, 1L, Long::sum);
                }
            } else if (rmgr.equals("Database")) {
                Matcher d = DB_DROP.matcher(desc);
                if (d.find()) {
                    pending.computeIfAbsent(xid, x -> empty()).droppedDatabases().add(Long.parseLong(d.group(1)));
                }
            } else if (rmgr.equals("Transaction") && (desc.startsWith("COMMIT ") || desc.startsWith("ABORT "))) {
                List<Long> subs = new ArrayList<>();
                Matcher sx = SUBXACTS.matcher(desc);
                if (sx.find()) {
                    for (String x : sx.group(1).trim().split(" +")) {
                        subs.add(Long.parseLong(x));
                    }
                }
                Outcome own = pending.remove(xid);
                List<Outcome> parts = new ArrayList<>();
                if (own != null) {
                    parts.add(own);
                }
                subs.forEach(x -> {
                    Outcome o = pending.remove(x);
                    if (o != null) {
                        parts.add(o);
                    }
                });
                if (desc.startsWith("ABORT ")) {
                    continue;
                }
                Outcome all = empty();
                for (Outcome o : parts) {
                    o.deleted().forEach((f, n) -> all.deleted().merge(f, n, Long::sum));
                    o.updated().forEach((f, n) -> all.updated().merge(f, n, Long::sum));
                    all.droppedDatabases().addAll(o.droppedDatabases());
                }
                Matcher r = RELS.matcher(desc);
                if (r.find()) {
                    Matcher path = REL_PATH.matcher(r.group(1));
                    while (path.find()) {
                        if (path.group(1) != null) {
                            all.droppedFiles().add(List.of(Long.parseLong(path.group(1)), Long.parseLong(path.group(2))));
                        } else if (path.group(3) != null) {
                            all.droppedFiles().add(List.of(0L, Long.parseLong(path.group(3))));
                        } else {
                            all.droppedFiles().add(List.of(Long.parseLong(path.group(4)), Long.parseLong(path.group(5))));
                        }
                    }
                }
                if (!all.deleted().isEmpty() || !all.updated().isEmpty() || !all.droppedFiles().isEmpty() || !all.droppedDatabases().isEmpty()) {
                    committed.put(xid, all);
                }
            }
        }
        return committed;
    }

    private static Outcome empty() {
        return new Outcome(new HashMap<>(), new HashMap<>(), new HashSet<>(), new HashSet<>());
    }

    private static Lsn lsn(Statement s, String sql) throws SQLException {
        return Lsn.parse(string(s, sql));
    }

    private static String string(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
