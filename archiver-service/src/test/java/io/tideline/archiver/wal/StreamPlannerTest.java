package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class StreamPlannerTest {

    private static final long MB = 1024 * 1024;
    /** Timeline 2 forked off timeline 1 inside segment 9 (1 MB segments), as a promotion does. */
    private static final Lsn FORK = Lsn.parse("0/926120");
    private static final TimelineHistory TL1 = TimelineHistory.initial();
    private static final TimelineHistory TL2 = TimelineHistory.parse(2, "1\t0/926120\tno recovery target specified\n");
    private static final Lsn ANY_RESTART = Lsn.parse("0/100");

    private static WalSegmentName seg(long tli, long no) {
        return new WalSegmentName(tli, no, MB);
    }

    private static Lsn start(long no) {
        return seg(1, no).startLsn();
    }

    private static final class Bucket {
        final TreeSet<WalSegmentName> complete = new TreeSet<>();
        final Map<WalSegmentName, Lsn> partials = new HashMap<>();

        Bucket complete(long tli, long from, long to) {
            for (long n = from; n <= to; n++) {
                complete.add(seg(tli, n));
            }
            return this;
        }

        Bucket partial(long tli, long no, Lsn end) {
            partials.put(seg(tli, no), end);
            return this;
        }

        StoredWal stored() {
            return new StoredWal(complete, partials, Set.of());
        }
    }

    private static StreamPlan plan(Bucket bucket, TimelineHistory history, Lsn restart) {
        return StreamPlanner.plan(bucket.stored(), history, restart, Optional.empty(), MB);
    }

    @Test
    void anEmptyBucketStartsAtTheSegmentOfTheSlotsRestartLsnAndClaimsNothingStored() {
        StreamPlan p = plan(new Bucket(), TL1, Lsn.parse("0/600768"));
        assertEquals(new StreamPlan(1, start(6), Optional.empty(), Optional.empty(), false), p);
    }

    @Test
    void afterTheNewestCompleteSegmentComesTheNextOne() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 5), TL1, ANY_RESTART);
        assertEquals(new StreamPlan(1, start(6), Optional.empty(), Optional.of(start(6)), false), p);
    }

    @Test
    void aPartialIsStreamedAgainFromItsSegmentStartAndItsReachIsKept() {
        Lsn reach = start(6).plus(12_345);
        StreamPlan p = plan(new Bucket().complete(1, 1, 5).partial(1, 6, reach), TL1, ANY_RESTART);
        assertEquals(new StreamPlan(1, start(6), Optional.empty(), Optional.of(reach), true), p);
    }

    @Test
    void aPartialLeftBesideItsCompleteSegmentDoesNotCount() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 5).partial(1, 5, start(5).plus(10)), TL1, ANY_RESTART);
        assertEquals(start(6), p.start());
        assertFalse(p.partialStored());
    }

    @Test
    void onAnOlderTimelineTheStreamStopsWhereItForked() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 7), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(1, start(8), Optional.of(FORK), Optional.of(start(8)), false), p);
    }

    @Test
    void onceTheOldTimelineIsStoredUpToTheForkTheNewOneFollowsFromTheForksSegmentStart() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 8).partial(1, 9, FORK), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(2, start(9), Optional.empty(), Optional.of(start(9)), false), p);
    }

    @Test
    void anOldTimelinesPartialShortOfTheForkStillMovesOnTheNewTimelineHoldsThoseBytesToo() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 8).partial(1, 9, start(9).plus(100)), TL2, ANY_RESTART);
        assertEquals(2, p.timeline());
        assertEquals(start(9), p.start());
        assertTrue(p.stopAt().isEmpty());
    }

    @Test
    void theNewTimelinesSegmentsWinOverTheOldOnes() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 8).partial(1, 9, FORK).complete(2, 9, 12), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(2, start(13), Optional.empty(), Optional.of(start(13)), false), p);
    }

    @Test
    void aPartialOfTheNewTimelinesFirstSegmentIsResumed() {
        Lsn reach = start(9).plus(900_000);
        StreamPlan p = plan(new Bucket().complete(1, 1, 8).partial(1, 9, FORK).partial(2, 9, reach), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(2, start(9), Optional.empty(), Optional.of(reach), true), p);
    }

    @Test
    void walTheOldPrimaryWroteAfterTheForkIsNotThisServersHistory() {
        // the old primary went on writing timeline 1 after the promotion: those segments are clamped at the fork
        Lsn reach = start(9).plus(300_000);
        StreamPlan p = plan(new Bucket().complete(1, 1, 30).partial(2, 9, reach), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(2, start(9), Optional.empty(), Optional.of(reach), true), p);
    }

    @Test
    void timelinesTheServerNeverHadAreIgnored() {
        StreamPlan p = plan(new Bucket().complete(1, 1, 3).complete(3, 4, 40), TL2, ANY_RESTART);
        assertEquals(new StreamPlan(1, start(4), Optional.of(FORK), Optional.of(start(4)), false), p);
    }

    @Test
    void anEmptyBucketWhoseSlotStillHoldsTheOldTimelineStreamsItFirst() {
        StreamPlan p = plan(new Bucket(), TL2, start(7).plus(5));
        assertEquals(new StreamPlan(1, start(7), Optional.of(FORK), Optional.empty(), false), p);
    }

    @Test
    void aForkOnASegmentBoundaryGoesStraightToTheNewTimeline() {
        TimelineHistory history = TimelineHistory.parse(2, "1\t0/A00000\tpromoted\n");
        StreamPlan p = plan(new Bucket().complete(1, 1, 9), history, ANY_RESTART);
        assertEquals(new StreamPlan(2, start(10), Optional.empty(), Optional.of(start(10)), false), p);
    }

    @Test
    void afterAGapStreamingGoesOnWhereTheServerStillHasWalUntilTheBucketCatchesUp() {
        Bucket bucket = new Bucket().complete(1, 1, 5);
        StreamPlan skipped = StreamPlanner.plan(bucket.stored(), TL1, ANY_RESTART, Optional.of(start(20)), MB);
        assertEquals(new StreamPlan(1, start(20), Optional.empty(), Optional.empty(), false), skipped);

        bucket.complete(1, 20, 21);
        StreamPlan later = StreamPlanner.plan(bucket.stored(), TL1, ANY_RESTART, Optional.of(start(20)), MB);
        assertEquals(start(22), later.start());
    }
}
