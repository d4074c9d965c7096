package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ChecksumMismatchException;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.storage.InMemoryObjectStore;
import io.tideline.testkit.time.MutableClock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** WalObjectWriter against the in-memory store: idempotent segments, replaced partials, checked read-back. */
class WalObjectWriterTest {

    private static final long SEGMENT_SIZE = 1024 * 1024;
    private static final WalSegmentName SEGMENT = WalSegmentName.of(1, new Lsn(3 * SEGMENT_SIZE), SEGMENT_SIZE);
    private static final Instant COVERED = Instant.parse("2026-12-01T09:59:58.123456Z");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryObjectStore store = new InMemoryObjectStore("tideline-writer", ObjectStoreSettings.MIN_PART_SIZE, clock);
    private final BucketLayout layout = BucketLayout.forSegmentSize(SEGMENT_SIZE);
    private final WalObjectWriter writer = new WalObjectWriter(store, layout, clock);
    private final Random random = new Random(7);

    @Test
    void aCompleteSegmentIsStoredOnceAndTheSameWalAgainIsSuccessEvenCompressedDifferently() {
        byte[] wal = randomWal((int) SEGMENT_SIZE);

        StoredWalObject first = writer.storeComplete(SEGMENT, sealed(wal, 3), Optional.of(COVERED));
        StoredWalObject again = writer.storeComplete(SEGMENT, sealed(wal, 1), Optional.empty());

        assertEquals(SEGMENT.endLsn(), first.end());
        assertEquals(first.rawSha256(), again.rawSha256());
        WalObjectMetadata meta = WalObjectMetadata.from(store.head(layout.walSegment(SEGMENT)).orElseThrow());
        assertEquals(Optional.of(Instant.parse("2026-12-01T09:59:58.123Z")), meta.storedAt(), "the first object is kept, stamp truncated to ms");
        assertEquals(1, store.keys().size());
    }

    @Test
    void differentWalUnderTheSameSegmentIsAConflictAndTheStoredObjectIsKept() {
        byte[] wal = randomWal((int) SEGMENT_SIZE);
        writer.storeComplete(SEGMENT, sealed(wal, 3), Optional.empty());
        byte[] stored = store.get(layout.walSegment(SEGMENT));
        byte[] other = wal.clone();
        other[12345] ^= 1;

        WalConflictException e = assertThrows(WalConflictException.class,
                () -> writer.storeComplete(SEGMENT, sealed(other, 3), Optional.empty()));

        assertTrue(e.getMessage().contains(layout.walSegment(SEGMENT)), e.getMessage());
        assertArrayEquals(stored, store.get(layout.walSegment(SEGMENT)));
    }

    @Test
    void aPartialReplacesThePreviousOneAndReadsBackCheckedToTheExactEnd() {
        byte[] wal = randomWal(5000);
        writer.storePartial(SEGMENT, sealed(Arrays.copyOf(wal, 2000), 3), Optional.empty());
        StoredWalObject partial = writer.storePartial(SEGMENT, sealed(wal, 3), Optional.of(COVERED));

        assertEquals(SEGMENT.startLsn().plus(5000), partial.end());
        assertEquals(1, store.keys().size(), "one partial per segment");
        WalObjectWriter.Partial read = writer.loadPartial(SEGMENT, partial.end());
        assertArrayEquals(wal, read.raw());
        assertThrows(IllegalStateException.class, () -> writer.loadPartial(SEGMENT, SEGMENT.startLsn().plus(2000)),
                "a partial that does not reach the expected end is refused");

        byte[] compressed = store.get(partial.key());
        compressed[compressed.length / 2] ^= 1;
        store.corrupt(partial.key(), compressed);
        assertThrows(ChecksumMismatchException.class, () -> writer.loadPartial(SEGMENT, partial.end()));
    }

    @Test
    void aHistoryFileIsNeverOverwrittenWithADifferentOne() {
        writer.storeHistory(2, "1\t0/3000000\tno recovery target specified\n");
        writer.storeHistory(2, "1\t0/3000000\tno recovery target specified\n");

        assertThrows(WalConflictException.class, () -> writer.storeHistory(2, "1\t0/4000000\tother\n"));
    }

    private byte[] randomWal(int length) {
        // Compressible, as WAL is, so that compression levels give different objects.
        byte[] wal = new byte[length];
        for (int i = 0; i < length; i++) {
            wal[i] = (byte) random.nextInt(4);
        }
        return wal;
    }

    private static CompressedSegment.Sealed sealed(byte[] wal, int level) {
        try (CompressedSegment segment = new CompressedSegment(SEGMENT, level)) {
            segment.append(SEGMENT.startLsn(), wal, 0, wal.length);
            return segment.seal();
        }
    }
}
