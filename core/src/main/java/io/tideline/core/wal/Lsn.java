package io.tideline.core.wal;

/**
 * A PostgreSQL log sequence number: a 64-bit byte position in the WAL, compared unsigned
 * and printed the way the server prints it ({@code 16/B374D848}).
 *
 * <p>The whole unsigned range is valid ({@code FFFFFFFF/FFFFFFFF} included), so the value is
 * compared with {@link Long#compareUnsigned} and arithmetic that would wrap around fails instead
 * of silently producing a position far away.
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);
    /** The largest position, {@code FFFFFFFF/FFFFFFFF}. */
    public static final Lsn MAX = new Lsn(-1L);

    /**
     * Parses {@code X/Y} with 1 to 8 hexadecimal digits per half (either case), as the server's
     * {@code pg_lsn} input does; anything else is a programming or input error.
     */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN is missing");
        }
        int slash = text.indexOf('/');
        if (slash < 0 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hexadecimal): '" + text + "'");
        }
        String hi = text.substring(0, slash);
        String lo = text.substring(slash + 1);
        // Long.parseLong alone would accept signs ("-1/0"), so the digits are checked first.
        if (!isHex(hi) || !isHex(lo)) {
            throw new IllegalArgumentException("not an LSN (each half has 1 to 8 hex digits): '" + text + "'");
        }
        return new Lsn((Long.parseLong(hi, 16) << 32) | Long.parseLong(lo, 16));
    }

    private static boolean isHex(String s) {
        if (s.isEmpty() || s.length() > 8) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    /** This position moved forward by {@code bytes} (not negative); fails past {@link #MAX}. */
    public Lsn plus(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot add a negative byte count to an LSN: " + bytes);
        }
        long result = value + bytes;
        if (Long.compareUnsigned(result, value) < 0) {
            throw new ArithmeticException("LSN overflow: " + this + " + " + bytes);
        }
        return new Lsn(result);
    }

    /** This position moved back by {@code bytes} (not negative); fails below {@link #ZERO}. */
    public Lsn minus(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot subtract a negative byte count from an LSN: " + bytes);
        }
        if (Long.compareUnsigned(bytes, value) > 0) {
            throw new ArithmeticException("LSN underflow: " + this + " - " + bytes);
        }
        return new Lsn(value - bytes);
    }

    /**
     * Bytes from {@code earlier} to this position; negative when {@code earlier} is ahead.
     * Distances of 2^63 bytes or more cannot be expressed and fail.
     */
    public long bytesSince(Lsn earlier) {
        long difference = value - earlier.value;
        // The sign of the signed difference must agree with the unsigned order, else it wrapped.
        int order = compareTo(earlier);
        if ((order > 0 && difference <= 0) || (order < 0 && difference >= 0)) {
            throw new ArithmeticException("distance between " + earlier + " and " + this + " does not fit in a long");
        }
        return difference;
    }

    /** The byte offset of this position inside its WAL segment of {@code segmentSize} bytes. */
    public long segmentOffset(long segmentSize) {
        WalSegmentName.requireValidSize(segmentSize);
        return value & (segmentSize - 1);
    }

    /** True when this position is the first byte of a WAL segment of {@code segmentSize} bytes. */
    public boolean isSegmentStart(long segmentSize) {
        return segmentOffset(segmentSize) == 0;
    }

    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static Lsn min(Lsn a, Lsn b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
