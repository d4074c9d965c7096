package io.tideline.archiver.wal;

import io.tideline.core.wal.CommitRecordScanner;
import io.tideline.core.wal.Lsn;
import io.tideline.core.wal.WalSegmentName;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>A complete segment is uploaded off this thread ({@link SegmentUploads}, issue 18.4) while the next one
 * fills, at most {@link SegmentUploads#MAX_IN_FLIGHT} at once; they are confirmed to the slot strictly in
 * stream order, each only after the store confirmed it and every segment before it. An upload that
 * failed is retried here ({@link UploadRetry}), holding back every later segment's confirmation, and a
 * partial is stored only once every complete segment before it is confirmed.
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
    /** Complete segments being stored, not yet confirmed to the slot, oldest first. */
    private final SegmentUploads uploads;

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
        this(stream, writer, plan, context, index, SegmentUploads.threads(context.target().instance().value()));
    }

    /** @param uploads where complete segments are stored (tests: an executor they drive) */
    WalPump(ReplicationStream stream, WalObjectWriter writer, StreamPlan plan, StreamerContext context, WalIndex index,
            SegmentUploads uploads) {
        this.uploads = uploads;
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
            confirmUploaded();
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
        // a backlog (more than a segment waiting at the server): compress on another core (issue 18.4)
        buffer.compressInBackground(data.serverWalEnd().isAfter(data.end())
                && data.serverWalEnd().bytesSince(data.end()) >= writer.layout().walSegmentSize());
        while (remaining > 0) {
            int taken = buffer.append(at, data.message(), offset, remaining);
            offset += taken;
            remaining -= taken;
            at = at.plus(taken);
            noteUnstored(now);
            if (buffer.isComplete()) {
                storeCompleteSegment();
                firstUnstored = remaining > 0 ? now : null;
                showUnstored();
            }
        }
        return at;
    }

    /** Nothing arrived: wait a little longer each time (up to the idle poll), and keep an idle instance's window moving. */
    private void onIdle(Instant now) {
        context.pauses().untilStopOr(pollDelay);
        Duration doubled = pollDelay.multipliedBy(2);
        pollDelay = doubled.compareTo(context.settings().idlePoll()) > 0 ? context.settings().idlePoll() : doubled;
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
        showUnstored();
        if (idle) {
            buffer.trim(); // quiet: give back what a burst left unused
        }
    }

    /** Idle and all stored for the idle-release time: hold nothing until WAL arrives again. */
    private void releaseIfIdle(Instant now, boolean idle) {
        if (idle && firstUnstored == null && uploads.isEmpty() && !buffer.isReleased() && !buffer.isEmpty()
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
        if (context.stop().flushFirst()) {
            confirmAllUploaded(true);
            if (buffer.end().isAfter(segmentStored)) {
                storePartial(true);
            }
        }
        return SessionEnd.STOPPED; // without flush: what is still uploading is dropped unconfirmed (close)
    }

    private SessionEnd finishTimeline() throws SQLException, StopRequested {
        confirmAllUploaded(false);
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

    /** The lag metric's oldest unstored byte: the oldest segment still uploading, else the filling one's. */
    private void showUnstored() {
        SegmentUploads.Pending oldest = uploads.head();
        context.metrics().unstoredSince(oldest != null ? oldest.unstoredSince() : firstUnstored);
    }

    private void reloadPartial() throws SQLException, StopRequested {
        WalSegmentName held = buffer.segment();
        Lsn end = buffer.end();
        WalObjectWriter.Partial partial = retry.untilStored(stream, "reload of partial " + held, false,
                () -> writer.loadPartial(held, end));
        buffer.restore(partial.compressed(), partial.raw());
    }

    /**
     * Hands the complete segment to {@link SegmentUploads} (waiting while it holds as many as it may) and
     * moves the buffer on to the next segment; the slot hears of it in {@link #confirmUploaded}.
     */
    private void storeCompleteSegment() throws SQLException, StopRequested {
        WalSegmentName segment = buffer.segment();
        CompressedSegment.Sealed wal = buffer.seal();
        Optional<Instant> covered = horizon.coveredBy(segment.endLsn());
        boolean removePartial = partialStored || segmentStored.isAfter(segment.startLsn());
        while (uploads.isFull()) {
            confirmHead(false);
        }
        Instant unstoredSince = firstUnstored != null ? firstUnstored : context.clock().instant();
        uploads.submit(segment, wal, covered, segmentStored, removePartial, unstoredSince,
                () -> writer.storeComplete(segment, wal, covered));
        buffer.advance();
        segmentStored = buffer.segment().startLsn();
        partialStored = false;
    }

    /** Confirms, in order, every segment at the head whose upload has ended (a failed one is retried here first). */
    private void confirmUploaded() throws SQLException, StopRequested {
        while (uploads.head() != null && uploads.head().upload().isDone()) {
            confirmHead(false);
        }
    }

    /** Confirms every segment still uploading, in order: before a partial, a graceful stop, a timeline's end. */
    private void confirmAllUploaded(boolean finalFlush) throws SQLException, StopRequested {
        while (!uploads.isEmpty()) {
            confirmHead(finalFlush);
        }
    }

    /**
     * Waits for the oldest segment's upload (keeping the server informed meanwhile), retries it here if it
     * failed, then tells the slot, the index and the events, and removes its partial.
     */
    private void confirmHead(boolean finalFlush) throws SQLException, StopRequested {
        SegmentUploads.Pending head = uploads.head();
        StoredWalObject object;
        RuntimeException failed = awaitUpload(head, finalFlush);
        if (failed == null) {
            object = head.upload().join();
        } else {
            object = retry.untilStored(stream, "segment " + head.segment(), finalFlush,
                    () -> writer.storeComplete(head.segment(), head.wal(), head.covered()), failed);
        }
        uploads.removeHead();
        confirmed(object, object.end().bytesSince(head.storedBefore()), true);
        showUnstored();
        if (index != null) {
            index.stored(head.segment(), object.end(), true);
        }
        if (head.removePartial()) {
            try {
                writer.deletePartial(head.segment());
            } catch (RuntimeException e) {
                // harmless: the next session removes a partial whose segment is complete
                LOG.debug("{}: could not remove the partial of {}: {}", context.target(), head.segment(), e.getMessage());
            }
        }
    }

    /**
     * Waits until {@code head}'s upload ended, sending status updates meanwhile (the server must not time the
     * stream out); returns its failure, or null once stored. A stop ends the wait as it ends a retry.
     */
    private RuntimeException awaitUpload(SegmentUploads.Pending head, boolean finalFlush) throws SQLException, StopRequested {
        Duration slice = context.settings().statusInterval().dividedBy(2);
        while (true) {
            try {
                head.upload().get(Math.max(1, slice.toMillis()), TimeUnit.MILLISECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (TimeoutException e) {
                stream.sendStatus(false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StopRequested();
            }
            StopSignal stop = context.stop();
            if (stop.isRequested() && (!finalFlush
                    || context.clock().instant().isAfter(stop.finalFlushDeadline(context.settings().stopTimeout())))) {
                throw new StopRequested();
            }
        }
    }

    /**
     * The stream ended with the server saying it removed WAL (a gap): stores and confirms what was received
     * before it, so the gap starts at {@link #received()}. Throws if that cannot be done, and then no gap is
     * recorded: the next session plans from the bucket.
     */
    void storeReceivedBeforeGap() throws SQLException, StopRequested {
        confirmAllUploaded(false);
    }

    private void storePartial(boolean stopping) throws SQLException, StopRequested {
        confirmAllUploaded(stopping); // the slot must not hear of this partial before the segments before it
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
        uploads.close();
        buffer.close();
    }
}
