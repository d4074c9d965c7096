package io.tideline.core.wal;

/**
 * A WAL segment file name: timeline plus segment number, for a given {@code wal_segment_size}.
 * The size is always passed in (PostgreSQL lets each cluster choose it at initdb), never global.
 * Formats as the server does: {@code TTTTTTTTXXXXXXXXYYYYYYYY}.
 */
public record WalSegmentName(long timeline, long segmentNo, long segmentSize) implements Comparable<WalSegmentName> {

    public static final long DEFAULT_SEGMENT_SIZE = 16L * 1024 * 1024;
    private static final long FOUR_GB = 0x1_0000_0000L;

    public WalSegmentName {
        if (timeline < 1 || timeline > 0xFFFFFFFFL) {
            throw new IllegalArgumentException("timeline out of range: " + timeline);
        }
        if (segmentNo < 0) {
            throw new IllegalArgumentException("segment number is negative: " + segmentNo);
        }
        requireValidSize(segmentSize);
    }

    static void requireValidSize(long segmentSize) {
        if (segmentSize < 1024 * 1024 || segmentSize > 1024L * 1024 * 1024 || Long.bitCount(segmentSize) != 1) {
            throw new IllegalArgumentException("wal_segment_size must be a power of two from 1 MB to 1 GB: " + segmentSize);
        }
    }

    /** The segment that holds the byte at {@code lsn}. */
    public static WalSegmentName of(long timeline, Lsn lsn, long segmentSize) {
        requireValidSize(segmentSize);
        return new WalSegmentName(timeline, Long.divideUnsigned(lsn.value(), segmentSize), segmentSize);
    }

    /** Parses a 24-hex-digit segment file name such as {@code 000000010000000000000001}. */
    public static WalSegmentName parse(String name, long segmentSize) {
        requireValidSize(segmentSize);
        if (name == null || name.length() != 24 || !name.chars().allMatch(WalSegmentName::isUpperHex)) {
            throw new IllegalArgumentException("not a WAL segment name (24 upper-case hex digits): '" + name + "'");
        }
        long timeline = Long.parseLong(name.substring(0, 8), 16);
        long log = Long.parseLong(name.substring(8, 16), 16);
        long seg = Long.parseLong(name.substring(16, 24), 16);
        long perLog = segmentsPerLogId(segmentSize);
        if (seg >= perLog) {
            throw new IllegalArgumentException("segment part " + Long.toHexString(seg) + " too large for segment size " + segmentSize + ": '" + name + "'");
        }
        return new WalSegmentName(timeline, log * perLog + seg, segmentSize);
    }

    public static boolean looksLikeSegmentName(String name) {
        return name != null && name.length() == 24 && name.chars().allMatch(WalSegmentName::isUpperHex);
    }

    private static boolean isUpperHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static long segmentsPerLogId(long segmentSize) {
        return FOUR_GB / segmentSize;
    }

    public Lsn startLsn() {
        return new Lsn(segmentNo * segmentSize);
    }

    /** The first byte after this segment. */
    public Lsn endLsn() {
        return new Lsn((segmentNo + 1) * segmentSize);
    }

    public boolean contains(Lsn lsn) {
        return lsn.compareTo(startLsn()) >= 0 && lsn.isBefore(endLsn());
    }

    public WalSegmentName next() {
        return new WalSegmentName(timeline, segmentNo + 1, segmentSize);
    }

    public WalSegmentName previous() {
        if (segmentNo == 0) {
            throw new IllegalStateException("segment 0 has no predecessor");
        }
        return new WalSegmentName(timeline, segmentNo - 1, segmentSize);
    }

    public WalSegmentName onTimeline(long newTimeline) {
        return new WalSegmentName(newTimeline, segmentNo, segmentSize);
    }

    @Override
    public int compareTo(WalSegmentName o) {
        int byTimeline = Long.compare(timeline, o.timeline);
        return byTimeline != 0 ? byTimeline : Long.compare(segmentNo, o.segmentNo);
    }

    @Override
    public String toString() {
        long perLog = segmentsPerLogId(segmentSize);
        return String.format("%08X%08X%08X", timeline, segmentNo / perLog, segmentNo % perLog);
    }
}
