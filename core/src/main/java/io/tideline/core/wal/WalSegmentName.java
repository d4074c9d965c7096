package io.tideline.core.wal;

/**
 * A WAL segment file name: timeline plus segment number, for a given {@code wal_segment_size}.
 * The size is always passed in (PostgreSQL lets each cluster choose it at initdb), never global.
 * Formats as the server does: {@code TTTTTTTTXXXXXXXXYYYYYYYY}, where {@code XXXXXXXX} is the
 * "log id" (which 4 GB stretch of WAL) and {@code YYYYYYYY} the segment inside it, so with 16 MB
 * segments {@code ...000000FF} is followed by {@code ...0000000100000000}.
 *
 * <p>Note the server's {@code pg_walfile_name(lsn)} names the segment of {@code lsn - 1} (it is
 * meant for end positions); {@link #of} names the segment that holds the byte at {@code lsn}.
 */
public record WalSegmentName(long timeline, long segmentNo, long segmentSize) implements Comparable<WalSegmentName> {

    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;
    public static final long MIN_SEGMENT_SIZE = 1024L * 1024;
    public static final long MAX_SEGMENT_SIZE = 1024L * 1024 * 1024;
    /** PostgreSQL's timeline ids are unsigned 32-bit numbers; 0 means "no timeline". */
    public static final long MAX_TIMELINE = 0xFFFFFFFFL;
    private static final long FOUR_GB = 0x1_0000_0000L;

    public WalSegmentName {
        requireValidTimeline(timeline);
        requireValidSize(segmentSize);
        if (segmentNo < 0 || segmentNo > maxSegmentNo(segmentSize)) {
            throw new IllegalArgumentException("segment number out of range for segment size " + segmentSize + ": " + segmentNo);
        }
    }

    /** Fails unless {@code segmentSize} is a size PostgreSQL allows: a power of two from 1 MB to 1 GB. */
    public static void requireValidSize(long segmentSize) {
        if (segmentSize < MIN_SEGMENT_SIZE || segmentSize > MAX_SEGMENT_SIZE || Long.bitCount(segmentSize) != 1) {
            throw new IllegalArgumentException("wal_segment_size must be a power of two from 1 MB to 1 GB: " + segmentSize);
        }
    }

    /** Fails unless {@code timeline} is a valid timeline id: 1 to FFFFFFFF. */
    public static void requireValidTimeline(long timeline) {
        if (timeline < 1 || timeline > MAX_TIMELINE) {
            throw new IllegalArgumentException("timeline out of range (1 to FFFFFFFF): " + timeline);
        }
    }

    /** The last segment number whose bytes are all addressable by a 64-bit LSN. */
    private static long maxSegmentNo(long segmentSize) {
        return Long.divideUnsigned(-1L, segmentSize);
    }

    /** The segment that holds the byte at {@code lsn}. */
    public static WalSegmentName of(long timeline, Lsn lsn, long segmentSize) {
        requireValidSize(segmentSize);
        return new WalSegmentName(timeline, Long.divideUnsigned(lsn.value(), segmentSize), segmentSize);
    }

    /** Parses a 24-hex-digit segment file name such as {@code 000000010000000000000001}. */
    public static WalSegmentName parse(String name, long segmentSize) {
        requireValidSize(segmentSize);
        if (!looksLikeSegmentName(name)) {
            throw new IllegalArgumentException("not a WAL segment name (24 upper-case hex digits): '" + name + "'");
        }
        long timeline = Long.parseLong(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16);
        long perLog = segmentsPerLogId(segmentSize);
        if (seg >= perLog) {
            throw new IllegalArgumentException("segment part " + name.substring(16) + " too large for segment size "
                    + segmentSize + " (at most " + Long.toHexString(perLog - 1).toUpperCase() + "): '" + name + "'");
        }
        if (timeline == 0) {
            throw new IllegalArgumentException("timeline 0 does not exist: '" + name + "'");
        }
        return new WalSegmentName(timeline, log * perLog + seg, segmentSize);
    }

    /** True for a 24-upper-case-hex-digit name, the shape the server gives complete segment files. */
    public static boolean looksLikeSegmentName(String name) {
        return name != null && name.length() == 24 && name.chars().allMatch(WalSegmentName::isUpperHex);
    }

    private static boolean isUpperHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static long segmentsPerLogId(long segmentSize) {
        return FOUR_GB / segmentSize;
    }

    /** The first byte of this segment. */
    public Lsn startLsn() {
        return new Lsn(segmentNo * segmentSize);
    }

    /** The first byte after this segment; the very last segment has none representable. */
    public Lsn endLsn() {
        if (segmentNo == maxSegmentNo(segmentSize)) {
            throw new ArithmeticException("the last WAL segment ends at 2^64, past the largest LSN");
        }
        return new Lsn((segmentNo + 1) * segmentSize);
    }

    public boolean contains(Lsn lsn) {
        return Long.divideUnsigned(lsn.value(), segmentSize) == segmentNo;
    }

    /** The offset of {@code lsn} inside this segment; fails when the segment does not hold it. */
    public long offsetOf(Lsn lsn) {
        if (!contains(lsn)) {
            throw new IllegalArgumentException(lsn + " is not inside segment " + this);
        }
        return lsn.segmentOffset(segmentSize);
    }

    public WalSegmentName next() {
        if (segmentNo == maxSegmentNo(segmentSize)) {
            throw new IllegalStateException("segment " + this + " is the last one; it has no successor");
        }
        return new WalSegmentName(timeline, segmentNo + 1, segmentSize);
    }

    public WalSegmentName previous() {
        if (segmentNo == 0) {
            throw new IllegalStateException("segment 0 has no predecessor");
        }
        return new WalSegmentName(timeline, segmentNo - 1, segmentSize);
    }

    /** The same stretch of WAL on another timeline (a restore may find it on an ancestor's). */
    public WalSegmentName onTimeline(long newTimeline) {
        return new WalSegmentName(newTimeline, segmentNo, segmentSize);
    }

    /** The order of the file names: by timeline, then by position. */
    @Override
    public int compareTo(WalSegmentName o) {
        if (segmentSize != o.segmentSize) {
            throw new IllegalArgumentException("cannot order segments of different sizes: " + segmentSize + " and " + o.segmentSize);
        }
        int byTimeline = Long.compare(timeline, o.timeline);
        return byTimeline != 0 ? byTimeline : Long.compare(segmentNo, o.segmentNo);
    }

    /** The file name, as the server writes it in {@code pg_wal}. */
    @Override
    public String toString() {
        long perLog = segmentsPerLogId(segmentSize);
        return String.format("%08X%08X%08X", timeline, segmentNo / perLog, segmentNo % perLog);
    }
}
