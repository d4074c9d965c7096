package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentBufferTest {

    private static final long MB = 1024 * 1024;

    @Test
    void chunksThatCrossASegmentBoundaryAreSplitAndBothSegmentsHoldExactlyTheirBytes() {
        WalSegmentName first = WalSegmentName.of(1, Lsn.parse("0/3000000"), MB);
        SegmentBuffer buffer = new SegmentBuffer(first);
        byte[] stream = new byte[(int) (MB + 1000)];
        new Random(7).nextBytes(stream);
        // arrives in three chunks, the middle one crossing into the next segment
        int[] chunks = {300_000, (int) MB - 300_000 + 600, 400};

        byte[] completed = null;
        Lsn at = first.startLsn();
        int offset = 0;
        for (int chunk : chunks) {
            int remaining = chunk;
            while (remaining > 0) {
                int taken = buffer.append(at, stream, offset, remaining);
                offset += taken;
                remaining -= taken;
                at = at.plus(taken);
                if (buffer.isComplete()) {
                    completed = buffer.array().clone();
                    buffer.advance();
                }
            }
        }

        assertArrayEquals(Arrays.copyOf(stream, (int) MB), completed);
        assertEquals(first.next(), buffer.segment());
        assertEquals(1000, buffer.filled());
        assertEquals(Lsn.parse("0/3000000").plus(MB + 1000), buffer.end());
        assertArrayEquals(Arrays.copyOfRange(stream, (int) MB, stream.length), Arrays.copyOf(buffer.array(), buffer.filled()));
    }

    @Test
    void bytesOutOfOrderAreRefused() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), MB));
        assertThrows(IllegalArgumentException.class, () -> buffer.append(Lsn.parse("0/3000010"), new byte[10], 0, 10));
    }

    @Test
    void memoryGrowsWithTheBytesAndTrimGivesBackWhatABurstLeft() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), 16 * MB));
        assertEquals(0, buffer.capacity(), "an idle stream holds no array");
        buffer.append(buffer.end(), new byte[100], 0, 100);
        assertEquals(SegmentBuffer.INITIAL_CAPACITY, buffer.capacity());
        buffer.append(buffer.end(), new byte[(int) MB], 0, (int) MB);
        assertTrue(buffer.capacity() >= MB + 100 && buffer.capacity() <= 4 * MB, "grows by doubling: " + buffer.capacity());
        buffer.trim();
        assertEquals(MB + 100, buffer.capacity());
        assertEquals(MB + 100, buffer.filled());
    }

    @Test
    void theArrayNeverGrowsPastTheSegmentSize() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), MB));
        byte[] chunk = new byte[(int) (MB - 1)];
        buffer.append(buffer.end(), chunk, 0, chunk.length);
        buffer.append(buffer.end(), new byte[10], 0, 10);
        assertTrue(buffer.isComplete());
        assertEquals(MB, buffer.array().length);
    }

    @Test
    void onlyACompleteSegmentMovesOn() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), MB));
        buffer.append(buffer.end(), new byte[10], 0, 10);
        assertThrows(IllegalStateException.class, buffer::advance);
    }

    @Test
    void releasedBytesMustBeRestoredExactlyBeforeMoreArrive() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), MB));
        byte[] first = new byte[1000];
        new Random(3).nextBytes(first);
        buffer.append(buffer.end(), first, 0, first.length);

        buffer.release();
        assertEquals(0, buffer.capacity(), "an idle stream holds nothing");
        assertTrue(buffer.isReleased());
        assertEquals(Lsn.parse("0/3000000").plus(1000), buffer.end(), "the position is kept");
        assertThrows(IllegalStateException.class, () -> buffer.append(buffer.end(), new byte[1], 0, 1));
        assertThrows(IllegalArgumentException.class, () -> buffer.restore(new byte[999]));

        buffer.restore(first.clone());
        buffer.append(buffer.end(), new byte[] {42}, 0, 1);
        assertArrayEquals(first, Arrays.copyOf(buffer.array(), 1000));
        assertEquals(42, buffer.array()[1000]);
    }

    @Test
    void anEmptyBufferHasNothingToRelease() {
        SegmentBuffer buffer = new SegmentBuffer(WalSegmentName.of(1, Lsn.parse("0/3000000"), MB));
        buffer.release();
        assertEquals(false, buffer.isReleased());
        buffer.append(buffer.end(), new byte[10], 0, 10);
        assertEquals(10, buffer.filled());
    }
}
