package io.tideline.core.wal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.zip.CRC32C;

/**
 * Finds the transaction commit and abort records in a stream of WAL bytes and reports each one's end and
 * timestamp ({@code xact_time}): the records {@code recovery_target_time} is compared with. Recovery to T
 * stops at the first such record (in WAL order) stamped after T, so WAL that holds a record stamped t
 * reaches every target before t exactly, whatever is written after it.
 *
 * <p>It reads just enough of the WAL format (PostgreSQL's {@code xlog_internal.h}, {@code xlogrecord.h},
 * {@code xact.h}) to walk record boundaries: 8 KiB pages with a header (long on a segment's first page),
 * 8-byte-aligned records that may span pages, a record header giving length and resource manager. Only
 * {@code RM_XACT_ID} commit/abort records are copied; their CRC-32C is checked before their time is
 * believed, so a misread boundary can only lose a timestamp, never invent one. Bytes are little-endian
 * (the server's own order on every platform it runs on here; on another, CRCs fail and nothing is
 * reported, which is the safe side).
 *
 * <p>Given a {@link WalRecordSink}, it also copies the other records the sink asks for (the undo finder's
 * heap deletes and updates, database drops, running-transaction snapshots), checks their CRC the same way
 * and hands each whole record over; everything else is still skipped without copying.
 *
 * <p>The stream may begin anywhere (a stream resumed from a partial segment's end): until the next page
 * header tells where a record starts, bytes are skipped. Not thread-safe: one per stream of WAL.
 *
 * <p>Used by the archiver (a WAL object's coverage, from the replication stream) and by the restore service
 * (where a transaction id ended, from stored WAL: an xid recovery target), so it lives in core.
 */
public final class CommitRecordScanner {

    /** Told of every commit or abort record found. */
    public interface Listener {
        void commit(Lsn recordEnd, Instant xactTime);

        /**
         * The same record, with its transaction: {@code xid} is the record header's {@code xl_xid}, the
         * top-level transaction that committed or aborted, which is what {@code recovery_target_xid} is
         * compared with. Not called for {@code COMMIT PREPARED}/{@code ROLLBACK PREPARED} records, whose
         * header names the session that finished the prepared transaction, not the transaction.
         */
        default void transactionEnd(long xid, boolean committed, Lsn recordEnd, Instant xactTime) {
        }
    }

    public static final int PAGE = 8192;
    private static final int SHORT_PAGE_HEADER = 24;
    private static final int LONG_PAGE_HEADER = 40;
    private static final int RECORD_HEADER = 24;
    private static final int FIRST_IS_CONTRECORD = 0x0001;
    private static final int RM_XACT_ID = 1;
    private static final int XACT_OPMASK = 0x70;
    private static final int COMMIT = 0x00;
    private static final int ABORT = 0x20;
    private static final int COMMIT_PREPARED = 0x30;
    private static final int ABORT_PREPARED = 0x40;
    private static final int BLOCK_ID_DATA_SHORT = 255;
    private static final int BLOCK_ID_DATA_LONG = 254;
    private static final int BLOCK_ID_ORIGIN = 253;
    private static final int BLOCK_ID_TOPLEVEL_XID = 252;
    /** Larger commit records (thousands of dropped relations) are skipped rather than buffered. */
    private static final int MAX_COPIED_RECORD = 1 << 20;
    private static final Instant POSTGRES_EPOCH = Instant.parse("2000-01-01T00:00:00Z");

    private enum Mode { UNSYNCED, SKIP_CONTINUATION, ALIGN, HEADER, BODY_COPY, BODY_SKIP }

    private final long segmentSize;
    private final Listener listener;
    private final WalRecordSink sink;
    private final byte[] pageHeader = new byte[LONG_PAGE_HEADER];
    private final byte[] header = new byte[RECORD_HEADER];
    private long position = -1;
    private Mode mode = Mode.UNSYNCED;
    private boolean inPageHeader;
    private int pageHeaderNeed;
    private int pageHeaderLength;
    private int headerLength;
    private long remaining;
    private byte[] record;
    private int recordLength;
    private long found;

    public CommitRecordScanner(long segmentSize, Listener listener) {
        this(segmentSize, listener, null);
    }

    /** @param sink also given every whole record it wants, checked; null for none */
    public CommitRecordScanner(long segmentSize, Listener listener, WalRecordSink sink) {
        if (segmentSize <= 0 || segmentSize % PAGE != 0) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is not a multiple of " + PAGE);
        }
        this.segmentSize = segmentSize;
        this.listener = listener;
        this.sink = sink;
    }

    /** How many commit/abort records were reported so far. */
    public long found() {
        return found;
    }

    /** The WAL bytes {@code [start, start + length)}; a gap or a jump back since the last call resynchronises. */
    public void feed(Lsn start, byte[] bytes, int offset, int length) {
        if (start.value() != position) {
            position = start.value();
            mode = Mode.UNSYNCED;
            inPageHeader = false;
        }
        int i = offset;
        int end = offset + length;
        while (i < end) {
            if (!inPageHeader && Long.remainderUnsigned(position, PAGE) == 0) {
                inPageHeader = true;
                pageHeaderLength = 0;
                pageHeaderNeed = Long.remainderUnsigned(position, segmentSize) == 0 ? LONG_PAGE_HEADER : SHORT_PAGE_HEADER;
            }
            int available = end - i;
            if (inPageHeader) {
                int n = Math.min(pageHeaderNeed - pageHeaderLength, available);
                System.arraycopy(bytes, i, pageHeader, pageHeaderLength, n);
                pageHeaderLength += n;
                i += n;
                position += n;
                if (pageHeaderLength == pageHeaderNeed) {
                    inPageHeader = false;
                    pageStarted(position - pageHeaderNeed);
                }
                continue;
            }
            int pageLeft = (int) (PAGE - Long.remainderUnsigned(position, PAGE));
            int room = Math.min(pageLeft, available);
            int n;
            switch (mode) {
                case UNSYNCED -> n = room;
                case SKIP_CONTINUATION, BODY_SKIP -> {
                    n = (int) Math.min(remaining, room);
                    remaining -= n;
                }
                case ALIGN -> {
                    n = Math.min((int) ((8 - Long.remainderUnsigned(position, 8)) % 8), room);
                    if (n == 0) {
                        mode = Mode.HEADER;
                        headerLength = 0;
                        continue;
                    }
                }
                case HEADER -> {
                    n = Math.min(RECORD_HEADER - headerLength, room);
                    System.arraycopy(bytes, i, header, headerLength, n);
                    headerLength += n;
                }
                case BODY_COPY -> {
                    n = (int) Math.min(remaining, room);
                    System.arraycopy(bytes, i, record, recordLength, n);
                    recordLength += n;
                    remaining -= n;
                }
                default -> throw new IllegalStateException(mode.toString());
            }
            i += n;
            position += n;
            afterBytes();
        }
    }

    /** Moves on when the bytes of the current mode are complete. */
    private void afterBytes() {
        switch (mode) {
            case SKIP_CONTINUATION, BODY_SKIP -> {
                if (remaining == 0) {
                    mode = Mode.ALIGN;
                }
            }
            case HEADER -> {
                if (headerLength == RECORD_HEADER) {
                    recordHeaderRead();
                }
            }
            case BODY_COPY -> {
                if (remaining == 0) {
                    recordRead();
                    mode = Mode.ALIGN;
                }
            }
            default -> {
            }
        }
    }

    private void recordHeaderRead() {
        long totalLength = u32(header, 0);
        if (totalLength < RECORD_HEADER) {
            // zeros: the rest of a segment after a WAL switch, or not a record boundary after all
            mode = Mode.UNSYNCED;
            return;
        }
        int info = header[16] & 0xff;
        int resourceManager = header[17] & 0xff;
        int op = info & XACT_OPMASK;
        boolean wanted = resourceManager == RM_XACT_ID && (op == COMMIT || op == ABORT || op == COMMIT_PREPARED || op == ABORT_PREPARED)
                || sink != null && sink.wants(resourceManager, info);
        remaining = totalLength - RECORD_HEADER;
        if (wanted && totalLength <= MAX_COPIED_RECORD) {
            record = record != null && record.length >= totalLength ? record : new byte[(int) Math.max(totalLength, 256)];
            System.arraycopy(header, 0, record, 0, RECORD_HEADER);
            recordLength = RECORD_HEADER;
            mode = Mode.BODY_COPY;
        } else {
            mode = Mode.BODY_SKIP;
        }
        if (remaining == 0) {
            afterBytes();
        }
    }

    /** A whole commit/abort record is in {@code record}: check it and report its time. */
    private void recordRead() {
        int length = recordLength;
        CRC32C crc = new CRC32C();
        crc.update(record, RECORD_HEADER, length - RECORD_HEADER);
        crc.update(record, 0, 20); // the header up to its own CRC field
        if (crc.getValue() != u32(record, 20)) {
            return;
        }
        int info = record[16] & 0xff;
        int resourceManager = record[17] & 0xff;
        int op = info & XACT_OPMASK;
        if (resourceManager == RM_XACT_ID && (op == COMMIT || op == ABORT || op == COMMIT_PREPARED || op == ABORT_PREPARED)) {
            reportCommit(length);
        }
        if (sink != null && sink.wants(resourceManager, info)) {
            sink.record(new Lsn(position), record, length);
        }
    }

    private void reportCommit(int length) {
        // Skip the block-reference headers to the main data's length; the main data ends the record.
        int at = RECORD_HEADER;
        long mainLength = -1;
        while (at < length && mainLength < 0) {
            int id = record[at] & 0xff;
            if (id == BLOCK_ID_DATA_SHORT && at + 1 < length) {
                mainLength = record[at + 1] & 0xff;
            } else if (id == BLOCK_ID_DATA_LONG && at + 4 < length) {
                mainLength = u32(record, at + 1);
            } else if (id == BLOCK_ID_ORIGIN) {
                at += 1 + 2;
            } else if (id == BLOCK_ID_TOPLEVEL_XID) {
                at += 1 + 4;
            } else {
                return; // a block reference: never in a commit or abort record, so not one we understand
            }
        }
        if (mainLength < 8 || mainLength > length - RECORD_HEADER) {
            return;
        }
        long micros = u64(record, (int) (length - mainLength)); // xl_xact_commit/xl_xact_abort start with xact_time
        found++;
        Lsn end = new Lsn(position);
        Instant xactTime = POSTGRES_EPOCH.plus(micros, ChronoUnit.MICROS);
        listener.commit(end, xactTime);
        int op = (record[16] & 0xff) & XACT_OPMASK;
        if (op == COMMIT || op == ABORT) {
            listener.transactionEnd(u32(record, 4), op == COMMIT, end, xactTime);
        }
    }

    /** A page header was read; {@code pageStart} is where the page begins. */
    private void pageStarted(long pageStart) {
        int info = (pageHeader[2] & 0xff) | (pageHeader[3] & 0xff) << 8;
        long pageAddress = u64(pageHeader, 8);
        long continued = u32(pageHeader, 16);
        boolean continuation = (info & FIRST_IS_CONTRECORD) != 0;
        if (pageAddress != pageStart) {
            mode = Mode.UNSYNCED; // not a page of this position (recycled, or not WAL): wait for the next one
            return;
        }
        boolean midRecord = mode == Mode.BODY_COPY || mode == Mode.BODY_SKIP || mode == Mode.SKIP_CONTINUATION
                || mode == Mode.HEADER && headerLength > 0;
        if (midRecord) {
            if (!continuation) {
                mode = Mode.UNSYNCED;
                resynchronise(false, continued);
            }
            return;
        }
        if (mode == Mode.ALIGN || mode == Mode.HEADER) {
            if (continuation) {
                mode = Mode.UNSYNCED;
                resynchronise(true, continued);
            }
            return;
        }
        resynchronise(continuation, continued);
    }

    /** From a page header alone: where the first record on this page begins. */
    private void resynchronise(boolean continuation, long continued) {
        if (!continuation) {
            mode = Mode.ALIGN;
        } else if (continued < PAGE - pageHeaderNeed) {
            mode = Mode.SKIP_CONTINUATION;
            remaining = continued;
            if (remaining == 0) {
                mode = Mode.ALIGN;
            }
        } else {
            mode = Mode.UNSYNCED; // the continued record fills this page too
        }
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    private static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }
}
