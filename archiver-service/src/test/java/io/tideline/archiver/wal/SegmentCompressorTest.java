package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentCompressorTest {

    private static final long MB = 1024 * 1024;
    private static final WalSegmentName SEGMENT = WalSegmentName.of(1, Lsn.parse("0/3000000"), MB);

    private static byte[] wal(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        for (int i = 0; i < size; i += 2) {
            bytes[i] = 0; // compressible, as WAL is
        }
        return bytes;
    }

    @Test
    void eachUploadAddsAFrameAndTheFramesDecompressToTheWholePrefix() {
        byte[] raw = wal((int) MB, 1);
        try (SegmentCompressor compressor = new SegmentCompressor(3)) {
            SegmentCompressor.Compressed first = compressor.upTo(SEGMENT, raw, 100_000);
            SegmentCompressor.Compressed second = compressor.upTo(SEGMENT, raw, 700_000);
            SegmentCompressor.Compressed whole = compressor.upTo(SEGMENT, raw, (int) MB);

            assertArrayEquals(Arrays.copyOf(raw, 100_000), Zstd.decompress(first.bytes(), 100_000));
            assertArrayEquals(Arrays.copyOf(raw, 700_000), Zstd.decompress(second.bytes(), 700_000));
            assertArrayEquals(raw, Zstd.decompress(whole.bytes(), (int) MB));
            assertArrayEquals(first.bytes(), Arrays.copyOf(second.bytes(), first.bytes().length), "earlier frames are kept as they were");
            assertEquals(Sha256.of(raw, 0, 700_000), second.rawSha256());
            assertEquals(Sha256.of(raw), whole.rawSha256());
            assertTrue(whole.bytes().length < MB, "compressed");
        }
    }

    @Test
    void aSegmentCompleteBeforeItsFirstUploadIsOneFrameAndTheNextSegmentStartsOver() {
        byte[] raw = wal((int) MB, 2);
        byte[] next = wal(5000, 3);
        try (SegmentCompressor compressor = new SegmentCompressor(3)) {
            SegmentCompressor.Compressed whole = compressor.upTo(SEGMENT, raw, (int) MB);
            assertEquals(MB, Zstd.getFrameContentSize(whole.bytes()), "one frame holds it all");
            SegmentCompressor.Compressed other = compressor.upTo(SEGMENT.next(), next, next.length);
            assertArrayEquals(next, Zstd.decompress(other.bytes(), next.length));
            assertEquals(Sha256.of(next), other.rawSha256());
        }
    }

    @Test
    void framesReadBackFromTheStoreAreContinued() {
        byte[] raw = wal((int) MB, 4);
        byte[] storedFrames;
        try (SegmentCompressor before = new SegmentCompressor(3)) {
            storedFrames = before.upTo(SEGMENT, raw, 300_000).bytes();
        }
        try (SegmentCompressor after = new SegmentCompressor(3)) {
            after.adopt(SEGMENT, storedFrames, Arrays.copyOf(raw, 300_000));
            SegmentCompressor.Compressed more = after.upTo(SEGMENT, raw, 600_000);
            assertArrayEquals(Arrays.copyOf(raw, 600_000), Zstd.decompress(more.bytes(), 600_000));
            assertEquals(Sha256.of(raw, 0, 600_000), more.rawSha256());
            after.release();
            assertEquals(0, after.capacity());
        }
    }
}
