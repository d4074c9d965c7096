package io.tideline.archiver.wal;

import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * The segment being filled from the stream, held only in compressed form: WAL bytes go through a
 * streaming zstd compressor as they arrive, and the uncompressed sha256 is carried along. What is
 * in memory is the compressed frames (a few MiB for a 16 MiB segment of WAL, at most about the
 * zstd bound), never the raw segment.
 *
 * <p>{@link #seal()} ends the current frame and returns everything so far: that is what is uploaded,
 * as the growing segment's partial or, once {@link #isComplete()}, as the segment. Later bytes start
 * a new frame; concatenated zstd frames decompress to the concatenated bytes. So every byte is
 * compressed and hashed once however often the partial is uploaded, and a segment that completes
 * before its first upload is one frame. Bytes must arrive in order from the segment's start.
 *
 * <p>While idle, {@link #release()} drops the frames (they are stored) and {@link #restore} takes
 * them back from the store when WAL arrives again. Not thread-safe: one per stream.
 */
final class CompressedSegment implements AutoCloseable {

    /** Uploaded bytes, the result of {@link #seal()}. */
    record Sealed(WalSegmentName segment, byte[] compressed, int rawLength, Sha256 rawSha256) {
        Lsn end() {
            return segment.startLsn().plus(rawLength);
        }
    }

    private final int level;
    private final long segmentSize;
    private final Frames frames = new Frames();
    private WalSegmentName segment;
    private int filled;
    private MessageDigest rawDigest = Sha256.newDigest();
    private ZstdOutputStreamNoFinalizer frame;
    /** Whether a frame is open (bytes written since it began); parameters change only between frames. */
    private boolean frameOpen;
    /** zstd worker threads wanted for the next frame (0: compress on the caller's thread). */
    private int wantedWorkers;
    /** zstd worker threads of the context now. */
    private int workers;
    private boolean released;

    CompressedSegment(WalSegmentName segment, int level) {
        this.segment = Objects.requireNonNull(segment, "segment");
        this.segmentSize = segment.segmentSize();
        this.level = level;
        if (segmentSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segments larger than 2 GiB are not supported: " + segmentSize);
        }
    }

    WalSegmentName segment() {
        return segment;
    }

    /** The first position not yet taken in. */
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

    boolean isReleased() {
        return released;
    }

    /** Bytes of heap held (the frames' array); the open frame's compression context is native memory. */
    int capacity() {
        return frames.bytes.length;
    }

    /**
     * Whether zstd compresses the next frames on a worker thread of its own (issue 18.4): while a backlog is
     * drained, the stream's thread then only receives, hashes and hands bytes over, and compression runs
     * on another core in jobs of {@value #BACKGROUND_JOB_BYTES} bytes. Same frames, same total CPU; it costs
     * ~4 job buffers of native memory while on, so a stream that keeps up (most of a fleet) stays off, and
     * switching off again frees them (a new context). Takes effect at the next frame's start.
     */
    void compressInBackground(boolean on) {
        wantedWorkers = on ? 1 : 0;
    }

    /** zstd's job size with a worker (its minimum is 512 KiB; the default at level 3, 8 MiB, would hold 4× the memory). */
    static final int BACKGROUND_JOB_BYTES = 2 * 1024 * 1024;

    /**
     * Takes WAL starting at {@code start} (which must be {@link #end()}) into the segment, as much
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
        try {
            if (!frameOpen && workers > 0 && wantedWorkers == 0) {
                closeFrame(); // the backlog is drained: free the worker's job buffers with the context
            }
            if (frame == null) {
                frame = new ZstdOutputStreamNoFinalizer(frames, level);
                frame.setChecksum(true);
                frame.setCloseFrameOnFlush(true);
                workers = 0;
            }
            if (!frameOpen && wantedWorkers != workers) {
                frame.setWorkers(wantedWorkers);
                if (wantedWorkers > 0) {
                    frame.setJobSize(BACKGROUND_JOB_BYTES);
                }
                workers = wantedWorkers;
            }
            frame.write(source, offset, take);
            frameOpen = true;
        } catch (IOException e) {
            throw new UncheckedIOException("zstd failed on segment " + segment, e);
        }
        rawDigest.update(source, offset, take);
        filled += take;
        return take;
    }

    /** Ends the open frame and returns all frames so far, with the raw length and sha256 they stand for. */
    Sealed seal() {
        requireHeld();
        if (frame != null) {
            try {
                frame.flush(); // ends the frame (close-frame-on-flush); the context is kept for the next one
                frameOpen = false;
            } catch (IOException e) {
                throw new UncheckedIOException("zstd failed on segment " + segment, e);
            }
        }
        return new Sealed(segment, Arrays.copyOf(frames.bytes, frames.length), filled, currentSha256());
    }

    /**
     * Moves on to the next segment of the same timeline; only a complete, sealed segment may. The zstd
     * context is kept for the next segment's frames (issue 18: a fresh context per 16 MiB segment — its
     * tables allocated and faulted in again — cost ~10 % of the stream thread's CPU); only its frame ends.
     */
    void advance() {
        if (!isComplete()) {
            throw new IllegalStateException("segment " + segment + " is not complete (" + filled + " of " + segmentSize + " bytes)");
        }
        endFrame();
        segment = segment.next();
        filled = 0;
        frames.length = 0;
        rawDigest = Sha256.newDigest();
    }

    /** Shrinks the frames' array to what it holds: for a stream that went quiet. */
    void trim() {
        if (frames.bytes.length > frames.length) {
            frames.bytes = Arrays.copyOf(frames.bytes, frames.length);
        }
    }

    /**
     * Gives up all memory while the stream is idle and every byte is stored (the caller's promise:
     * the segment's stored partial holds exactly these bytes). The position is kept.
     */
    void release() {
        closeFrame();
        frames.bytes = new byte[0];
        frames.length = 0;
        released = filled > 0;
    }

    /**
     * Takes back the stored partial's frames and the WAL they hold (to carry the sha256 on), which
     * must be exactly the bytes taken in before {@link #release()}.
     */
    void restore(byte[] storedFrames, byte[] raw) {
        if (!released) {
            throw new IllegalStateException("segment " + segment + " holds its bytes");
        }
        if (raw.length != filled) {
            throw new IllegalArgumentException("segment " + segment + " held " + filled + " bytes, the store gave back " + raw.length);
        }
        frames.bytes = storedFrames.clone();
        frames.length = storedFrames.length;
        rawDigest = Sha256.newDigest();
        rawDigest.update(raw);
        released = false;
    }

    private void requireHeld() {
        if (released) {
            throw new IllegalStateException("the " + filled + " bytes of segment " + segment + " were released; restore them first");
        }
    }

    /** Ends the open frame, if any, keeping the context; what it wrote belongs to the segment left behind. */
    private void endFrame() {
        if (frame != null) {
            try {
                frame.flush(); // close-frame-on-flush: the frame ends, the context stays
                frameOpen = false;
            } catch (IOException e) {
                throw new UncheckedIOException("zstd failed on segment " + segment, e);
            }
        }
    }

    private void closeFrame() {
        if (frame != null) {
            try {
                frame.close(); // ends a frame still open and frees the native context
            } catch (IOException e) {
                throw new UncheckedIOException("zstd failed on segment " + segment, e);
            } finally {
                frame = null;
                frameOpen = false;
            }
        }
    }

    private Sha256 currentSha256() {
        try {
            MessageDigest copy = (MessageDigest) rawDigest.clone();
            byte[] out = new byte[32];
            copy.digest(out, 0, out.length);
            return Sha256.ofDigest(out);
        } catch (CloneNotSupportedException | DigestException e) {
            throw new IllegalStateException("the JVM's SHA-256 cannot be carried forward", e);
        }
    }

    @Override
    public void close() {
        closeFrame();
    }

    /** Where the compressor writes: a growing array; closing it (when a frame closes) does nothing. */
    private static final class Frames extends OutputStream {
        private byte[] bytes = new byte[0];
        private int length;

        @Override
        public void write(int b) {
            ensure(length + 1);
            bytes[length++] = (byte) b;
        }

        @Override
        public void write(byte[] source, int offset, int count) {
            ensure(length + count);
            System.arraycopy(source, offset, bytes, length, count);
            length += count;
        }

        private void ensure(int needed) {
            if (needed > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(needed, Math.max(64 * 1024, bytes.length + bytes.length / 2)));
            }
        }

        @Override
        public void close() {
            // the frames stay; only a frame ended
        }
    }
}
