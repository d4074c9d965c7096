package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.core.wal.Lsn;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommitHorizonTest {

    private static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");

    private static Instant t(int millis) {
        return T0.plusMillis(millis);
    }

    private static Lsn at(long bytes) {
        return new Lsn(0x1000000L + bytes);
    }

    @Test
    void anObjectHoldsTheCommitsOfTheLatestMessageWhoseServerEndItPasses() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ZERO);
        horizon.observe(at(100), t(10));
        horizon.observe(at(300), t(20));
        horizon.observe(at(500), t(30));

        assertEquals(Optional.empty(), horizon.coveredBy(at(99)), "before the first server end: nothing known");
        assertEquals(Optional.of(t(10)), horizon.coveredBy(at(100)));
        assertEquals(Optional.of(t(10)), horizon.coveredBy(at(299)), "the server had more WAL at 20 ms than this holds");
        assertEquals(Optional.of(t(20)), horizon.coveredBy(at(300)));
        assertEquals(Optional.of(t(30)), horizon.coveredBy(at(800)));
    }

    @Test
    void anArchiveBehindTheServerClaimsOnlyWhatTheServerHadWrittenByThen() {
        // The server is far ahead: every message reports an end beyond what the archiver has.
        CommitHorizon horizon = new CommitHorizon(Optional.of(t(0)), Duration.ZERO);
        horizon.observe(at(10_000), t(1_000));
        horizon.observe(at(20_000), t(2_000));
        horizon.observe(at(30_000), t(3_000));
        assertEquals(Optional.of(t(0)), horizon.coveredBy(at(5_000)), "what was stored before, not the time of the upload");
        assertEquals(Optional.of(t(2_000)), horizon.coveredBy(at(25_000)));
        assertEquals(Optional.of(t(2_000)), horizon.coveredBy(at(24_000)), "never goes back");
    }

    @Test
    void anIdleServerMovesTheSameEndForwardInTime() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ZERO);
        horizon.observe(at(100), t(10));
        horizon.observe(at(100), t(5_000));
        assertEquals(1, horizon.marks());
        assertEquals(Optional.of(t(5_000)), horizon.coveredBy(at(100)));
    }

    @Test
    void aServerClockThatStepsBackNeverMakesTheBoundLater() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ZERO);
        horizon.observe(at(100), t(50));
        horizon.observe(at(200), t(40));
        assertEquals(Optional.of(t(50)), horizon.coveredBy(at(200)));
    }

    @Test
    void manyMarksAreThinnedAndAnswersOnlyGetOlder() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ZERO);
        int n = CommitHorizon.MAX_MARKS + 10;
        for (int i = 1; i <= n; i++) {
            horizon.observe(at(i * 10L), t(i));
        }
        assertTrue(horizon.marks() <= CommitHorizon.MAX_MARKS, "bounded: " + horizon.marks());
        Instant mid = horizon.coveredBy(at(n * 5L)).orElseThrow();
        assertTrue(!mid.isAfter(t(n / 2)), "never later than the truth: " + mid);
        assertTrue(mid.isAfter(t(n / 2 - 3)), "and not much older: " + mid);
        assertEquals(Optional.of(t(n)), horizon.coveredBy(at(n * 10L)), "the newest mark is kept");
    }

    @Test
    void sendTimesClaimLessThanTheyShowByTheFlushAllowance() {
        // a commit stamped just before the send time may still have been flushing beyond the server end
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ofSeconds(1));
        horizon.observe(at(100), t(5_000));
        assertEquals(Optional.of(t(4_000)), horizon.coveredBy(at(100)));
    }

    @Test
    void aStoredCommitRecordReachesEveryTargetBeforeItsTimestamp() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ofSeconds(1));
        horizon.observe(at(100), t(1_000));            // claims t(0)
        horizon.observeCommit(at(150), t(900));        // a commit record inside the next object
        horizon.observe(at(400), t(1_200));            // the server ran ahead of what will be stored
        assertEquals(Optional.of(t(0)), horizon.coveredBy(at(100)));
        assertEquals(Optional.of(t(900).minusNanos(1_000)), horizon.coveredBy(at(150)),
                "recovery to any target before the commit's stamp stops at it, inside the object");
        assertEquals(Optional.of(t(900).minusNanos(1_000)), horizon.coveredBy(at(399)));
    }

    @Test
    void aCommitFoundBehindTheServersEndIsClaimedFromItsOwnEnd() {
        CommitHorizon horizon = new CommitHorizon(Optional.empty(), Duration.ZERO);
        horizon.observe(at(500), t(100));              // the server's end is far beyond the bytes received
        horizon.observeCommit(at(200), t(300));        // then a commit at 200 is decoded from those bytes
        assertEquals(Optional.empty(), horizon.coveredBy(at(199)));
        assertEquals(Optional.of(t(300).minusNanos(1_000)), horizon.coveredBy(at(250)));
        assertEquals(Optional.of(t(300).minusNanos(1_000)), horizon.coveredBy(at(500)), "and for every end after it");
        horizon.observe(at(800), t(250));               // a later, smaller claim never lowers the bound
        assertEquals(Optional.of(t(300).minusNanos(1_000)), horizon.coveredBy(at(800)));
    }
}
