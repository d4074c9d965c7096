package io.tideline.core.wal;

/**
 * A PostgreSQL log sequence number: a 64-bit byte position in the WAL, compared unsigned
 * and printed the way the server prints it ({@code 16/B374D848}).
 */
public record Lsn(long value) implements Comparable<Lsn> {

    public static final Lsn ZERO = new Lsn(0);

    /** Parses {@code X/Y} with hexadecimal halves; anything else is a programming or input error. */
    public static Lsn parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN is missing");
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not an LSN (expected X/Y in hexadecimal): '" + text + "'");
        }
        String hi = text.substring(0, slash);
        String lo = text.substring(slash + 1);
        if (hi.length() > 8 || lo.length() > 8) {
            throw new IllegalArgumentException("not an LSN (each half has at most 8 hex digits): '" + text + "'");
        }
        try {
            long high = Long.parseLong(hi, 16);
            long low = Long.parseLong(lo, 16);
            return new Lsn((high << 32) | low);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (not hexadecimal): '" + text + "'", e);
        }
    }

    public Lsn plus(long bytes) {
        return new Lsn(value + bytes);
    }

    public Lsn minus(long bytes) {
        return new Lsn(value - bytes);
    }

    /** Bytes from {@code earlier} to this position; negative when {@code earlier} is ahead. */
    public long bytesSince(Lsn earlier) {
        return value - earlier.value;
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

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(value, other.value);
    }

    @Override
    public String toString() {
        return String.format("%X/%X", value >>> 32, value & 0xFFFFFFFFL);
    }
}
