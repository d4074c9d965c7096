package io.tideline.archiver.wal;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.WalSegmentName;
import java.security.DigestException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The compressed form of the segment being filled, kept up to date incrementally: each upload
 * compresses only the bytes added since the previous one, as a new zstd frame appended to the
 * earlier frames (concatenated frames decompress to the concatenated bytes), and the sha256 of the
 * uncompressed bytes is carried forward the same way. So every WAL byte is compressed and hashed
 * once, however often the growing segment is uploaded — without this, a 1 s flush interval would
 * compress a 16 MB segment's growing prefix again every second. A segment that completes before its
 * first upload is one frame. Not thread-safe: one per stream.
 */
final class SegmentCompressor implements AutoCloseable {

    private final ZstdCompressCtx zstd;
    private WalSegmentName segment;
    private byte[] compressed = new byte[0];
    private int compressedLength;
    private int covered;
    private MessageDigest rawDigest = Sha256.newDigest();

    SegmentCompressor(int level) {
        this.zstd = new ZstdCompressCtx().setLevel(level).setChecksum(true).setContentSize(true);
    }

    /** The compressed frames of {@code raw[0, length)} of {@code segment}, and the raw sha256. */
    record Compressed(byte[] bytes, int rawLength, Sha256 rawSha256) {
    }

    /**
     * Compresses what {@code raw} holds beyond the last call for the same segment and returns all
     * frames so far (a copy of exactly their size). A new segment starts over.
     */
    Compressed upTo(WalSegmentName of, byte[] raw, int length) {
        if (!of.equals(segment) || length < covered) {
            start(of);
        }
        if (length > covered) {
            int added = length - covered;
            ensureCapacity(compressedLength + (int) Zstd.compressBound(added));
            compressedLength += zstd.compressByteArray(compressed, compressedLength, compressed.length - compressedLength,
                    raw, covered, added);
            rawDigest.update(raw, covered, added);
            covered = length;
        }
        return new Compressed(Arrays.copyOf(compressed, compressedLength), covered, currentSha256());
    }

    /**
     * Takes over frames read back from the store for {@code raw} (the stored partial, after an idle
     * stream gave its memory up), so the next upload only adds to them.
     */
    void adopt(WalSegmentName of, byte[] storedFrames, byte[] raw) {
        start(of);
        compressed = storedFrames.clone();
        compressedLength = storedFrames.length;
        rawDigest.update(raw);
        covered = raw.length;
    }

    /** Gives up the memory (an idle stream); the next call starts over or adopts. */
    void release() {
        segment = null;
        compressed = new byte[0];
        compressedLength = 0;
        covered = 0;
        rawDigest = Sha256.newDigest();
    }

    /** Bytes of memory held. */
    int capacity() {
        return compressed.length;
    }

    private void start(WalSegmentName of) {
        segment = of;
        compressedLength = 0;
        covered = 0;
        rawDigest = Sha256.newDigest();
    }

    private void ensureCapacity(int needed) {
        if (needed > compressed.length) {
            compressed = Arrays.copyOf(compressed, needed + needed / 2);
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
        zstd.close();
    }
}
