package io.tideline.archiver.wal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStoreSettings;
import io.tideline.core.storage.StorageUnavailableException;
import io.tideline.core.storage.WalObjectMetadata;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import io.tideline.testkit.storage.InMemoryObjectStore;
import io.tideline.testkit.storage.InMemoryObjectStore.Operation;
import io.tideline.testkit.time.MutableClock;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The flush rules of a stream session, on a scripted stream, the in-memory store and a clock the
 * test moves: no server, no sleeps.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WalPumpTest {

    private static final long SEGMENT_SIZE = 1024 * 1024;
    private static final int QUARTER = (int) SEGMENT_SIZE / 4;
    private static final WalSegmentName FIRST = WalSegmentName.of(1, new Lsn(SEGMENT_SIZE), SEGMENT_SIZE);
    private static final InstanceId INSTANCE = InstanceId.of("pump");

    private final WalSettings settings = WalSettings.defaults();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryObjectStore store = new InMemoryObjectStore("tideline-pump", ObjectStoreSettings.MIN_PART_SIZE, clock);
    private final BucketLayout layout = BucketLayout.forSegmentSize(SEGMENT_SIZE);
    private final StopSignal stop = new StopSignal(clock);
    private final ScriptedReplicationStream stream = new ScriptedReplicationStream(FIRST.startLsn(), clock, stop, this::durable);
    private final List<StoredWalObject> published = new ArrayList<>();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private final WalStreamMetrics metrics = new WalStreamMetrics(new SimpleMeterRegistry(), INSTANCE, clock);

    @Test
    void aSegmentThatCompletesIsStoredAtOnceAndOnlyThenConfirmedToTheSlot() throws Exception {
        Instant start = clock.instant();
        stream.wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER)
                .then(() -> {
                    assertEquals(List.of(layout.walSegment(FIRST)), store.keys(), "stored without waiting for a flush");
                    assertEquals(start, clock.instant(), "no time passed");
                    assertEquals(FIRST.endLsn(), stream.flushed());
                });

        assertEquals(SessionEnd.STOPPED, run());

        assertEquals(List.of(FIRST.endLsn()), published.stream().map(StoredWalObject::end).toList());
        assertFalse(published.get(0).partial());
    }

    @Test
    void theGrowingSegmentIsStoredOnlyOnceItsOldestByteWaitedTheFlushDeadline() throws Exception {
        Duration deadline = settings.flushDeadline();
        stream.wal(1000)
                .quiet(deadline.minusSeconds(1))
                .then(() -> {
                    assertEquals(List.of(), store.keys(), "too early for a partial");
                    assertEquals(Lsn.ZERO, stream.flushed());
                })
                .quiet(Duration.ofSeconds(2))
                .then(() -> {
                    assertEquals(List.of(layout.walPartial(FIRST)), store.keys());
                    assertEquals(FIRST.startLsn().plus(1000), stream.flushed());
                });

        run();

        assertEquals(1, store.attempts(Operation.WRITE));
    }

    @Test
    void thePartialIsStoredAgainOnlyIfItGrew() throws Exception {
        Duration deadline = settings.flushDeadline();
        stream.wal(1000).quiet(deadline).quiet(Duration.ofSeconds(1))
                .wal(500).quiet(deadline).quiet(Duration.ofSeconds(1))
                .quiet(deadline.multipliedBy(3));

        run();

        assertEquals(List.of(1000L, 1500L), published.stream().map(StoredWalObject::rawBytes).toList());
        assertEquals(2, store.attempts(Operation.WRITE), "nothing new: nothing uploaded");
        assertEquals(FIRST.startLsn().plus(1500), stream.flushed());
    }

    @Test
    void aFailingUploadIsRetriedWhileThePositionKeepsBeingReportedAndTheSlotWaitsForTheStore() throws Exception {
        Lsn partialEnd = FIRST.startLsn().plus(1000);
        Instant[] failingFrom = new Instant[1];
        stream.wal(1000).quiet(settings.flushDeadline()).quiet(Duration.ofSeconds(1))
                .then(() -> store.failNext(Operation.WRITE, 4, key -> {
                    if (failingFrom[0] == null) {
                        failingFrom[0] = clock.instant();
                    }
                    return new StorageUnavailableException("store", store.bucket(), key, new IOException("down"));
                }))
                .wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER - 1000);

        run();

        assertEquals(1 + 4 + 1, store.attempts(Operation.WRITE), "the partial, four failed attempts, the segment");
        List<ScriptedReplicationStream.Status> later = stream.statuses().stream()
                .filter(s -> s.at().isAfter(failingFrom[0])).toList();
        int stored = later.indexOf(later.stream().filter(ScriptedReplicationStream.Status::forced).findFirst().orElseThrow());
        List<ScriptedReplicationStream.Status> whileRetrying = later.subList(0, stored);
        assertTrue(whileRetrying.size() >= 4, "statuses went out while the upload was retried: " + stream.statuses());
        assertTrue(whileRetrying.stream().allMatch(s -> s.flushed().equals(partialEnd)),
                "the flushed position stayed at what was stored: " + whileRetrying);
        assertEquals(FIRST.endLsn(), later.get(stored).flushed());
        assertEquals(FIRST.endLsn(), stream.flushed());
    }

    @Test
    void aStoreThatNeverConfirmsNeverMovesTheFlushedPosition() {
        // Every attempt fails; the fifth also asks for a stop, which ends the retries.
        store.failNext(Operation.WRITE, 5, key -> {
            if (store.attempts(Operation.WRITE) == 5) {
                stop.request(false);
            }
            return new StorageUnavailableException("store", store.bucket(), key, new IOException("down"));
        });
        stream.wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER);

        assertThrows(StopRequested.class, this::run);

        assertEquals(Lsn.ZERO, stream.flushed());
        assertTrue(stream.statuses().stream().allMatch(s -> s.flushed().equals(Lsn.ZERO)), stream.statuses().toString());
        assertEquals(List.of(), store.keys());
        assertEquals(List.of(), published);
    }

    // ---- issue 18.4: complete segments are stored off the stream's thread, confirmed in stream order

    @Test
    void aSegmentStoredBeforeTheOneBeforeItIsConfirmedOnlyAfterIt() throws Exception {
        List<Runnable> uploads = new ArrayList<>();
        WalSegmentName second = FIRST.next();
        Lsn[] flushedWhileOnlyTheSecondWasStored = new Lsn[1];
        stream.wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER)
                .wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER)
                .then(() -> {
                    assertEquals(2, uploads.size(), "both complete segments handed over, the stream went on");
                    assertEquals(List.of(), store.keys(), "nothing stored yet");
                    uploads.get(1).run(); // the second segment's upload ends first
                    assertEquals(List.of(layout.walSegment(second)), store.keys());
                })
                .quiet(Duration.ofSeconds(1))
                .then(() -> flushedWhileOnlyTheSecondWasStored[0] = stream.flushed())
                .then(() -> uploads.get(0).run())
                .quiet(Duration.ofSeconds(1));

        run(SegmentUploads.on(uploads::add));

        assertEquals(Lsn.ZERO, flushedWhileOnlyTheSecondWasStored[0], "the slot waits for the first segment");
        assertEquals(List.of(FIRST.endLsn(), second.endLsn()), published.stream().map(StoredWalObject::end).toList(),
                "confirmed in stream order");
        assertEquals(second.endLsn(), stream.flushed());
    }

    @Test
    void aFailedSegmentHoldsTheSlotBeforeItWhileTheNextOneIsStoredAndIsRetriedFirst() throws Exception {
        List<Runnable> uploads = new ArrayList<>();
        WalSegmentName second = FIRST.next();
        List<Lsn> flushedAtFailures = new ArrayList<>();
        stream.wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER)
                .wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER)
                .then(() -> {
                    uploads.get(1).run(); // segment n+1 is stored
                    // segment n fails: its upload off the thread, then two of the retries on the stream's thread
                    store.failNext(Operation.WRITE, 3, key -> {
                        assertTrue(store.keys().contains(layout.walSegment(second)), "n+1 is in the bucket meanwhile");
                        flushedAtFailures.add(stream.flushed());
                        return new StorageUnavailableException("store", store.bucket(), key, new IOException("refused"));
                    });
                    uploads.get(0).run();
                })
                .quiet(Duration.ofSeconds(1));

        run(SegmentUploads.on(uploads::add));

        assertEquals(List.of(Lsn.ZERO, Lsn.ZERO, Lsn.ZERO), flushedAtFailures, "never past segment n while it was not stored");
        assertTrue(stream.statuses().stream().filter(s -> !s.forced()).anyMatch(s -> s.flushed().equals(Lsn.ZERO)),
                "the server kept hearing from the stream during the retries: " + stream.statuses());
        assertEquals(1 + 3 + 1, store.attempts(Operation.WRITE), "n+1, three failed attempts of n, n");
        assertEquals(List.of(FIRST.endLsn(), second.endLsn()), published.stream().map(StoredWalObject::end).toList());
        assertEquals(second.endLsn(), stream.flushed());
    }

    @Test
    void aStopWithoutFlushConfirmsNothingStillBeingStored() {
        List<Runnable> uploads = new ArrayList<>();
        stream.wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(QUARTER).wal(1000);

        assertEquals(SessionEnd.STOPPED, assertDoesNotThrow(() -> run(SegmentUploads.on(uploads::add))));

        assertEquals(1, uploads.size());
        assertEquals(Lsn.ZERO, stream.flushed(), "handed over but never stored: the slot keeps it");
        assertEquals(List.of(), published);
    }

    @Test
    void aQuietInstanceGetsAHeartbeatEveryIntervalAndAQuietStoredStreamReleasesItsBuffer() throws Exception {
        int[] readsBefore = new int[1];
        stream.wal(1000).quiet(settings.flushDeadline()).quiet(Duration.ofSeconds(1))
                .quiet(settings.heartbeatInterval())
                .quiet(settings.heartbeatInterval())
                .then(() -> readsBefore[0] = store.attempts(Operation.READ))
                .wal(500);

        run();

        assertEquals(2, heartbeats.get());
        assertEquals(readsBefore[0] + 2, store.attempts(Operation.READ),
                "the released buffer was read back from the stored partial (head, verified get)");
        assertEquals(List.of(1000L), published.stream().map(StoredWalObject::rawBytes).toList());
    }

    @Test
    void aHeartbeatWhoseWalDoesNotArriveShowsAsArchiveLagUntilWalIsStoredAgain() throws Exception {
        double[] lag = new double[3];
        stream.wal(1000).quiet(settings.flushDeadline()).quiet(Duration.ofSeconds(1))
                .then(() -> lag[0] = metrics.lagSeconds())
                // a heartbeat is committed, and its WAL does not come: the link to the server is cut
                .quiet(settings.heartbeatInterval())
                .quiet(settings.heartbeatInterval())
                .then(() -> lag[1] = metrics.lagSeconds())
                // the link is back: the WAL the server wrote meanwhile arrives and is stored
                .wal(500).quiet(settings.flushDeadline()).quiet(Duration.ofSeconds(1))
                .then(() -> lag[2] = metrics.lagSeconds());

        run();

        assertEquals(0, lag[0], "all stored, no lag");
        assertTrue(lag[1] >= settings.heartbeatInterval().toSeconds(),
                "silent since the heartbeat: the archive lags at least since then (" + lag[1] + " s)");
        assertEquals(0, lag[2], "stored again, no lag");
    }

    private SessionEnd run() throws SQLException, StopRequested {
        return run(SegmentUploads.on(Runnable::run)); // each complete segment's upload runs at once, on this thread
    }

    private SessionEnd run(SegmentUploads uploads) throws SQLException, StopRequested {
        StreamerContext context = new StreamerContext(
                new ReplicationTarget(INSTANCE, "localhost", 5432, "postgres", "archiver", () -> "secret"),
                settings, new RecordingEvents(published),
                metrics, clock, stop, new ClockPauses(),
                state -> { }, heartbeats::incrementAndGet);
        StreamPlan plan = new StreamPlan(1, FIRST.startLsn(), Optional.empty(), Optional.empty(), false);
        try (WalPump pump = new WalPump(stream, new WalObjectWriter(store, layout, clock), plan, context, null, uploads)) {
            return pump.run();
        }
    }

    /** Whether the store holds the WAL before {@code position}: what the slot may be told. */
    private boolean durable(Lsn position) {
        WalSegmentName segment = WalSegmentName.of(1, position.minus(1), SEGMENT_SIZE);
        return store.head(layout.walSegment(segment)).or(() -> store.head(layout.walPartial(segment)))
                .map(o -> !WalObjectMetadata.from(o).endLsn().isBefore(position))
                .orElse(false);
    }

    /** Waits that move the test's clock instead of taking time. */
    private final class ClockPauses implements Pauses {
        @Override
        public void untilStopOr(Duration wait) {
            if (!stop.isRequested()) {
                clock.advance(wait);
            }
        }

        @Override
        public void sleep(Duration wait) {
            clock.advance(wait);
        }
    }

    private record RecordingEvents(List<StoredWalObject> stored) implements WalEvents {
        @Override
        public void segmentStored(InstanceId instance, StoredWalObject object) {
            stored.add(object);
        }

        @Override
        public void gapDetected(WalGap gap) {
            throw new AssertionError("no gap expected: " + gap);
        }
    }
}
