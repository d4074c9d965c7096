package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.tideline.core.storage.Sha256;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CompressedSegmentTest {

    private static final long MB = 1024 * 1024;
    private static final WalSegmentName FIRST = WalSegmentName.of(1, Lsn.parse("0/3000000"), MB);

    /** Compressible bytes, as WAL is. */
    private static byte[] wal(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        for (int i = 0; i < size; i += 2) {
            bytes[i] = 0;
        }
        return bytes;
    }

    /** Feeds {@code stream} in chunks of {@code chunk} bytes; returns what complete segments sealed. */
    private static java.util.List<CompressedSegment.Sealed> feed(CompressedSegment segment, byte[] stream, int from, int to, int chunk) {
        java.util.List<CompressedSegment.Sealed> completed = new java.util.ArrayList<>();
        Lsn at = segment.end();
        int offset = from;
        while (offset < to) {
            int remaining = Math.min(chunk, to - offset);
            while (remaining > 0) {
                int taken = segment.append(at, stream, offset, remaining);
                offset += taken;
                remaining -= taken;
                at = at.plus(taken);
                if (segment.isComplete()) {
                    completed.add(segment.seal());
                    segment.advance();
                }
            }
        }
        return completed;
    }

    @Test
    void chunksThatCrossASegmentBoundaryAreSplitAndEachSegmentDecompressesToExactlyItsBytes() {
        byte[] stream = wal((int) (MB + 1000), 7);
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            var completed = feed(segment, stream, 0, stream.length, 131_072 + 17);

            assertEquals(1, completed.size());
            CompressedSegment.Sealed first = completed.get(0);
            assertEquals(FIRST, first.segment());
            assertArrayEquals(Arrays.copyOf(stream, (int) MB), Zstd.decompress(first.compressed(), (int) MB));
            assertEquals(Sha256.of(stream, 0, (int) MB), first.rawSha256());
            assertTrue(first.compressed().length < MB * 3 / 4, "compressed: " + first.compressed().length);

            assertEquals(FIRST.next(), segment.segment());
            CompressedSegment.Sealed rest = segment.seal();
            assertEquals(1000, rest.rawLength());
            assertEquals(FIRST.next().startLsn().plus(1000), rest.end());
            assertArrayEquals(Arrays.copyOfRange(stream, (int) MB, stream.length), Zstd.decompress(rest.compressed(), 1000));
        }
    }

    @Test
    void framesCompressedInTheBackgroundOrNotDecompressToTheSameBytesWhateverTheSwitchesBetweenThem() {
        // issue 18.4: zstd's worker thread while a backlog drains; switched at frame starts only (a mid-frame
        // switch is taken at the next frame), across segments and across partial seals
        byte[] stream = wal((int) (4 * MB + 5000), 13);
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            java.util.List<CompressedSegment.Sealed> completed = new java.util.ArrayList<>();
            boolean[] background = {true, true, false, true, false, false, true};
            int offset = 0;
            int step = 0;
            Lsn at = segment.end();
            while (offset < stream.length) {
                segment.compressInBackground(background[step++ % background.length]);
                int taken = segment.append(at, stream, offset, Math.min(300_000, stream.length - offset));
                offset += taken;
                at = at.plus(taken);
                if (segment.isComplete()) {
                    completed.add(segment.seal());
                    segment.advance();
                } else if (step % 3 == 0) {
                    segment.seal(); // a partial: the frame ends here, the next begins
                }
            }
            assertEquals(4, completed.size());
            for (int i = 0; i < completed.size(); i++) {
                byte[] raw = Arrays.copyOfRange(stream, (int) (i * MB), (int) ((i + 1) * MB));
                assertArrayEquals(raw, Zstd.decompress(completed.get(i).compressed(), (int) MB), "segment " + i);
                assertEquals(Sha256.of(raw), completed.get(i).rawSha256());
            }
            CompressedSegment.Sealed rest = segment.seal();
            assertArrayEquals(Arrays.copyOfRange(stream, (int) (4 * MB), stream.length), Zstd.decompress(rest.compressed(), 5000));
        }
    }

    @Test
    void theZstdContextKeptAcrossSegmentsStartsEachSegmentWithAFrameOfItsOwn() {
        // issue 18: advance() keeps the context; each segment must still be its own frames and nothing else
        byte[] stream = wal((int) (3 * MB), 11);
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            var completed = feed(segment, stream, 0, stream.length, 131_072);

            assertEquals(3, completed.size());
            for (int i = 0; i < 3; i++) {
                CompressedSegment.Sealed sealed = completed.get(i);
                byte[] raw = Arrays.copyOfRange(stream, (int) (i * MB), (int) ((i + 1) * MB));
                assertEquals(FIRST.startLsn().plus(i * MB), sealed.segment().startLsn());
                assertArrayEquals(raw, Zstd.decompress(sealed.compressed(), (int) MB), "segment " + i + " alone");
                assertEquals(Sha256.of(raw), sealed.rawSha256());
            }
            assertTrue(segment.isEmpty());
        }
    }

    @Test
    void everySealAddsAFrameAndTheFramesDecompressToTheWholePrefix() {
        byte[] raw = wal((int) MB, 1);
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            feed(segment, raw, 0, 100_000, 65_536);
            CompressedSegment.Sealed first = segment.seal();
            feed(segment, raw, 100_000, 700_000, 65_536);
            CompressedSegment.Sealed second = segment.seal();
            CompressedSegment.Sealed again = segment.seal();
            var whole = feed(segment, raw, 700_000, (int) MB, 65_536);

            assertArrayEquals(Arrays.copyOf(raw, 100_000), Zstd.decompress(first.compressed(), 100_000));
            assertArrayEquals(Arrays.copyOf(raw, 700_000), Zstd.decompress(second.compressed(), 700_000));
            assertArrayEquals(second.compressed(), again.compressed(), "sealing without new bytes adds nothing");
            assertArrayEquals(first.compressed(), Arrays.copyOf(second.compressed(), first.compressed().length),
                    "earlier frames stay as they were uploaded");
            assertEquals(Sha256.of(raw, 0, 700_000), second.rawSha256());
            assertArrayEquals(raw, Zstd.decompress(whole.get(0).compressed(), (int) MB));
            assertEquals(Sha256.of(raw), whole.get(0).rawSha256());
        }
    }

    @Test
    void anIdleSegmentGivesUpItsMemoryAndContinuesFromWhatTheStoreGivesBack() {
        byte[] raw = wal((int) MB, 4);
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            feed(segment, raw, 0, 300_000, 50_000);
            CompressedSegment.Sealed stored = segment.seal();

            segment.release();
            assertTrue(segment.isReleased());
            assertEquals(0, segment.capacity());
            assertEquals(FIRST.startLsn().plus(300_000), segment.end(), "the position is kept");
            assertThrows(IllegalStateException.class, () -> segment.append(segment.end(), raw, 300_000, 1));
            assertThrows(IllegalArgumentException.class, () -> segment.restore(stored.compressed(), new byte[299_999]));

            segment.restore(stored.compressed(), Arrays.copyOf(raw, 300_000));
            assertFalse(segment.isReleased());
            feed(segment, raw, 300_000, 600_000, 50_000);
            CompressedSegment.Sealed more = segment.seal();
            assertArrayEquals(Arrays.copyOf(raw, 600_000), Zstd.decompress(more.compressed(), 600_000));
            assertEquals(Sha256.of(raw, 0, 600_000), more.rawSha256());
        }
    }

    @Test
    void bytesOutOfOrderAreRefusedAndOnlyACompleteSegmentMovesOn() {
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            assertThrows(IllegalArgumentException.class, () -> segment.append(FIRST.startLsn().plus(10), new byte[10], 0, 10));
            segment.append(FIRST.startLsn(), new byte[10], 0, 10);
            assertThrows(IllegalStateException.class, segment::advance);
        }
    }

    @Test
    void anEmptySegmentHoldsNothingAndHasNothingToRelease() {
        try (CompressedSegment segment = new CompressedSegment(FIRST, 3)) {
            assertEquals(0, segment.capacity());
            segment.release();
            assertFalse(segment.isReleased());
            segment.append(segment.end(), new byte[10], 0, 10);
            assertEquals(10, segment.filled());
        }
    }
}
