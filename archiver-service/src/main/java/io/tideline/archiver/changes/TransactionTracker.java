package io.tideline.archiver.changes;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalRecordSink;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Follows transactions through the WAL records the undo finder reads, and reports each commit with what it
 * destroyed. Rows are known only once a transaction commits: heap deletes and updates are held per xid (the
 * subtransaction's own xid, as the records carry it) until a commit record names that xid as its own or as
 * one of its subtransactions ({@code XACT_XINFO_HAS_SUBXACTS}): then they count for the top-level xid. An
 * abort record drops its xid and the subtransactions it lists.
 *
 * <p>Records read (PostgreSQL 15): Heap {@code DELETE} (not a speculative-insertion "super delete"),
 * {@code UPDATE}, {@code HOT_UPDATE}; Transaction commit/abort (also prepared); Database {@code DROP};
 * XLOG {@code BACKUP_END} (a base backup finished: time for a catalog snapshot); Standby {@code RUNNING_XACTS}, whose {@code nextXid} tells from which xid on every record of a transaction
 * was seen (earlier ones may have begun before the scan did: {@code countsComplete} false) and whose
 * {@code oldestRunningXid} lets finished transactions that left nothing to see (a skipped oversized commit)
 * be forgotten. Storage {@code TRUNCATE} is vacuum's truncation of empty pages, not {@code TRUNCATE TABLE},
 * and is not read. Not thread-safe: one per stream.
 */
final class TransactionTracker implements WalRecordSink {

    static final int RM_XLOG = 0;
    static final int RM_XACT = 1;
    static final int RM_DBASE = 4;
    static final int RM_STANDBY = 8;
    static final int RM_HEAP = 10;

    private static final int RMGR_INFO = 0xF0;
    private static final int HEAP_OPMASK = 0x70;
    private static final int HEAP_DELETE = 0x10;
    private static final int HEAP_UPDATE = 0x20;
    private static final int HEAP_HOT_UPDATE = 0x40;
    private static final int DELETE_IS_SUPER = 1 << 3;
    private static final int XACT_OPMASK = 0x70;
    private static final int XACT_HAS_INFO = 0x80;
    private static final int COMMIT = 0x00;
    private static final int ABORT = 0x20;
    private static final int COMMIT_PREPARED = 0x30;
    private static final int ABORT_PREPARED = 0x40;
    private static final int DBASE_DROP = 0x20;
    private static final int RUNNING_XACTS = 0x10;
    private static final int XLOG_BACKUP_END = 0x50;
    private static final int HAS_DBINFO = 1;
    private static final int HAS_SUBXACTS = 1 << 1;
    private static final int HAS_RELFILENODES = 1 << 2;
    private static final int HAS_INVALS = 1 << 3;
    private static final int HAS_TWOPHASE = 1 << 4;
    private static final int HAS_DROPPED_STATS = 1 << 8;
    private static final int STATS_KIND_RELATION = 2;
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    /** What one (sub)transaction did so far. */
    private static final class Pending {
        final Map<RelFile, Long> deleted = new LinkedHashMap<>();
        final Map<RelFile, Long> updated = new LinkedHashMap<>();
        final List<Long> droppedDatabases = new ArrayList<>();

        void mergeInto(Pending into) {
            deleted.forEach((r, n) -> into.deleted.merge(r, n, Long::sum));
            updated.forEach((r, n) -> into.updated.merge(r, n, Long::sum));
            into.droppedDatabases.addAll(droppedDatabases);
        }
    }

    private final Consumer<CommittedTransaction> committed;
    private final Runnable backupEnded;
    private final Map<Long, Pending> pending = new HashMap<>();
    /** From the first RUNNING_XACTS seen: every record of a transaction with an xid from here on was seen. */
    private Long completeFrom;

    TransactionTracker(Consumer<CommittedTransaction> committed) {
        this(committed, () -> { });
    }

    /** @param backupEnded told of each {@code XLOG_BACKUP_END}: a base backup of the server just finished */
    TransactionTracker(Consumer<CommittedTransaction> committed, Runnable backupEnded) {
        this.committed = committed;
        this.backupEnded = backupEnded;
    }

    int pendingTransactions() {
        return pending.size();
    }

    @Override
    public boolean wants(int resourceManager, int info) {
        return switch (resourceManager) {
            case RM_HEAP -> {
                int op = info & HEAP_OPMASK;
                yield op == HEAP_DELETE || op == HEAP_UPDATE || op == HEAP_HOT_UPDATE;
            }
            case RM_XACT -> {
                int op = info & XACT_OPMASK;
                yield op == COMMIT || op == ABORT || op == COMMIT_PREPARED || op == ABORT_PREPARED;
            }
            case RM_DBASE -> (info & RMGR_INFO) == DBASE_DROP;
            case RM_STANDBY -> (info & RMGR_INFO) == RUNNING_XACTS;
            case RM_XLOG -> (info & RMGR_INFO) == XLOG_BACKUP_END;
            default -> false;
        };
    }

    @Override
    public void record(Lsn end, byte[] bytes, int length) {
        WalRecordView r = new WalRecordView(bytes, length);
        if (!r.valid() || !wants(r.resourceManager(), r.info())) {
            return;
        }
        switch (r.resourceManager()) {
            case RM_HEAP -> heap(r);
            case RM_XACT -> transaction(r, end);
            case RM_DBASE -> {
                if (r.mainLength() >= 4 && r.xid() != 0) {
                    pendingOf(r.xid()).droppedDatabases.add(WalRecordView.u32(bytes, r.mainOffset()));
                }
            }
            case RM_STANDBY -> runningXacts(r);
            case RM_XLOG -> backupEnded.run();
            default -> {
            }
        }
    }

    private void heap(WalRecordView r) {
        if (r.firstBlock() == null || r.xid() == 0) {
            return;
        }
        int op = r.info() & HEAP_OPMASK;
        if (op == HEAP_DELETE) {
            // xl_heap_delete: xmax (4), offnum (2), infobits_set (1), flags (1)
            if (r.mainLength() < 8 || (r.bytes()[r.mainOffset() + 7] & DELETE_IS_SUPER) != 0) {
                return;
            }
            pendingOf(r.xid()).deleted.merge(r.firstBlock(), 1L, Long::sum);
        } else {
            pendingOf(r.xid()).updated.merge(r.firstBlock(), 1L, Long::sum);
        }
    }

    private void transaction(WalRecordView r, Lsn end) {
        ParsedXact x = ParsedXact.parse(r);
        if (x == null) {
            return;
        }
        int op = r.info() & XACT_OPMASK;
        long xid = op == COMMIT_PREPARED || op == ABORT_PREPARED ? x.twoPhaseXid : r.xid();
        if (op == ABORT || op == ABORT_PREPARED) {
            pending.remove(xid);
            x.subxacts.forEach(pending::remove);
            return;
        }
        Pending all = new Pending();
        boolean complete = isComplete(xid);
        Pending own = pending.remove(xid);
        if (own != null) {
            own.mergeInto(all);
        }
        for (long sub : x.subxacts) {
            Pending p = pending.remove(sub);
            if (p != null) {
                p.mergeInto(all);
            }
            complete &= isComplete(sub);
        }
        if (xid == 0) {
            return;
        }
        committed.accept(new CommittedTransaction(xid, end, x.time, complete, all.deleted, all.updated, x.droppedFiles,
                x.droppedRelations, all.droppedDatabases, x.invalidations));
    }

    private void runningXacts(WalRecordView r) {
        // xl_running_xacts: xcnt (4), subxcnt (4), subxid_overflow (1 + 3 padding), nextXid (4), oldestRunningXid (4), ...
        if (r.mainLength() < 20) {
            return;
        }
        long nextXid = WalRecordView.u32(r.bytes(), r.mainOffset() + 12);
        long oldestRunning = WalRecordView.u32(r.bytes(), r.mainOffset() + 16);
        if (completeFrom == null) {
            completeFrom = nextXid;
        }
        pending.keySet().removeIf(xid -> precedes(xid, oldestRunning));
    }

    private boolean isComplete(long xid) {
        return completeFrom != null && !precedes(xid, completeFrom);
    }

    private Pending pendingOf(long xid) {
        return pending.computeIfAbsent(xid, x -> new Pending());
    }

    /** PostgreSQL's {@code TransactionIdPrecedes} for normal xids: modulo 2^32. */
    static boolean precedes(long a, long b) {
        return (int) (a - b) < 0;
    }

    /** The parts of a commit or abort record's main data ({@code ParseCommitRecord}/{@code ParseAbortRecord}) read here. */
    private static final class ParsedXact {
        Instant time;
        final List<Long> subxacts = new ArrayList<>();
        final List<RelFile> droppedFiles = new ArrayList<>();
        final Set<CommittedTransaction.DatabaseObject> droppedRelations = new HashSet<>();
        boolean invalidations;
        long twoPhaseXid;

        static ParsedXact parse(WalRecordView r) {
            byte[] b = r.bytes();
            int at = r.mainOffset();
            int end = at + r.mainLength();
            if (r.mainLength() < 8) {
                return null;
            }
            ParsedXact x = new ParsedXact();
            x.time = POSTGRES_EPOCH.plus(WalRecordView.u64(b, at), ChronoUnit.MICROS);
            at += 8;
            if ((r.info() & XACT_HAS_INFO) == 0) {
                return x;
            }
            if (at + 4 > end) {
                return null;
            }
            long xinfo = WalRecordView.u32(b, at);
            at += 4;
            if ((xinfo & HAS_DBINFO) != 0) {
                at += 8;
            }
            if ((xinfo & HAS_SUBXACTS) != 0) {
                int n = count(b, at, end, 4);
                if (n < 0) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    x.subxacts.add(WalRecordView.u32(b, at + 4 + 4 * i));
                }
                at += 4 + 4 * n;
            }
            if ((xinfo & HAS_RELFILENODES) != 0) {
                int n = count(b, at, end, 12);
                if (n < 0) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    int o = at + 4 + 12 * i;
                    x.droppedFiles.add(new RelFile(WalRecordView.u32(b, o), WalRecordView.u32(b, o + 4), WalRecordView.u32(b, o + 8)));
                }
                at += 4 + 12 * n;
            }
            if ((xinfo & HAS_DROPPED_STATS) != 0) {
                int n = count(b, at, end, 12);
                if (n < 0) {
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    int o = at + 4 + 12 * i; // xl_xact_stats_item: kind, dboid, objoid
                    if (WalRecordView.u32(b, o) == STATS_KIND_RELATION) {
                        x.droppedRelations.add(new CommittedTransaction.DatabaseObject(WalRecordView.u32(b, o + 4), WalRecordView.u32(b, o + 8)));
                    }
                }
                at += 4 + 12 * n;
            }
            if ((xinfo & HAS_INVALS) != 0) {
                int n = count(b, at, end, 16);
                if (n < 0) {
                    return null;
                }
                x.invalidations = n > 0;
                at += 4 + 16 * n;
            }
            if ((xinfo & HAS_TWOPHASE) != 0) {
                if (at + 4 > end) {
                    return null;
                }
                x.twoPhaseXid = WalRecordView.u32(b, at);
            }
            return x;
        }

        /** The item count at {@code at} if that many items of {@code size} bytes fit before {@code end}; -1 if not. */
        private static int count(byte[] b, int at, int end, int size) {
            if (at + 4 > end) {
                return -1;
            }
            long n = WalRecordView.u32(b, at);
            return n <= (end - at - 4) / size ? (int) n : -1;
        }
    }
}
