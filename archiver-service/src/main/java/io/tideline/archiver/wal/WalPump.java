package io.tideline.archiver.wal;

import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the WAL of one open replication stream into the bucket, one poll at a time: the state of a
 * stream session and its transitions ({@link #onData}, {@link #onIdle}, {@link #flushIfDue},
 * {@link #releaseIfIdle}), driven by {@link #run()}.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li>A segment that completes is stored at once ({@code <segment>.zst}), and its partial removed.</li>
 *   <li>The growing segment is stored as its {@code .partial.zst} once its oldest unstored byte has
 *       waited {@link WalSettings#flushDeadline()}, and only if it grew since last stored.</li>
 *   <li>The slot is told (flushed position) only what the store confirmed, after it confirmed it; an
 *       upload that fails is retried ({@link UploadRetry}) while positions keep being reported.</li>
 *   <li>Positions go to the server every status interval; an instance quiet for the heartbeat
 *       interval gets an empty commit; a quiet stream whose bytes are all stored releases its buffer.</li>
 *   <li>A stop stores the growing segment first when asked to; an older timeline ends at its fork.</li>
 * </ul>
 *
 * <p>Order of every store: upload → the store confirms → the slot is told → {@code WalSegmentStored}
 * is published → (for a complete segment) its partial is removed. Used by the stream's thread only.
 */
final class WalPump implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WalPump.class);
    private static final Duration MIN_POLL = Duration.ofMillis(1);

    private final ReplicationStream stream;
    private final WalObjectWriter writer;
    private final StreamPlan plan;
    private final StreamerContext context;
    private final UploadRetry retry;
    private final CommitHorizon horizon;
    private final CommitRecordScanner commits;
    private final CompressedSegment buffer;
    /** The undo finder's index of this session, or null when off. */
    private final WalIndex index;

    /** How far the bucket holds the current segment (a partial of it, or nothing beyond its start). */
    private Lsn segmentStored;
    /** Whether a partial of the current segment is in the bucket (to remove once the segment is complete). */
    private boolean partialStored;
    /** When the oldest byte not yet stored arrived; null while everything received is stored. */
    private Instant firstUnstored;
    private Instant lastData;
    private Instant lastHeartbeat;
    private Duration pollDelay = MIN_POLL;

    WalPump(ReplicationStream stream, WalObjectWriter writer, StreamPlan plan, StreamerContext context) {
        this(stream, writer, plan, context, null);
    }

    /** @param index told of every WAL object stored, after the store confirmed it; null for none */
    WalPump(ReplicationStream stream, WalObjectWriter writer, StreamPlan plan, StreamerContext context, WalIndex index) {
        this.index = index;
        this.stream = stream;
        this.writer = writer;
        this.plan = plan;
        this.context = context;
        this.retry = new UploadRetry(context);
        long segmentSize = writer.layout().walSegmentSize();
        this.horizon = new CommitHorizon(writer.coveredBefore(plan), CommitHorizon.SEND_TIME_ALLOWANCE);
        this.commits = new CommitRecordScanner(segmentSize, horizon::observeCommit, index == null ? null : index.sink());
        this.buffer = new CompressedSegment(plan.firstSegment(segmentSize), context.settings().compressionLevel());
    }

    /** Pumps until a stop is requested or the timeline reaches its fork; a broken stream or a conflict throws. */
    SessionEnd run() throws SQLException, StopRequested {
        begin();
        while (true) {
            if (context.stop().isRequested()) {
                return stop();
            }
            ReplicationMessage.XLogData data = stream.poll();
            Instant now = context.clock().instant();
            if (data != null) {
                Lsn reached = onData(data, now);
                if (plan.stopAt().isPresent() && !reached.isBefore(plan.stopAt().get())) {
                    return finishTimeline();
                }
            } else {
                onIdle(now);
            }
            flushIfDue(now, data == null);
            releaseIfIdle(now, data == null);
            reportStatus();
        }
    }

    /** The first position not yet taken in: where the WAL this stream has not seen begins. */
    Lsn received() {
        return buffer.end();
    }

    /** Tells the slot what the bucket already holds, and starts the clocks. */
    private void begin() {
        segmentStored = plan.storedThrough().orElse(plan.start());
        partialStored = plan.partialStored();
        plan.storedThrough().ifPresent(stream::confirmStored);
        context.metrics().stored(plan.storedThrough().orElse(plan.start()), 0, false);
        lastData = context.clock().instant();
        lastHeartbeat = lastData;
    }

    /**
     * WAL arrived: note its commits, take it into the segment buffer (read back first if it was
     * released) and store every segment it completes at once. Returns the position reached.
     */
    private Lsn onData(ReplicationMessage.XLogData data, Instant now) throws SQLException, StopRequested {
        commits.feed(data.start(), data.message(), data.offset(), data.length());
        horizon.observe(Lsn.max(data.serverWalEnd(), data.end()), data.sentAt());
        pollDelay = MIN_POLL;
        lastData = now;
        if (buffer.isReleased()) {
            reloadPartial();
        }
        int offset = data.offset();
        int remaining = data.length();
        Lsn at = data.start();
        if (plan.stopAt().isPresent()) {
            remaining = (int) Math.min(remaining, Math.max(0, plan.stopAt().get().bytesSince(at)));
        }
        while (remaining > 0) {
            int taken = buffer.append(at, data.message(), offset, remaining);
            offset += taken;
            remaining -= taken;
            at = at.plus(taken);
            noteUnstored(now);
            if (buffer.isComplete()) {
                storeCompleteSegment();
                firstUnstored = remaining > 0 ? now : null;
                context.metrics().unstoredSince(firstUnstored);
            }
        }
        return at;
    }

    /** Nothing arrived: wait a little longer each time (up to the idle poll), and keep an idle instance's window moving. */
    private void onIdle(Instant now) {
        context.pauses().untilStopOr(pollDelay);
        Duration doubled = pollDelay.multipliedBy(2);
        Duration limit = context.settings().idlePollLimit();
        pollDelay = doubled.compareTo(limit) > 0 ? limit : doubled;
        Duration heartbeat = context.settings().heartbeatInterval();
        if (!heartbeat.isZero() && !now.isBefore(lastData.plus(heartbeat)) && !now.isBefore(lastHeartbeat.plus(heartbeat))) {
            lastHeartbeat = now;
            // The heartbeat is a commit the archive must receive (or, if it fails, the server could not be
            // reached to make one): until WAL arrives and is stored again, the archive lags from now. So a
            // silent stream — a cut link, a hung server — shows in the lag, not only a slow upload. Set
            // before the commit, which may wait out a connect timeout on an unreachable server.
            if (context.metrics().unstoredSince() == null) {
                context.metrics().unstoredSince(now);
            }
            context.heartbeat().run();
        }
    }

    /** Stores the growing segment once its oldest unstored byte has waited the flush deadline, if it grew. */
    private void flushIfDue(Instant now, boolean idle) throws SQLException, StopRequested {
        if (firstUnstored == null || now.isBefore(firstUnstored.plus(context.settings().flushDeadline()))) {
            return;
        }
        if (buffer.end().isAfter(segmentStored)) {
            storePartial(false);
            segmentStored = buffer.end();
            partialStored = true;
        }
        firstUnstored = null;
        context.metrics().unstoredSince(null);
        if (idle) {
            buffer.trim(); // quiet: give back what a burst left unused
        }
    }

    /** Idle and all stored for the idle-release time: hold nothing until WAL arrives again. */
    private void releaseIfIdle(Instant now, boolean idle) {
        if (idle && firstUnstored == null && !buffer.isReleased() && !buffer.isEmpty()
                && buffer.end().equals(segmentStored) && !now.isBefore(lastData.plus(context.settings().idleRelease()))) {
            buffer.release();
        }
    }

    private void reportStatus() throws SQLException {
        stream.sendStatus(false);
        context.metrics().serverEnd(stream.serverWalEnd());
        context.metrics().bufferBytes(buffer.capacity());
    }

    private SessionEnd stop() throws SQLException, StopRequested {
        if (context.stop().flushFirst() && buffer.end().isAfter(segmentStored)) {
            storePartial(true);
        }
        return SessionEnd.STOPPED;
    }

    private SessionEnd finishTimeline() throws SQLException, StopRequested {
        if (buffer.end().isAfter(segmentStored)) {
            storePartial(false);
        }
        LOG.info("{}: timeline {} is stored up to its fork at {}", context.target(), plan.timeline(), plan.stopAt().orElseThrow());
        return SessionEnd.TIMELINE_DONE;
    }

    private void noteUnstored(Instant now) {
        if (firstUnstored == null) {
            firstUnstored = now;
            if (context.metrics().unstoredSince() == null) {
                context.metrics().unstoredSince(now);
            }
        }
    }

    private void reloadPartial() throws SQLException, StopRequested {
        WalSegmentName held = buffer.segment();
        Lsn end = buffer.end();
        WalObjectWriter.Partial partial = retry.untilStored(stream, "reload of partial " + held, false,
                () -> writer.loadPartial(held, end));
        buffer.restore(partial.compressed(), partial.raw());
    }

    /** Stores the complete segment, removes its partial, and moves the buffer on to the next segment. */
    private void storeCompleteSegment() throws SQLException, StopRequested {
        WalSegmentName segment = buffer.segment();
        CompressedSegment.Sealed wal = buffer.seal();
        Optional<Instant> covered = horizon.coveredBy(segment.endLsn());
        StoredWalObject object = retry.untilStored(stream, "segment " + segment, false,
                () -> writer.storeComplete(segment, wal, covered));
        confirmed(object, object.end().bytesSince(segmentStored), true);
        if (index != null) {
            index.stored(segment, object.end(), true);
        }
        if (partialStored || segmentStored.isAfter(segment.startLsn())) {
            try {
                writer.deletePartial(segment);
            } catch (RuntimeException e) {
                // harmless: the next session removes a partial whose segment is complete
                LOG.debug("{}: could not remove the partial of {}: {}", context.target(), segment, e.getMessage());
            }
        }
        buffer.advance();
        segmentStored = buffer.segment().startLsn();
        partialStored = false;
    }

    private void storePartial(boolean stopping) throws SQLException, StopRequested {
        WalSegmentName segment = buffer.segment();
        Lsn before = context.metrics().storedPosition();
        CompressedSegment.Sealed wal = buffer.seal();
        Optional<Instant> covered = horizon.coveredBy(buffer.end());
        StoredWalObject object = retry.untilStored(stream, "partial " + segment, stopping,
                () -> writer.storePartial(segment, wal, covered));
        long newBytes = object.end().isAfter(before) ? object.end().bytesSince(Lsn.max(before, segment.startLsn())) : 0;
        confirmed(object, newBytes, false);
        if (index != null) {
            index.stored(segment, object.end(), false);
        }
    }

    private void confirmed(StoredWalObject object, long newBytes, boolean complete) throws SQLException {
        stream.confirmStored(object.end());
        stream.sendStatus(true);
        context.metrics().stored(object.end(), Math.max(0, newBytes), complete);
        context.events().segmentStored(context.target().instance(), object);
        LOG.debug("{}: stored {} up to {}", context.target(), object.key(), object.end());
    }

    @Override
    public void close() {
        buffer.close();
    }
}
