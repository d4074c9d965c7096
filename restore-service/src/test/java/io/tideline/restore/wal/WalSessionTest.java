package io.tideline.restore.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.ids.RestoreId;
import io.tideline.core.instance.WalSpool;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.Sha256;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.storage.InMemoryObjectStore;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One restore's WAL served from an in-memory source bucket: verified, prefetched, spooled, and what a
 * missing segment means. Fetches run on the calling thread and the spool is a map, so every test is deterministic.
 */
class WalSessionTest {

    private static final long SEG = WalSegmentName.MIN_SEGMENT_SIZE;
    private static final BucketLayout LAYOUT = BucketLayout.forSegmentSize(SEG);
    private static final RestoreId RESTORE = RestoreId.of("4d2b7e10-0000-4000-8000-000000000001");

    private final InMemoryObjectStore store = new InMemoryObjectStore(BucketLayout.bucketName(InstanceId.of("orders")));
    private final Random random = new Random(3);

    // ---- verified ----------------------------------------------------------------------------------

    @Test
    void aStoredSegmentIsServedAsTheWalItHolds() {
        byte[] wal = storeSegment(1);

        WalAnswer.Found found = assertInstanceOf(WalAnswer.Found.class, session(0, Set.of()).fetch(name(1).toString()));

        assertArrayEquals(wal, found.bytes());
        assertEquals(LAYOUT.walSegment(name(1)), found.fromKey());
    }

    @Test
    void aPartialSegmentIsPaddedWithZerosToTheSegmentSize() {
        byte[] wal = bytes((int) SEG / 4);
        storeWal(LAYOUT.walPartial(name(2)), name(2), wal);

        WalAnswer.Found found = assertInstanceOf(WalAnswer.Found.class, session(0, Set.of()).fetch(name(2).toString()));

        assertEquals(SEG, found.bytes().length);
        assertArrayEquals(wal, Arrays.copyOf(found.bytes(), wal.length));
        assertTrue(Arrays.equals(new byte[(int) SEG - wal.length], Arrays.copyOfRange(found.bytes(), wal.length, (int) SEG)));
    }

    @Test
    void aChecksumMismatchFailsTheRestoreNamingTheObjectAndEveryLaterRequest() {
        storeSegment(1);
        storeSegment(2);
        String key = LAYOUT.walSegment(name(1));
        byte[] stored = store.get(key);
        stored[stored.length / 2] ^= 0x55;
        store.corrupt(key, stored);
        WalSession session = session(0, Set.of());

        WalAnswer.Failed failed = assertInstanceOf(WalAnswer.Failed.class, session.fetch(name(1).toString()));

        assertTrue(failed.reason().startsWith("checksum mismatch in WAL object " + key + " of bucket " + store.bucket()), failed.reason());
        assertEquals(Optional.of(failed.reason()), session.failure());
        assertEquals(failed, session.fetch(name(2).toString()), "nothing is served after a failure, not even good WAL");
    }

    @Test
    void walThatDoesNotMatchItsRecordedRawChecksumIsNeverServed() {
        byte[] wal = bytes((int) SEG);
        byte[] compressed = Zstd.compress(wal);
        Sha256 other = Sha256.of(bytes((int) SEG));
        store.put(LAYOUT.walSegment(name(1)), compressed,
                new WalObjectMetadata(name(1).startLsn(), name(1).next().startLsn(), other).toMap());

        WalAnswer.Failed failed = assertInstanceOf(WalAnswer.Failed.class, session(0, Set.of()).fetch(name(1).toString()));

        assertTrue(failed.reason().contains("after decompression"), failed.reason());
    }

    // ---- missing -----------------------------------------------------------------------------------

    @Test
    void aMissingSegmentOutsideTheRestoresRangeIsTheEndOfTheArchive() {
        storeSegment(1);
        WalSession session = session(0, Set.of(name(1)));

        assertInstanceOf(WalAnswer.NotFound.class, session.fetch(name(2).toString()));
        assertEquals(Optional.empty(), session.failure(), "the end of the archive is not a failure");
    }

    @Test
    void aSegmentStoredWhenTheRestoreBeganAndGoneNowFailsIt() {
        storeSegment(1);
        WalSession session = session(0, Set.of(name(1), name(2)));

        WalAnswer.Failed failed = assertInstanceOf(WalAnswer.Failed.class, session.fetch(name(2).toString()));

        assertTrue(failed.reason().contains("WAL segment " + LAYOUT.walSegment(name(2))), failed.reason());
        assertTrue(failed.reason().endsWith("was stored when the restore began and is missing now"), failed.reason());
    }

    @Test
    void aSegmentStoredAfterItWasLookedForAheadIsServed() {
        storeSegment(1);
        WalSession session = session(2, Set.of());
        session.fetch(name(1).toString()); // looks for 2 and 3 ahead: absent then
        byte[] wal = storeSegment(2); // the source streams on

        WalAnswer.Found found = assertInstanceOf(WalAnswer.Found.class, session.fetch(name(2).toString()));
        assertArrayEquals(wal, found.bytes());
    }

    // ---- prefetch ----------------------------------------------------------------------------------

    @Test
    void theSegmentsAfterAServedOneAreFetchedAhead() {
        for (long n = 1; n <= 4; n++) {
            storeSegment(n);
        }
        WalSession session = session(2, Set.of());
        session.fetch(name(1).toString());
        store.delete(LAYOUT.walSegment(name(2)));
        store.delete(LAYOUT.walSegment(name(3)));
        store.delete(LAYOUT.walSegment(name(4)));

        assertInstanceOf(WalAnswer.Found.class, session.fetch(name(2).toString()), "2 was fetched with 1");
        assertInstanceOf(WalAnswer.Found.class, session.fetch(name(3).toString()), "3 was fetched with 1");
        assertInstanceOf(WalAnswer.NotFound.class, session.fetch(name(4).toString()), "4 was not fetched ahead before the store lost it");
        assertEquals(3, session.segmentsServed());
        assertEquals(Optional.of(name(3)), session.newestServed());
    }

    // ---- spool -------------------------------------------------------------------------------------

    @Test
    void segmentsAheadWaitInTheSpoolAndCountAsServedOnceTheServerTookThem() {
        byte[] first = storeSegment(1);
        storeSegment(2);
        storeSegment(3);
        InMemoryWalSpool spool = spool();
        WalSession session = session(2, Set.of(), spool);

        session.prefetchFrom(name(1));
        assertTrue(spool.holds(name(1).toString()) && spool.holds(name(2).toString()), "waiting before the server asks");
        assertFalse(spool.holds(name(3).toString()), "only the prefetch depth ahead");

        assertArrayEquals(first, spool.serverTakes(name(1).toString()).orElseThrow());
        session.reap();

        assertEquals(1, session.segmentsServed());
        assertEquals(1, session.segmentsFromSpool());
        assertTrue(spool.holds(name(3).toString()), "the session fetched further ahead");
    }

    @Test
    void aSpooledSegmentAskedForOverHttpIsTakenBackAndServed() {
        byte[] wal = storeSegment(1);
        InMemoryWalSpool spool = spool();
        WalSession session = session(1, Set.of(), spool);
        session.prefetchFrom(name(1));

        WalAnswer.Found found = assertInstanceOf(WalAnswer.Found.class, session.fetch(name(1).toString()));

        assertArrayEquals(wal, found.bytes());
        assertFalse(spool.holds(name(1).toString()), "the server's rename now fails and it asks over HTTP");
        assertEquals(0, session.segmentsFromSpool());
    }

    @Test
    void partialsAreNeverSpooledAndClosingEmptiesTheSpool() {
        storeSegment(1);
        storeWal(LAYOUT.walPartial(name(2)), name(2), bytes(1000));
        InMemoryWalSpool spool = spool();
        WalSession session = session(2, Set.of(), spool);

        session.prefetchFrom(name(1));
        assertFalse(spool.holds(name(2).toString()), "a partial is answered at the time of asking");
        assertTrue(spool.holds(name(1).toString()));

        session.close();
        assertFalse(spool.holds(name(1).toString()));
    }

    // ---- fixture -----------------------------------------------------------------------------------

    private WalSession session(int prefetch, Set<WalSegmentName> required) {
        return new WalSession(RESTORE, store, LAYOUT, required, prefetch, Runnable::run, Optional.empty());
    }

    private WalSession session(int prefetch, Set<WalSegmentName> required, WalSpool spool) {
        return new WalSession(RESTORE, store, LAYOUT, required, prefetch, Runnable::run, Optional.of(spool));
    }

    private static InMemoryWalSpool spool() {
        return new InMemoryWalSpool();
    }

    /** A complete segment as the archiver stores it: zstd, sha256 of the object and of its WAL recorded. */
    private byte[] storeSegment(long segmentNo) {
        byte[] wal = bytes((int) SEG);
        storeWal(LAYOUT.walSegment(name(segmentNo)), name(segmentNo), wal);
        return wal;
    }

    private void storeWal(String key, WalSegmentName segment, byte[] wal) {
        Lsn start = segment.startLsn();
        store.put(key, Zstd.compress(wal), new WalObjectMetadata(start, new Lsn(start.value() + wal.length), Sha256.of(wal)).toMap());
    }

    private byte[] bytes(int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    private static WalSegmentName name(long segmentNo) {
        return new WalSegmentName(1, segmentNo, SEG);
    }
}
