package io.tideline.archiver.wal;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Arrays;
import java.util.Objects;

/**
 * The segment being assembled from the stream, in memory. The array grows with the bytes received
 * (doubling from {@value #INITIAL_CAPACITY} bytes up to {@code wal_segment_size}), so a quiet
 * instance holds about as much as it wrote since its last segment switch, and {@link #trim()} gives
 * back what a burst left unused. Bytes must arrive in order and start at the segment's start
 * (streams always start at a segment boundary).
 */
final class SegmentBuffer {

    static final int INITIAL_CAPACITY = 64 * 1024;

    private static final byte[] EMPTY = new byte[0];

    private final long segmentSize;
    private WalSegmentName segment;
    private byte[] bytes = EMPTY;
    private int filled;
    /** The bytes {@code [0, filled)} were given up to the store (a stored partial holds them): see {@link #release()}. */
    private boolean released;

    SegmentBuffer(WalSegmentName segment) {
        this.segment = Objects.requireNonNull(segment, "segment");
        this.segmentSize = segment.segmentSize();
        if (segmentSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segments larger than 2 GiB cannot be held in memory: " + segmentSize);
        }
    }

    WalSegmentName segment() {
        return segment;
    }

    /** The first position not yet in this buffer. */
    Lsn end() {
        return segment.startLsn().plus(filled);
    }

    int filled() {
        return filled;
    }

    boolean isEmpty() {
        return filled == 0;
    }

    boolean isComplete() {
        return filled == segmentSize;
    }

    /**
     * Copies WAL starting at {@code start} (which must be {@link #end()}) into the segment, as much
     * as fits; returns how many bytes were taken. The rest belongs to the next segment.
     */
    int append(Lsn start, byte[] source, int offset, int length) {
        requireHeld();
        if (!start.equals(end())) {
            throw new IllegalArgumentException("WAL out of order for segment " + segment + ": expected " + end() + ", got " + start);
        }
        int take = (int) Math.min(length, segmentSize - filled);
        if (take == 0) {
            return 0;
        }
        ensureCapacity(filled + take);
        System.arraycopy(source, offset, bytes, filled, take);
        filled += take;
        return take;
    }

    private void ensureCapacity(int needed) {
        if (needed <= bytes.length) {
            return;
        }
        long capacity = Math.max(INITIAL_CAPACITY, bytes.length);
        while (capacity < needed) {
            capacity *= 2;
        }
        bytes = Arrays.copyOf(bytes, (int) Math.min(capacity, segmentSize));
    }

    /**
     * The assembled bytes are {@code [0, filled())} of this array (all of it once complete: the array
     * never grows past the segment size); valid until the buffer changes.
     */
    byte[] array() {
        requireHeld();
        return bytes;
    }

    private void requireHeld() {
        if (released) {
            throw new IllegalStateException("the " + filled + " bytes of segment " + segment + " were released; restore them first");
        }
    }

    /**
     * Gives up the memory of bytes that are stored (as the segment's partial) while the stream is
     * idle: an idle instance then holds nothing. {@link #restore} brings them back when WAL arrives.
     */
    void release() {
        bytes = EMPTY;
        released = filled > 0;
    }

    boolean isReleased() {
        return released;
    }

    /** Puts back the released bytes, read from the store; they must be exactly as many as were held. */
    void restore(byte[] content) {
        if (!released) {
            throw new IllegalStateException("segment " + segment + " holds its bytes");
        }
        if (content.length != filled) {
            throw new IllegalArgumentException("segment " + segment + " held " + filled + " bytes, the store gave back " + content.length);
        }
        bytes = content;
        released = false;
    }

    /** Bytes of memory held. */
    int capacity() {
        return bytes.length;
    }

    /** Moves on to the next segment of the same timeline, keeping the array for a busy stream. */
    void advance() {
        if (!isComplete()) {
            throw new IllegalStateException("segment " + segment + " is not complete (" + filled + " of " + segmentSize + " bytes)");
        }
        segment = segment.next();
        filled = 0;
    }

    /** Shrinks the array to what is held (none when empty): for a stream that went quiet. */
    void trim() {
        if (!released && bytes.length > filled) {
            bytes = filled == 0 ? EMPTY : Arrays.copyOf(bytes, filled);
        }
    }
}
