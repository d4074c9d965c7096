package io.tideline.archiver.wal;

import io.tideline.archiver.wal.ReplicationConnection.SlotState;
import io.tideline.archiver.wal.ReplicationConnection.SystemIdentity;
import io.tideline.core.ids.InstanceId;
import io.tideline.core.postgres.PostgresErrors;
import io.tideline.core.postgres.PostgresFailure;
import io.tideline.core.storage.BucketLayout;
import io.tideline.core.storage.ObjectStore;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.TimelineHistory;
import io.tideline.core.wal.WalSegmentName;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one instance's WAL into its bucket, on its own thread, until stopped. Each session opens
 * a replication connection, reads what the bucket holds from the slot's restart point on, plans where to resume ({@link StreamPlanner})
 * and streams; any failure ends the session, and the next one starts over from the bucket after a
 * backoff. Nothing held only in memory is ever reported stored. Within a session, the WAL of the
 * open stream is moved into the bucket by a {@link WalPump}, which holds the flush rules.
 */
final class InstanceStreamer {

    private static final Logger LOG = LoggerFactory.getLogger(InstanceStreamer.class);

    private final ReplicationTarget target;
    private final long expectedSegmentSize;
    private final Supplier<ObjectStore> store;
    private final WalSettings settings;
    private final WalEvents events;
    private final WalStreamMetrics metrics;
    private final Clock clock;
    private final StopSignal stop;
    private final StreamerContext context;
    private final WalIndex.Factory indexes;
    private final StartGate gate;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile ReplicationConnection connection;
    private volatile String state = "starting";
    private Optional<Lsn> skipTo = Optional.empty();

    InstanceStreamer(ReplicationTarget target, long expectedSegmentSize, Supplier<ObjectStore> store, WalSettings settings,
                     WalEvents events, WalStreamMetrics metrics, Clock clock) {
        this(target, expectedSegmentSize, store, settings, events, metrics, clock, (b, l, t, s, c) -> null);
    }

    InstanceStreamer(ReplicationTarget target, long expectedSegmentSize, Supplier<ObjectStore> store, WalSettings settings,
                     WalEvents events, WalStreamMetrics metrics, Clock clock, WalIndex.Factory indexes) {
        this(target, expectedSegmentSize, store, settings, events, metrics, clock, indexes, StartGate.unpaced(clock));
    }

    /**
     * @param indexes opens the undo finder's index of each session (returns null when off)
     * @param gate    paces the session starts of the replica (issue 18)
     */
    InstanceStreamer(ReplicationTarget target, long expectedSegmentSize, Supplier<ObjectStore> store, WalSettings settings,
                     WalEvents events, WalStreamMetrics metrics, Clock clock, WalIndex.Factory indexes, StartGate gate) {
        this.indexes = indexes;
        this.gate = gate;
        this.target = target;
        this.expectedSegmentSize = expectedSegmentSize;
        this.store = store;
        this.settings = settings;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.stop = new StopSignal(clock);
        this.context = new StreamerContext(target, settings, events, metrics, clock, stop, stop, s -> state = s, this::heartbeat);
        this.thread = new Thread(this::run, "wal-" + target.instance().value());
        this.thread.setDaemon(true);
    }

    InstanceId instance() {
        return target.instance();
    }

    ReplicationTarget target() {
        return target;
    }

    /** What the stream is doing, for logs and health: {@code starting}, {@code streaming …}, {@code retrying: …}, {@code stopped}. */
    String state() {
        return state;
    }

    void start() {
        thread.start();
    }

    /**
     * Asks the stream to stop. With {@code flush}, the growing segment is stored first (bounded by
     * the stop timeout); without, the stream stops as soon as it notices, storing nothing more.
     */
    void requestStop(boolean flush) {
        stop.request(flush);
    }

    boolean awaitStopped(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Cuts the stream at once, without storing anything more: the connection is closed under it.
     * What was not stored stays on the server through the slot, to be streamed by the next owner.
     */
    void abort() {
        requestStop(false);
        ReplicationConnection c = connection;
        if (c != null) {
            c.abort();
        }
        thread.interrupt();
    }

    private boolean stopRequested() {
        return stop.isRequested();
    }

    private void run() {
        Backoff backoff = new Backoff(settings.retryInitialDelay(), settings.retryMaxDelay());
        try {
            while (!stopRequested()) {
                try {
                    SessionEnd end = runSession();
                    backoff.reset();
                    if (end == SessionEnd.STOPPED) {
                        break;
                    }
                } catch (StopRequested e) {
                    break;
                } catch (Exception e) {
                    if (stopRequested()) {
                        break;
                    }
                    metrics.streamError();
                    StreamFailure failure = StreamFailure.of(e);
                    Duration wait = failure.longestDelay() ? settings.retryMaxDelay() : backoff.next();
                    state = "retrying in " + wait.toMillis() + " ms: " + e.getMessage();
                    if (failure.needsPerson()) {
                        LOG.error("{}: WAL streaming cannot go on until this is fixed: {}", target, e.getMessage());
                    } else {
                        LOG.warn("{}: WAL stream failed, retrying in {} ms: {}", target, wait.toMillis(), describe(e));
                        LOG.debug("{}: stream failure", target, e);
                    }
                    stop.untilStopOr(wait);
                }
            }
        } finally {
            metrics.streaming(false);
            state = "stopped";
            stopped.countDown();
            LOG.info("{}: WAL streaming stopped", target);
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private SessionEnd runSession() throws SQLException, StopRequested, InterruptedException {
        state = "waiting for its turn to start";
        stop.untilStopOr(gate.reserve());
        StartGate.Permit permit = stopRequested() ? null : gate.acquire(stop);
        if (permit == null) {
            return SessionEnd.STOPPED;
        }
        try (permit) {
            return runSession(permit);
        }
    }

    /** One session; {@code starting} is given back once the stream runs (or the start failed). */
    private SessionEnd runSession(StartGate.Permit starting) throws SQLException, StopRequested {
        state = "connecting";
        try (ReplicationConnection conn = ReplicationConnection.open(target, settings)) {
            connection = conn;
            if (stopRequested()) {
                return SessionEnd.STOPPED;
            }
            long segmentSize = conn.walSegmentSize();
            if (segmentSize != expectedSegmentSize) {
                throw new InstanceMismatchException(target + " has wal_segment_size " + segmentSize
                        + " but is registered with " + expectedSegmentSize);
            }
            SystemIdentity system = conn.identifySystem();
            TimelineHistory history = system.timeline() == 1 ? TimelineHistory.initial()
                    : TimelineHistory.parse(system.timeline(), conn.timelineHistory(system.timeline()));
            ObjectStore bucket = store.get();
            WalObjectWriter writer = new WalObjectWriter(bucket, BucketLayout.forSegmentSize(segmentSize), clock);
            // The slot first: it says from where the bucket must be read (StoredWal.readFrom).
            Lsn slotRestart = ensureSlot(conn, system);
            StoredWal stored = StoredWal.readFrom(bucket, writer.layout(), history, slotRestart);
            storeHistories(conn, history, stored, writer);
            removeStalePartials(stored, writer);
            StreamPlan plan = StreamPlanner.plan(stored, history, slotRestart, skipTo, segmentSize);
            if (skipTo.isPresent() && !skipTo.get().isAfter(plan.start()) && plan.storedThrough().isPresent()) {
                skipTo = Optional.empty(); // the bucket holds WAL from past the gap now
            }
            return stream(conn, writer, plan, system, starting);
        } finally {
            connection = null;
            metrics.streaming(false);
        }
    }

    /** Stores the history file of every timeline after the first that the server's history names. */
    private void storeHistories(ReplicationConnection conn, TimelineHistory history, StoredWal stored, WalObjectWriter writer)
            throws SQLException {
        for (long tli : history.timelines()) {
            if (tli > 1 && !stored.histories().contains(tli)) {
                writer.storeHistory(tli, conn.timelineHistory(tli));
                LOG.info("{}: stored the history of timeline {}", target, tli);
            }
        }
    }

    private void removeStalePartials(StoredWal stored, WalObjectWriter writer) {
        for (WalSegmentName segment : stored.stalePartials()) {
            try {
                writer.deletePartial(segment);
            } catch (RuntimeException e) {
                LOG.debug("{}: could not remove the stale partial of {}: {}", target, segment, e.getMessage());
            }
        }
    }

    /**
     * Makes sure the slot exists and keeps WAL; returns its restart LSN. A slot the server invalidated
     * (it exceeded {@code max_slot_wal_keep_size}) keeps nothing: it is dropped and made again, and
     * whatever the server no longer has shows up as a gap when streaming starts.
     */
    private Lsn ensureSlot(ReplicationConnection conn, SystemIdentity system) throws SQLException {
        String name = settings.slotFor(target.instance());
        Optional<SlotState> slot = conn.readSlot(name);
        if (slot.isPresent() && !slot.get().isPhysical()) {
            throw new InstanceMismatchException(target + " has a " + slot.get().type() + " slot named " + name
                    + "; the archiver needs that name for its physical slot");
        }
        if (slot.isPresent() && slot.get().isInvalidated()) {
            LOG.warn("{}: slot {} was invalidated by the server (WAL it held was removed); making a new one", target, name);
            conn.dropSlot(name);
            slot = Optional.empty();
        }
        if (slot.isEmpty()) {
            if (conn.createSlot(name)) {
                LOG.info("{}: created physical replication slot {}", target, name);
            }
            slot = conn.readSlot(name);
        }
        return slot.flatMap(SlotState::restartLsn).orElse(system.xlogPosition());
    }

    private SessionEnd stream(ReplicationConnection conn, WalObjectWriter writer, StreamPlan plan, SystemIdentity system,
                              StartGate.Permit starting) throws SQLException, StopRequested {
        ReplicationStream stream;
        try {
            stream = conn.startStreaming(settings.slotFor(target.instance()), plan.timeline(), plan.start(), settings, clock);
        } catch (SQLException e) {
            starting.close();
            if (isRemovedWal(e)) {
                Lsn missingFrom = plan.storedThrough().map(s -> Lsn.max(s, plan.start())).orElse(plan.start());
                return skipGap(conn, plan.timeline(), missingFrom, system, e.getMessage());
            }
            throw e;
        }
        starting.close();
        LOG.info("{}: streaming timeline {} from {}{}", target, plan.timeline(), plan.start(),
                plan.stopAt().map(s -> " up to its fork at " + s).orElse(""));
        state = "streaming timeline " + plan.timeline();
        metrics.streaming(true);

        WalIndex index = indexes.open(writer.store(), writer.layout(), plan.timeline(), plan.start(), new ServerConnections(target, settings));
        try (WalPump pump = new WalPump(stream, writer, plan, context, index)) {
            try {
                return pump.run();
            } catch (SQLException e) {
                if (isRemovedWal(e)) {
                    // Everything before the missing segment was complete: stored (and confirmed) before the gap is
                    // recorded; if that fails, the exception ends the session and the next one plans from the bucket.
                    pump.storeReceivedBeforeGap();
                    return skipGap(conn, plan.timeline(), pump.received(), system, e.getMessage());
                }
                throw e;
            }
        }
    }

    /** An empty commit on an idle instance (see {@link WalSettings#heartbeatInterval()}); a failure only costs the window's progress. */
    private void heartbeat() {
        try {
            ReplicationConnection.heartbeat(target, settings);
            metrics.heartbeat();
        } catch (SQLException e) {
            LOG.warn("{}: heartbeat commit failed (the restorable window waits for the next WAL): {}", target, e.getMessage());
        }
    }

    /**
     * The server no longer has WAL from {@code missingFrom}: publish the gap and a backup command
     * (both must reach Kafka, else the session fails and the gap is found again), then go on where
     * the server still has WAL. The new position is kept until the bucket holds WAL past it.
     */
    private SessionEnd skipGap(ReplicationConnection conn, long timeline, Lsn missingFrom,
                               SystemIdentity system, String serverMessage) throws SQLException {
        long segmentSize = expectedSegmentSize;
        Lsn restart = conn.readSlot(settings.slotFor(target.instance())).flatMap(SlotState::restartLsn).orElse(system.xlogPosition());
        Lsn availableFrom = StreamPlanner.segmentStart(restart, segmentSize);
        if (!availableFrom.isAfter(missingFrom)) {
            availableFrom = StreamPlanner.segmentStart(system.xlogPosition(), segmentSize);
        }
        if (!availableFrom.isAfter(missingFrom)) {
            throw new InstanceMismatchException(target + " says WAL at " + missingFrom + " is removed although its slot holds it from "
                    + restart + ": " + serverMessage);
        }
        WalGap gap = new WalGap(target.instance(), timeline, missingFrom, availableFrom,
                "the server no longer has the WAL (" + serverMessage + ")");
        LOG.error("{}: WAL gap on timeline {} from {} to {}: {} — asking for a base backup now", target, timeline, missingFrom,
                availableFrom, serverMessage);
        metrics.gap();
        events.gapDetected(gap);
        skipTo = Optional.of(availableFrom);
        return SessionEnd.GAP_SKIPPED;
    }

    static boolean isRemovedWal(SQLException e) {
        return PostgresErrors.classify(e) == PostgresFailure.WAL_REMOVED;
    }

    /** The server is not what its registration says, or contradicts itself: retrying soon will not help. */
    static final class InstanceMismatchException extends RuntimeException {
        InstanceMismatchException(String message) {
            super(message);
        }
    }
}
